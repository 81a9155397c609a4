// The clinic's screens: worklist, patient search, chart, event forms with inline and
// server validation, lifecycle actions with confirmation, new patient with the
// candidacy and pre-start checklist, the dose planner and the print views.
import assert from 'node:assert/strict';
import { writeFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { apiGet, assertNoConsoleErrors, skipWithoutRoute, somePatients, startStack } from './harness.mjs';

let stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack?.stop();
});

describe('clinic worklist', () => {
  test('first load with the demo clinic, counts, filter, search and sort', async (t) => {
    const page = await stack.signIn('dr.us');
    if (await skipWithoutRoute(t, stack, page, 'GET', '/api/v1/worklist')) return;
    // A cold first load: a fresh page straight onto the worklist, timed by the browser.
    const cold = await stack.newPage();
    await cold.context().addCookies(await page.context().cookies());
    const t0 = Date.now();
    await cold.goto('/#/clinic');
    await cold.locator('table.worklist tbody tr').first().waitFor();
    const wall = Date.now() - t0;
    const nav = await cold.evaluate(() => {
      const m = performance.getEntriesByName('worklist-loaded')[0];
      return { loadedAt: m ? m.startTime : null, api: m && m.detail ? m.detail.ms : null, rows: m && m.detail ? m.detail.rows : null };
    });
    const timing = { when: new Date().toISOString(), user: 'dr.us', wall_ms: wall, rendered_at_ms: nav.loadedAt, api_ms: nav.api, rows: nav.rows };
    writeFileSync(path.join(stack.artifacts, 'worklist-timing.json'), JSON.stringify(timing, null, 2));
    console.log(`worklist first load: ${JSON.stringify(timing)}`);
    await stack.shot(cold, 'worklist');

    const rows = cold.locator('table.worklist tbody tr');
    const total = await rows.count();
    assert.ok(total > 10, `the demo clinic has many active courses (got ${total})`);
    // Every row shows a status in words (not colour alone) and a next task or "Nothing due".
    const statuses = await cold.locator('table.worklist tbody tr .status').allTextContents();
    assert.equal(statuses.length, total);
    // The counts per status add up to the rows (done/cancelled are not counted as buttons).
    const overdue = Number(await cold.locator('.count--overdue .count__n').textContent());
    await cold.locator('.count--overdue').click();
    assert.equal(await rows.count(), overdue, 'the overdue button filters to the overdue rows');
    await cold.locator('.count--overdue').click();
    assert.equal(await rows.count(), total);
    // Search by a patient's family name.
    const first = (await rows.first().locator('th a').textContent()).split(',')[0];
    await cold.getByLabel('Search').fill(first);
    assert.ok((await rows.count()) >= 1);
    for (const n of await cold.locator('table.worklist tbody th a').allTextContents()) assert.ok(n.includes(first));
    await cold.getByLabel('Search').fill('');
    await cold.getByLabel('Sort by').selectOption('name');
    const names = await cold.locator('table.worklist tbody th a').allTextContents();
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b)), 'sorted by name');
    await cold.locator('.count--week').click();
    assert.match(await cold.locator('.result-count').textContent(), /due this week/);
    assertNoConsoleErrors(cold);
  });
});

