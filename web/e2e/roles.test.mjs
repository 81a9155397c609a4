// Each role's permissions as seen in the browser, the admin screens, and keyboard use.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiGet, assertNoConsoleErrors, startStack, somePatients } from './harness.mjs';

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

describe('permissions in the browser', () => {
  test('a patient opens their own chart but not another patient’s', async () => {
    const staff = await stack.signIn('nurse.us');
    const others = await somePatients(staff);
    const page = await stack.signIn('patient.demo');
    const me = (await apiGet(page, '/api/v1/auth/me')).body.user;
    assert.ok(me.patient_id, 'the demo patient login is linked to a record');
    const other = others.find((p) => p.id !== me.patient_id);

    await page.goto(`/#/patients/${me.patient_id}`);
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await stack.shot(page, 'patient-own-chart');

    await page.goto(`/#/patients/${other.id}`);
    await page.getByRole('heading', { name: 'Patient not available' }).waitFor();
    const msg = await page.getByRole('alert').textContent();
    const api = await apiGet(page, `/api/v1/patients/${other.id}`);
    assert.equal(api.status, 404, 'the server hides other patients');
    assert.equal(msg.trim(), api.body.detail, 'the page shows the server answer as written');
    assert.equal(await page.locator('[data-testid=timeline]').count(), 0, 'nothing of the other record is shown');
    await stack.shot(page, 'patient-other-chart-refused');
    // The clinic screens are not offered to a patient.
    await page.goto('/#/clinic');
    await page.getByRole('heading', { name: 'Not available for your account' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Worklist' }).count(), 0);
    assertNoConsoleErrors(page);
  });

  test('clinic staff see only their own clinic', async () => {
    const us = await stack.signIn('nurse.us');
    const [usPatient] = await somePatients(us);
    const eu = await stack.signIn('nurse.eu');
    await eu.goto(`/#/patients/${usPatient.id}`);
    await eu.getByRole('heading', { name: 'Patient not available' }).waitFor();
    assert.match(await eu.getByRole('alert').textContent(), /no patient/);
    assertNoConsoleErrors(eu);
  });

  test('a pharmacist gets no chart and no patient list', async () => {
    const staff = await stack.signIn('nurse.us');
    const [patient] = await somePatients(staff);
    const page = await stack.signIn('pharm.us');
    await page.goto(`/#/patients/${patient.id}`);
    await page.getByRole('heading', { name: 'Not available for your account' }).waitFor();
    assert.equal((await apiGet(page, `/api/v1/patients/${patient.id}`)).status, 403);
    assert.equal((await apiGet(page, '/api/v1/patients')).status, 403);
    assert.equal(await page.getByRole('link', { name: 'Patients' }).count(), 0);
    assertNoConsoleErrors(page);
  });

  test('only an admin reaches the administration', async () => {
    const page = await stack.signIn('dr.us');
    await page.goto('/#/admin/users');
    await page.getByRole('heading', { name: 'Not available for your account' }).waitFor();
    assert.equal((await apiGet(page, '/api/v1/users')).status, 403);
    assertNoConsoleErrors(page);
  });
});

describe('administration', () => {
  test('users: list, add (one-time password), disable with confirmation', async () => {
    const page = await stack.signIn('admin');
    await page.goto('/#/admin/users');
    const users = page.locator('[data-testid=users] tbody tr');
    await users.first().waitFor();
    assert.ok((await users.count()) >= 11, 'the demo logins are listed');
    await page.getByLabel('Username (required)').fill('nurse.e2e');
    await page.getByLabel('Display name').fill('Nurse E2E');
    await page.getByLabel('Role').selectOption('staff');
    await page.getByLabel('Clinic').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.locator('[data-testid=user-created]').waitFor();
    assert.match(await page.locator('[data-testid=user-created]').textContent(), /One-time password, shown only now: \S{8,}/);
    const row = page.locator('[data-testid=users] tbody tr', { hasText: 'nurse.e2e' });
    await row.waitFor();
    await row.getByRole('button', { name: /Disable/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
    await row.getByText('Disabled').waitFor();
    await stack.shot(page, 'admin-users');
    // The same username again: the server's conflict message, as written.
    await page.getByLabel('Username (required)').fill('nurse.e2e');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('alert').waitFor();
    assert.ok((await page.getByRole('alert').textContent()).length > 0);
    assertNoConsoleErrors(page);
  });

  test('API tokens: create (shown once) and revoke', async () => {
    const page = await stack.signIn('admin');
    await page.goto('/#/admin/tokens');
    await page.getByLabel('For user (required)').selectOption({ label: 'pharm.us (pharmacist)' });
    await page.getByLabel('Name (required)').fill('e2e-import');
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.locator('[data-testid=token-created]').waitFor();
    const token = await page.locator('[data-testid=token-created] code').textContent();
    assert.ok(token.length >= 20, 'the token is shown');
    const row = page.locator('[data-testid=tokens] tbody tr', { hasText: 'e2e-import' });
    await row.getByRole('button', { name: /Revoke/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await row.getByText(/Revoked/).waitFor();
    await stack.shot(page, 'admin-tokens');
    assertNoConsoleErrors(page);
  });

  test('audit log: entries with who, what, when, from where and why; filter by actor', async () => {
    const page = await stack.signIn('admin');
    await page.goto('/#/admin/audit');
    const rows = page.locator('[data-testid=audit] tbody tr');
    await rows.first().waitFor();
    assert.ok((await rows.count()) > 3);
    const actor = (await rows.first().locator('td').nth(2).textContent()).replace(/(admin|prescriber|staff|pharmacist|patient)$/, '').trim();
    await page.getByLabel('Actor (user id)').fill(actor);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForFunction((a) => [...document.querySelectorAll('[data-testid=audit] tbody tr td:nth-child(3)')].every((td) => td.textContent.startsWith(a)), actor);
    await stack.shot(page, 'admin-audit');
    await page.goto('/#/admin/clinics');
    await page.locator('[data-testid=clinics] li').first().waitFor();
    assert.equal(await page.locator('[data-testid=clinics] li').count(), 3);
    assertNoConsoleErrors(page);
  });
});

describe('keyboard and small screens', () => {
  test('skip link first, visible focus, sign-in by keyboard alone', async () => {
    const page = await stack.newPage();
    await page.goto('/#/sign-in');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Skip to content');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'focus is visible');
    await page.getByLabel('Username').focus();
    await page.keyboard.type('nurse.uk');
    await page.keyboard.press('Tab');
    await page.keyboard.type('isocourse-demo');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: /Sign out/ }).waitFor();
    assertNoConsoleErrors(page);
  });

  test('phone-sized screens: the portal and the patient list fit the width', async () => {
    const page = await stack.signIn('patient.demo', { viewport: { width: 390, height: 844 } });
    await page.waitForURL('**/#/portal');
    await page.getByRole('link', { name: 'Daily check-in' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `no sideways scrolling on a phone (overflow ${overflow}px)`);
    await stack.shot(page, 'portal-phone');
    const staff = await stack.signIn('nurse.us', { viewport: { width: 390, height: 844 } });
    await staff.goto('/#/patients');
    await staff.locator('table tbody tr').first().waitFor();
    await stack.shot(staff, 'patients-phone');
    assertNoConsoleErrors(page);
    assertNoConsoleErrors(staff);
  });
});
