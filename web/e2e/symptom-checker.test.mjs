// The public symptom checker (#/check) against the real interview route: no sign-in,
// one question at a time with Back and Forward, a red-flag answer shows emergency
// triage at once, and the result has explanations and a printable doctor summary.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertNoConsoleErrors, startStack } from './harness.mjs';

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

/** The question on screen: its heading and phase marker. */
async function currentQuestion(page) {
  const form = page.locator('[data-testid=symptom-question]');
  await form.waitFor();
  return {
    text: (await form.locator('legend h2').textContent()).trim(),
    step: (await form.locator('.step-count').textContent()).trim(),
  };
}

/** Answers the question on screen with the first option whose label matches. */
async function answer(page, label) {
  const before = await currentQuestion(page);
  const form = page.locator('[data-testid=symptom-question]');
  await form.getByLabel(label, { exact: true }).first().check();
  await form.getByRole('button', { name: 'Next' }).click();
  // Wait until the screen moved on (a new question, or the result).
  await page.waitForFunction(
    (prev) => {
      const h = document.querySelector('[data-testid=symptom-question] legend h2');
      const s = document.querySelector('[data-testid=symptom-question] .step-count');
      return !h || document.querySelector('[data-testid=symptom-result]') || h.textContent.trim() !== prev.text || s.textContent.trim() !== prev.step;
    },
    before,
  );
}

async function start(page, { age, sex, complaint }) {
  await page.goto('/#/check');
  await page.getByLabel('Age (years)').fill(String(age));
  await page.getByLabel('Sex', { exact: true }).selectOption(sex);
  if (complaint) await page.getByLabel(/What is the problem/).fill(complaint);
  await page.getByRole('button', { name: 'Start' }).click();
}

describe('symptom checker', () => {
  test('validates the start form without a server round trip', async () => {
    const page = await stack.newPage();
    await page.goto('/#/check');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByText('Enter an age in whole years').waitFor();
    await page.getByText('Choose female or male.').waitFor();
    assert.equal(await page.getByLabel('Age (years)').getAttribute('aria-invalid'), 'true');
    assertNoConsoleErrors(page);
  });

  test('a red-flag answer shows emergency triage at once', async () => {
    const page = await stack.newPage({ viewport: { width: 390, height: 844 } });
    await start(page, { age: 19, sex: 'female', complaint: 'Spots on my face, now blisters in my mouth' });
    // Context first, then the safety questions: answer "No" until a safety question
    // appears, then "Yes" to it.
    let q = await currentQuestion(page);
    for (let i = 0; i < 10 && !q.step.includes('safety question'); i++) {
      const noOption = page.locator('[data-testid=symptom-question]').getByLabel('No', { exact: true });
      if ((await noOption.count()) > 0) await answer(page, 'No');
      else await answer(page, "Don't know");
      q = await currentQuestion(page);
    }
    assert.match(q.step, /safety question/, 'the red-flag screen comes early');
    const redFlag = q.text;
    await answer(page, 'Yes');
    const banner = page.locator('[data-testid=triage-urgent]');
    await banner.waitFor();
    const level = await banner.locator('.triage').getAttribute('data-level');
    assert.ok(['emergency', 'urgent_24h'].includes(level), `red flag "${redFlag}" -> ${level}`);
    if (level === 'emergency') assert.match(await banner.textContent(), /Call your local emergency number/);
    await stack.shot(page, 'symptom-checker-red-flag');
    // No sideways scrolling on a phone.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
    assertNoConsoleErrors(page);
  });

  test('back and forward, then results with explanations and a printable summary', async () => {
    const page = await stack.newPage();
    await start(page, { age: 17, sex: 'male', complaint: 'Blackheads and spots on my face for months' });
    const first = await currentQuestion(page);
    await answer(page, 'No');
    const second = await currentQuestion(page);
    assert.notEqual(second.text, first.text);
    // Back shows the first question with its answer; Forward returns to the second.
    await page.getByRole('button', { name: 'Back' }).click();
    assert.equal((await currentQuestion(page)).text, first.text);
    assert.equal(await page.locator('[data-testid=symptom-question]').getByLabel('No', { exact: true }).isChecked(), true);
    await page.getByRole('button', { name: 'Forward' }).click();
    assert.equal((await currentQuestion(page)).text, second.text);

    // Answer on: "No" to safety questions, "Yes" to acne signs, else the first option.
    for (let i = 0; i < 60; i++) {
      if ((await page.locator('[data-testid=symptom-result]').count()) > 0) break;
      const q = await currentQuestion(page);
      const form = page.locator('[data-testid=symptom-question]');
      const hasYes = (await form.getByLabel('Yes', { exact: true }).count()) > 0;
      if (hasYes) {
        const acne = /blackhead|whitehead|spot|pimple|comedo|oily|teen|face/i.test(q.text) && !q.step.includes('safety');
        await answer(page, acne ? 'Yes' : 'No');
      } else {
        const firstOption = await form.locator('input[type=radio]').first();
        await firstOption.check();
        await form.getByRole('button', { name: 'Next' }).click();
        await page.waitForFunction((prev) => {
          const s = document.querySelector('[data-testid=symptom-question] .step-count');
          return document.querySelector('[data-testid=symptom-result]') || !s || s.textContent.trim() !== prev.step;
        }, q);
      }
    }
    const result = page.locator('[data-testid=symptom-result]');
    await result.waitFor();
    assert.ok((await result.locator('[data-testid=conditions] li').count()) > 0, 'ranked conditions');
    const top = await result.locator('[data-testid=conditions] li').first().textContent();
    assert.match(top, /\d+%|<1%|>99%/);
    // Explanations open under each condition.
    const why = result.locator('details.explanation').first();
    await why.locator('summary').click();
    assert.match(await why.textContent(), /Fits:|Argues against:/);
    // The summary for the doctor carries the complaint and the triage.
    const summary = page.locator('[data-testid=doctor-summary]');
    assert.match(await summary.textContent(), /Blackheads and spots on my face for months/);
    assert.match(await summary.textContent(), /Triage/);
    await stack.shot(page, 'symptom-checker-result');
    await page.emulateMedia({ media: 'print' });
    await page.pdf({ path: path.join(stack.artifacts, 'symptom-checker-summary.pdf'), format: 'A4' });
    assert.equal(await page.getByRole('button', { name: 'Start again' }).isVisible(), false, 'buttons are not printed');
    await page.emulateMedia({ media: 'screen' });
    // Back from the result returns to the last question.
    await page.getByRole('button', { name: 'Back' }).click();
    await page.locator('[data-testid=symptom-question]').waitFor();
    assertNoConsoleErrors(page);
  });
});