describe('patients and the chart', () => {
  test('search finds a patient and the chart shows charts and the timeline', async () => {
    const page = await stack.signIn('nurse.us');
    await page.goto('/#/patients');
    const rows = page.locator('table tbody tr');
    await rows.first().waitFor();
    const first = await rows.first().locator('th a').textContent();
    const family = first.split(',')[0].trim();
    await page.getByLabel('Search by name').fill(family);
    await page.waitForFunction((f) => [...document.querySelectorAll('table tbody th a')].every((a) => a.textContent.includes(f)), family);
    await stack.shot(page, 'patients');
    await rows.first().locator('th a').click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    assert.ok((await page.locator('[data-testid=timeline] li').count()) > 3, 'the timeline lists the events');
    // Lab charts come from the recorded results: triglycerides and ALT exist in the demo.
    await page.locator('[data-testid=chart-lab-tg] .chart__canvas canvas').waitFor();
    await page.locator('[data-testid=chart-lab-alt] .chart__canvas canvas').waitFor();
    assert.match(await page.locator('[data-testid=chart-lab-tg] figcaption').textContent(), /latest \d+/);
    // Timeline filter.
    await page.getByLabel('Show').selectOption('weight');
    for (const text of await page.locator('[data-testid=timeline] li strong').allTextContents()) assert.equal(text, 'Weight');
    await stack.shot(page, 'chart');
    assertNoConsoleErrors(page);
  });

  test('the chart shows the engine decisions, each "no" with its reasons', async (t) => {
    const page = await stack.signIn('dr.us');
    const [patient] = await somePatients(page);
    if (await skipWithoutRoute(t, stack, page, 'GET', `/api/v1/patients/${patient.id}/assessment`)) return;
    await page.goto(`/#/patients/${patient.id}`);
    for (const id of ['may-prescribe', 'may-dispense']) {
      const card = page.locator(`[data-testid=${id}]`);
      await card.waitFor();
      const yes = (await card.locator('.decision__title strong').textContent()) === 'Yes';
      if (!yes) assert.ok((await card.locator('.reason').count()) > 0, `${id}: a "no" lists its reasons`);
    }
    await page.locator('[data-testid=chart-header]').waitFor();
    await page.locator('[data-testid=chart-cumulative]').waitFor();
    // An alert opens to its rule, source and recommended action.
    const alert = page.locator('.alert').first();
    if ((await alert.count()) > 0) {
      const toggle = alert.locator('.alert__toggle');
      if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
      assert.match(await alert.locator('.alert__body').textContent(), /Recommended action:.*Rule .*Source/s);
    }
    await stack.shot(page, 'chart-with-assessment');
    assertNoConsoleErrors(page);
  });

  test('a new patient goes to the candidacy and pre-start checklist', async () => {
    const page = await stack.signIn('dr.uk');
    await page.goto('/#/patients/new');
    await page.getByRole('button', { name: 'Add patient' }).click();
    await page.getByText('required field is missing').first().waitFor();
    assert.equal(await page.getByLabel('Given name (required)').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Given name (required)').fill('Robin');
    await page.getByLabel('Family name (required)').fill('Testcase');
    await page.getByLabel('Birth date (required)').fill('2004-05-06');
    await page.getByLabel('Sex (required)').selectOption('female');
    await page.getByLabel('Medical record number').fill('E2E-1');
    await page.getByRole('button', { name: 'Add patient' }).click();
    await page.getByRole('heading', { name: /Candidacy and pre-start: Robin Testcase/ }).waitFor();
    const missing = await page.locator('[data-testid=checklist] li:not(.checklist__item--done)').count();
    assert.ok(missing >= 10, `a new patient has everything still to record (${missing})`);
    await stack.shot(page, 'checklist-new-patient');
    // Record the profile from the checklist; it then shows as on file.
    await page.getByRole('link', { name: /Record Profile/ }).click();
    await page.getByLabel('Birth date (required)').fill('2004-05-06');
    await page.getByLabel('Sex at birth (required)').selectOption('female');
    await page.getByLabel('Pregnancy potential (required)').selectOption('can_get_pregnant');
    await page.getByLabel('Jurisdiction (required)').selectOption('UK');
    await page.getByRole('button', { name: 'Record profile' }).click();
    await page.locator('[data-testid=saved]').waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: /Candidacy and pre-start/ }).waitFor();
    await page.locator('[data-testid=checklist] li.checklist__item--done', { hasText: 'Profile' }).waitFor();
    assertNoConsoleErrors(page);
  });
});

