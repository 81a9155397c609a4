// Sign-in (each demo role lands on its own start page), the server's errors shown as
// written, sign-out, and the public library.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertNoConsoleErrors, startStack } from './harness.mjs';

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

describe('sign-in', () => {
  test('a wrong password shows the server message as written, at the form', async () => {
    const page = await stack.newPage();
    await page.goto('/#/sign-in');
    await page.getByLabel('Username').fill('dr.us');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.textContent()).trim();
    assert.ok(text.length > 0, 'an error message is shown');
    // The page shows the server's own words: compare with what the API says.
    const api = await page.evaluate(async () => {
      const r = await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'dr.us', password: 'not-the-password' }) });
      return (await r.json()).detail;
    });
    assert.ok(api && text.includes(api.split(';')[0].slice(0, 20)), `shown "${text}" matches the server's "${api}"`);
    assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password is cleared');
    await stack.shot(page, 'sign-in-error');
  });

  test('repeated failures lock the account and the lockout message is shown as written', async () => {
    const page = await stack.newPage();
    await page.goto('/#/sign-in');
    let text = '';
    // After the free attempts the server locks the account (backoff + lockout).
    for (let i = 0; i < 8 && !/locked/.test(text); i++) {
      await page.getByLabel('Username').fill('dr.eu');
      await page.getByLabel('Password').fill(`wrong-${i}`);
      await Promise.all([page.waitForResponse('**/api/v1/auth/login'), page.getByRole('button', { name: 'Sign in' }).click()]);
      await page.waitForFunction(() => !document.querySelector('button[aria-busy=true]'));
      text = (await page.getByRole('alert').textContent()).trim();
    }
    assert.match(text, /locked until .* \(UTC\)/, 'the lockout message names the time');
    // Even the right password is refused while locked, with the same words.
    await page.getByLabel('Username').fill('dr.eu');
    await page.getByLabel('Password').fill('isocourse-demo');
    await Promise.all([page.waitForResponse('**/api/v1/auth/login'), page.getByRole('button', { name: 'Sign in' }).click()]);
    await page.waitForFunction(() => !document.querySelector('button[aria-busy=true]'));
    assert.match(await page.getByRole('alert').textContent(), /locked until/);
    assert.ok(page.apiRefusals.some((r) => /status of 429/.test(r)), 'the server answered 429');
    await stack.shot(page, 'sign-in-locked');
  });

  test('empty fields are named before anything is sent', async () => {
    const page = await stack.newPage();
    await page.goto('/#/sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Enter your username.').waitFor();
    assert.equal(await page.getByLabel('Username').getAttribute('aria-invalid'), 'true');
    await stack.shot(page, 'sign-in');
    assertNoConsoleErrors(page);
  });

  for (const [username, start, heading] of [
    ['dr.us', '#/clinic', 'Clinic worklist'],
    ['nurse.eu', '#/clinic', 'Clinic worklist'],
    ['pharm.us', '#/pharmacy', 'Pharmacy: dispense check'],
    ['patient.demo', '#/portal', /Hello|Your course/],
    ['admin', '#/admin', 'Administration'],
  ]) {
    test(`${username} lands on ${start}`, async () => {
      const page = await stack.signIn(username);
      await page.waitForURL(`**/${start}*`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      assertNoConsoleErrors(page);
    });
  }

  test('signing out ends the session: the worklist asks to sign in again', async () => {
    const page = await stack.signIn('nurse.us');
    await page.getByRole('button', { name: /Sign out/ }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    await page.goto('/#/clinic');
    await page.getByRole('heading', { name: 'Please sign in' }).waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).status);
    assert.equal(me, 401);
  });
});

describe('education library (public)', () => {
  test('lists the articles, searches, and opens one with its sources', async () => {
    const page = await stack.newPage();
    await page.goto('/#/library');
    await page.getByRole('heading', { level: 1, name: 'Education library' }).waitFor();
    const cards = page.locator('.cards > li');
    await cards.first().waitFor();
    const all = await cards.count();
    assert.ok(all >= 10, `at least 10 articles (got ${all})`);
    await stack.shot(page, 'library');
    await page.getByLabel('Search articles').fill('pregnancy');
    await page.waitForFunction((n) => document.querySelectorAll('.cards > li').length < n, all);
    const hits = await cards.count();
    assert.ok(hits >= 1 && hits < all, `search narrows the list (${hits} of ${all})`);
    await cards.first().getByRole('link').click();
    await page.getByRole('heading', { name: 'Sources' }).waitFor();
    assert.ok((await page.locator('.sources li').count()) >= 1, 'the article lists its sources');
    assert.match(await page.locator('.article__meta').textContent(), /Last reviewed \d{4}-\d{2}-\d{2}/);
    await stack.shot(page, 'article');
    assertNoConsoleErrors(page);
  });
});
