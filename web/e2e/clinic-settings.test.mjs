// Clinic settings in the browser: a prescriber switches the clinic to the DELPHI 2022
// lab profile and the change reaches the course engine (the patient's lab tasks change);
// a nurse sees the settings but cannot change them; a bad value is named at its field
// and nothing is stored; a stale second editor is told to reload.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiGet, assertNoConsoleErrors, startStack } from './harness.mjs';

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

/** Lab task ids of one active patient of the signed-in clinic, on the server's today. */
async function labTasks(page, patientId) {
  const a = await apiGet(page, `/api/v1/patients/${patientId}/assessment`);
  assert.equal(a.status, 200, JSON.stringify(a.body));
  return a.body.tasks.filter((t) => t.id.startsWith('lab')).map((t) => t.id).sort();
}

describe('clinic settings', () => {
  test('a prescriber changes the lab profile; evaluations follow; history keeps both', async () => {
    const page = await stack.signIn('dr.us');
    const worklist = (await apiGet(page, '/api/v1/worklist?limit=100')).body;
    const active = worklist.items.find((r) => r.phase === 'active');
    assert.ok(active, 'the demo clinic has an active course');
    const before = await labTasks(page, active.patient.id);

    await page.goto('/#/clinic');
    await page.getByRole('link', { name: 'Clinic settings' }).click();
    await page.getByRole('heading', { name: 'Clinic settings' }).waitFor();
    const version = page.getByTestId('settings-version');
    assert.match(await version.textContent(), /Version 0/);
    await page.getByLabel('Lab monitoring profile').selectOption('delphi_2022');
    await page.getByLabel('Why (kept with this version)').fill('Clinic protocol 2026');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved as version 1').waitFor();
    await page.getByText(/Version 1, changed by .*\(dr\.us\) on \d{4}-\d\d-\d\d \d\d:\d\d UTC/).waitFor();
    const history = page.getByTestId('settings-history');
    await history.waitFor();
    assert.match(await history.textContent(), /delphi_2022/);
    assert.match(await history.textContent(), /Clinic protocol 2026/);
    await stack.shot(page, 'clinic-settings');

    const after = await labTasks(page, active.patient.id);
    assert.notDeepEqual(after, before, 'the DELPHI profile plans other lab checks than the US label');
    const me = (await apiGet(page, '/api/v1/auth/me')).body;
    const stored = (await apiGet(page, `/api/v1/clinics/${me.user.clinic_id}/settings`)).body;
    assert.equal(stored.effective.lab_profile, 'delphi_2022');
    assertNoConsoleErrors(page);
  });

  test('a bad value is named at its field and nothing is stored', async () => {
    const page = await stack.signIn('dr.us');
    await page.goto('/#/clinic/settings');
    await page.getByRole('heading', { name: 'Clinic settings' }).waitFor();
    const version = await page.getByTestId('settings-version').textContent();
    await page.getByLabel('A task is due soon from (days before its due date)').fill('400');
    await page.getByRole('button', { name: 'Save settings' }).click();
    const field = page.getByLabel('A task is due soon from (days before its due date)');
    await page.locator('#cs-due[aria-invalid="true"]').waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    await page.reload();
    await page.getByRole('heading', { name: 'Clinic settings' }).waitFor();
    assert.equal(await page.getByTestId('settings-version').textContent(), version);
  });

  test('a nurse reads the settings but cannot change them', async () => {
    const page = await stack.signIn('nurse.us');
    await page.goto('/#/clinic/settings');
    await page.getByRole('heading', { name: 'Clinic settings' }).waitFor();
    assert.match(await page.getByTestId('settings-version').textContent(), /Only prescribers of the clinic and admins/);
    assert.equal(await page.getByRole('button', { name: 'Save settings' }).count(), 0);
    assert.ok(await page.getByLabel('Lab monitoring profile').isDisabled());
    assertNoConsoleErrors(page);
  });

  test('a second editor working on an old version is told to reload', async () => {
    const first = await stack.signIn('dr.us');
    const second = await stack.signIn('dr.us');
    for (const p of [first, second]) {
      await p.goto('/#/clinic/settings');
      await p.getByRole('heading', { name: 'Clinic settings' }).waitFor();
    }
    await first.getByLabel('Second course no earlier than').selectOption('msd_4_months');
    await first.getByRole('button', { name: 'Save settings' }).click();
    await first.getByText(/Saved as version/).waitFor();
    await second.getByLabel('Weight for mg/kg').selectOption('latest');
    await second.getByRole('button', { name: 'Save settings' }).click();
    await second.getByText(/Reload the page to see the current settings/).waitFor();
  });
});