describe('event forms', () => {
  test('inline checks use the server words; a server problem lands at its field; a valid event is saved', async () => {
    const page = await stack.signIn('nurse.us');
    const [patient] = await somePatients(page);
    await page.goto(`/#/patients/${patient.id}/record`);
    await page.getByRole('link', { name: 'Weight' }).click();
    const kg = page.getByLabel('Weight (kg) (required)');
    await page.getByRole('button', { name: 'Record weight' }).click();
    await page.getByText('required field is missing').waitFor();
    assert.equal(await kg.getAttribute('aria-invalid'), 'true');
    await kg.fill('500');
    await page.getByRole('button', { name: 'Record weight' }).click();
    await page.getByText('500 is out of range; expected 0.001 to 400').waitFor();
    await stack.shot(page, 'form-weight-invalid');

    // The server's own check: a profile whose birth date is after the event date.
    await page.goto(`/#/patients/${patient.id}/record/profile`);
    await page.getByLabel('Date (required)', { exact: true }).fill('2020-01-01');
    await page.getByLabel('Birth date (required)').fill('2021-01-01');
    await page.getByLabel('Sex at birth (required)').selectOption('male');
    await page.getByLabel('Pregnancy potential (required)').selectOption('cannot_get_pregnant');
    await page.getByLabel('Jurisdiction (required)').selectOption('US');
    await page.getByRole('button', { name: 'Record profile' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const shown = await alert.textContent();
    const fieldError = page.locator('.field--invalid .field__error').first();
    await fieldError.waitFor();
    assert.match(await fieldError.textContent(), /birth_date/, 'the problem is shown at its field, in the server words');
    assert.ok(page.apiRefusals.some((r) => r.includes('status of 400')), 'the server refused the event');
    assert.ok(shown.length > 0);
    await stack.shot(page, 'form-server-error');

    // A valid weight is saved and appears in the timeline.
    await page.goto(`/#/patients/${patient.id}/record/weight`);
    await page.getByLabel('Weight (kg) (required)').fill('61.5');
    await page.getByRole('button', { name: 'Record weight' }).click();
    await page.locator('[data-testid=saved]').waitFor();
    await page.getByRole('link', { name: 'Open the chart' }).click();
    await page.locator('[data-testid=timeline] li', { hasText: '61.5 kg' }).first().waitFor();
    assertNoConsoleErrors(page);
  });

  test('every form for an event the engine reads is accepted by the server', async () => {
    const page = await stack.signIn('nurse.us');
    const patients = await somePatients(page);
    const patient = patients[1] ?? patients[0];
    const fills = {
      weight: async () => page.getByLabel('Weight (kg) (required)').fill('58.2'),
      lab: async () => {
        await page.getByLabel('Test (required)').selectOption('2571-8');
        await page.getByLabel('Value (required)').fill('212');
        await page.getByLabel('Reference range upper limit (from the lab report)').fill('150');
        await page.getByLabel('Fasting sample').check();
      },
      pregnancy_test: async () => {
        await page.getByLabel('Where it was done (required)').selectOption('certified_lab');
        await page.getByLabel('Result (required)').selectOption('negative');
      },
      contraception: async () => {
        await page.getByLabel('Entered by (required)').selectOption('clinic');
        await page.getByLabel('Method (required)').selectOption('implant');
        await page.getByLabel('Using it since (required)').fill('2025-01-10');
        await page.getByLabel('Second method', { exact: true }).selectOption('male_condom');
        await page.getByLabel('Second method since').fill('2025-01-10');
      },
      counseling: async () => {
        await page.getByLabel('Pregnancy prevention').check();
        await page.getByLabel('Psychiatric').check();
      },
      prescription: async () => {
        await page.getByLabel('Product (required)').selectOption('product.generic');
        await page.getByLabel('Daily dose (mg) (required)').fill('60');
        await page.getByLabel('Capsule strength (mg)').fill('30');
      },
      visit: async () => {
        await page.getByLabel('IGA (0 clear – 4 severe)').fill('2');
        await page.getByLabel('Comedones (face)').fill('14');
        await page.getByLabel('Papules and pustules (face)').fill('6');
      },
      side_effect: async () => {
        await page.getByLabel('Cheilitis').check();
        await page.getByLabel('Dry skin').check();
        await page.getByLabel('Severity (required)').selectOption('mild');
      },
      mood_screen: async () => {
        await page.getByLabel('Questionnaire (required)').selectOption('phq9');
        await page.getByLabel(/^2\. Feeling down/).selectOption('1');
      },
    };
    for (const [type, fill] of Object.entries(fills)) {
      await page.goto(`/#/patients/${patient.id}/record/${type}`);
      await page.locator(`form[data-event-type=${type}]`).waitFor();
      await fill();
      await page.locator(`form[data-event-type=${type}] button[type=submit]`).click();
      const saved = page.locator('[data-testid=saved]');
      const problem = page.getByRole('alert');
      await Promise.race([saved.waitFor(), problem.waitFor()]);
      assert.equal(await problem.count(), 0, `${type}: ${(await problem.count()) ? await problem.textContent() : ''}`);
      if (type === 'visit' || type === 'mood_screen') await stack.shot(page, `form-${type}`);
    }
    await page.goto(`/#/patients/${patient.id}`);
    const timeline = page.locator('[data-testid=timeline]');
    await timeline.waitFor();
    for (const text of ['58.2 kg', 'Triglycerides 212 mg/dL', 'PHQ9 total 1', 'IGA 2', 'Cheilitis']) {
      await timeline.locator('li', { hasText: text }).first().waitFor();
    }
    assertNoConsoleErrors(page);
  });

  test('a lifecycle action asks for confirmation first', async () => {
    const page = await stack.signIn('dr.us');
    const [patient] = await somePatients(page);
    const before = (await apiGet(page, `/api/v1/patients/${patient.id}`)).body.version;
    await page.goto(`/#/patients/${patient.id}`);
    await page.getByText('Course actions').click();
    await page.getByRole('link', { name: 'Pause the course' }).click();
    await page.getByLabel('Reason').fill('Exams; patient asked to pause');
    await page.getByRole('button', { name: 'Pause the course' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await stack.shot(page, 'lifecycle-confirm');
    // Cancel stores nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await apiGet(page, `/api/v1/patients/${patient.id}`)).body.version, before);
    await page.getByRole('button', { name: 'Pause the course' }).click();
    await page.getByRole('dialog').getByRole('button', { name: /Yes, pause the course/ }).click();
    await page.locator('[data-testid=saved]').waitFor();
    assert.equal((await apiGet(page, `/api/v1/patients/${patient.id}`)).body.version, before + 1);
    assertNoConsoleErrors(page);
  });
});

describe('dose planner', () => {
  test('plans a course for a patient: capsules, phases, chart and warnings with sources', async () => {
    const page = await stack.signIn('dr.us');
    const [patient] = await somePatients(page);
    await page.goto(`/#/patients/${patient.id}/dose-planner`);
    await page.getByLabel('Weight (kg)').fill('64');
    await page.getByRole('button', { name: 'Plan the course' }).click();
    await page.locator('.plan__summary').waitFor();
    assert.match(await page.locator('.plan__summary').textContent(), /Target \d+ mg\/kg .* is reached on \d{4}-\d{2}-\d{2}/);
    assert.ok((await page.locator('.plan tbody tr').count()) > 3);
    await page.locator('.plan .chart__canvas canvas').waitFor();
    for (const w of await page.locator('.warning__source').allTextContents()) assert.match(w, /Rule .+ · Source: .+/);
    await stack.shot(page, 'dose-planner');
    assertNoConsoleErrors(page);
  });
});

describe('dose planner without a patient', () => {
  test('plans from weight, product, target and regimen alone', async (t) => {
    const page = await stack.signIn('dr.eu');
    if (await skipWithoutRoute(t, stack, page, 'POST', '/api/v1/dose-plan', {})) return;
    await page.goto('/#/dose-planner');
    await page.getByLabel('Product').selectOption('product.roaccutane');
    await page.getByLabel('Weight (kg)').fill('70');
    await page.getByLabel('Regimen').selectOption('regimen.eu.standard');
    await page.getByRole('button', { name: 'Plan the course' }).click();
    await page.locator('.plan__summary').waitFor();
    assert.match(await page.locator('.plan__summary').textContent(), /70|Target/);
    await stack.shot(page, 'dose-planner-standalone');
    assertNoConsoleErrors(page);
  });
});

describe('print views', () => {
  test('the visit summary prints cleanly (PDF) without navigation', async () => {
    const page = await stack.signIn('dr.us');
    const [patient] = await somePatients(page);
    await page.goto(`/#/patients/${patient.id}/print/visit`);
    await page.getByRole('heading', { name: /Visit summary:/ }).waitFor();
    await page.locator('[data-testid=key-facts]').waitFor();
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.site-header').isVisible(), false, 'no navigation on paper');
    assert.equal(await page.getByRole('button', { name: /Print/ }).isVisible(), false, 'no buttons on paper');
    await stack.shot(page, 'print-visit-summary');
    const pdf = path.join(stack.artifacts, 'visit-summary.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: false });
    assert.ok(statSync(pdf).size > 10000, 'a PDF with content');
    await page.emulateMedia({ media: 'screen' });
    await page.goto(`/#/patients/${patient.id}/print/schedule`);
    await page.getByRole('heading', { name: /Course schedule:/ }).waitFor();
    await stack.shot(page, 'print-course-schedule');
    await page.pdf({ path: path.join(stack.artifacts, 'course-schedule.pdf'), format: 'A4' });
    assertNoConsoleErrors(page);
  });
});
