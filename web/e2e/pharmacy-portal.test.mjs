// The pharmacist's dispense check (a refused dispense shows every reason; an allowed
// one shows the dispense-by date and can be recorded) and the patient portal (what's
// next, the daily check-in with PHQ-2 -> PHQ-9 and a red-flag answer).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiGet, assertNoConsoleErrors, skipWithoutRoute, startStack } from './harness.mjs';

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

/** Searches the pharmacy screen and picks the newest prescription of the one patient found. */
async function findNewest(page, q, candidate) {
  await page.getByLabel(/Patient name, birth date/).fill(q);
  await page.getByRole('button', { name: 'Find' }).click();
  const list = page.getByRole('list', { name: 'Matching prescriptions' });
  await list.waitFor();
  await list.getByRole('button', { name: new RegExp(`prescribed ${candidate.prescription_date}`) }).first().click();
}

/** Dispense candidates for a query, through the lookup route (newest prescription first). */
async function lookup(page, q) {
  const r = await apiGet(page, `/api/v1/dispense/lookup?q=${encodeURIComponent(q)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items;
}

async function check(page, c) {
  return page.evaluate(async (cand) => {
    const r = await fetch('/api/v1/dispense/check', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': sessionStorage.getItem('isocourse.csrf') ?? '' },
      body: JSON.stringify({ patient_id: cand.patient_id, prescription_id: cand.prescription_id }),
    });
    return r.json();
  }, c);
}

describe('pharmacy', () => {
  // The demo seeds, in every clinic, a patient whose prescription may be dispensed today
  // (MRN DEMO-US-READY) and one refused for a clear reason (DEMO-US-REFUSED: the
  // patient's contraception entry does not match the clinic's).
  test('a refused dispense shows every reason; an allowed one shows the dispense-by date and is recorded', async (t) => {
    const page = await stack.signIn('pharm.us');
    if (await skipWithoutRoute(t, stack, page, 'GET', '/api/v1/dispense/lookup?q=DEMO')) return;
    if (await skipWithoutRoute(t, stack, page, 'POST', '/api/v1/dispense/check', {})) return;
    const [refused] = await lookup(page, 'DEMO-US-REFUSED');
    const [allowed] = await lookup(page, 'DEMO-US-READY');
    assert.ok(refused, 'the demo has a prescription that may not be dispensed today');
    assert.ok(allowed, 'the demo has a prescription that may be dispensed today');
    const before = await check(page, allowed);
    assert.equal(before.decision.allowed, true, JSON.stringify(before.decision));

    await findNewest(page, 'DEMO-US-REFUSED', refused);
    const decision = page.locator('[data-testid=dispense-decision]');
    await decision.waitFor();
    assert.equal(await decision.locator('.decision__title strong').textContent(), 'No');
    const reasons = await decision.locator('.reason').allTextContents();
    assert.ok(reasons.length > 0, 'every refusal lists its reasons');
    for (const r of reasons) assert.match(r, /Rule \S+/, 'each reason names its rule');
    assert.ok(reasons.some((r) => /contraception entries do not match/i.test(r)), `the mismatch is named: ${reasons.join(' | ')}`);
    await page.getByText('Do not dispense.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Record the dispense' }).count(), 0, 'no way to record a refused dispense');
    await stack.shot(page, 'pharmacy-refused');

    // The ready patient, found by MRN: yes, with the dispense-by date; record it.
    await findNewest(page, 'DEMO-US-READY', allowed);
    await decision.locator('.decision__title strong', { hasText: 'Yes' }).waitFor();
    assert.match(await decision.locator('.decision__by').textContent(), new RegExp(`Dispense by ${before.decision.by}`));
    await page.getByLabel('Quantity (capsules)').fill('60');
    await page.getByLabel('Pharmacy').fill('E2E Pharmacy');
    await page.getByRole('button', { name: 'Record the dispense' }).click();
    await page.getByText('Dispense recorded.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Record the dispense' }).count(), 0, 'recorded once');
    await stack.shot(page, 'pharmacy-recorded');

    // The server holds it: the same prescription is now filled, so the check refuses a
    // second dispense and names the one just recorded.
    const after = await check(page, allowed);
    assert.equal(after.decision.allowed, false);
    const filled = after.decision.reasons.find((r) => r.code === 'prescription-already-dispensed');
    assert.ok(filled, JSON.stringify(after.decision.reasons));
    assertNoConsoleErrors(page);
  });
});

describe('patient portal', () => {
  test('what is next, by when, and the progress chart', async (t) => {
    const page = await stack.signIn('patient.demo');
    const me = (await apiGet(page, '/api/v1/auth/me')).body.user;
    await page.getByRole('link', { name: 'Daily check-in' }).waitFor();
    await stack.shot(page, 'portal');
    if (await skipWithoutRoute(t, stack, page, 'GET', `/api/v1/patients/${me.patient_id}/assessment`)) return;
    await page.getByRole('heading', { name: 'Your progress' }).waitFor();
    await page.locator('[data-testid=chart-cumulative]').waitFor();
    assertNoConsoleErrors(page);
  });

  test('a red-flag answer in the check-in shows what to do at once', async (t) => {
    const page = await stack.signIn('patient.demo');
    const me = (await apiGet(page, '/api/v1/auth/me')).body.user;
    if (await skipWithoutRoute(t, stack, page, 'POST', `/api/v1/patients/${me.patient_id}/diary`, {})) return;
    await page.goto('/#/portal/check-in');
    await page.getByLabel('Yes', { exact: true }).check();
    await page.getByLabel('Very bad stomach pain').check();
    await page.getByLabel('Severe').check();
    for (const name of ['phq-0', 'phq-1']) await page.locator(`input[name=${name}][value="0"]`).check();
    await page.getByRole('button', { name: 'Send' }).click();
    const urgent = page.locator('[data-testid=urgent]');
    await urgent.waitFor();
    assert.match(await urgent.textContent(), /Stop taking isotretinoin/);
    await stack.shot(page, 'check-in-red-flag');
    assertNoConsoleErrors(page);
  });

  test('a positive PHQ-2 leads to the PHQ-9', async (t) => {
    const page = await stack.signIn('patient.demo');
    const me = (await apiGet(page, '/api/v1/auth/me')).body.user;
    if (await skipWithoutRoute(t, stack, page, 'POST', `/api/v1/patients/${me.patient_id}/diary`, {})) return;
    await page.goto('/#/portal/check-in');
    await page.getByLabel('Yes', { exact: true }).check();
    for (const name of ['phq-0', 'phq-1']) await page.locator(`input[name=${name}][value="2"]`).check();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('input[name=phq-8]').first().waitFor();
    for (let i = 2; i < 9; i++) await page.locator(`input[name=phq-${i}][value="1"]`).check();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('[data-testid=check-in-done]').waitFor();
    await stack.shot(page, 'check-in-phq9');
    assertNoConsoleErrors(page);
  });
});
