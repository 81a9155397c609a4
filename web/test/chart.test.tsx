// The chart, the pharmacist view and the check-in against the course engine's real
// JSON (fixtures made with `isocourse evaluate --json` and `isocourse forecast --json`
// on docs/examples), with the routes the server does not have yet mocked to the
// contract in docs/web.md.
import { fireEvent, render, screen, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app';
import type { Assessment, Forecast } from '../src/api/types';
import assessmentJson from './fixtures/assessment-us-active.json';
import forecastJson from './fixtures/forecast-us-new.json';
import { json, mockFetch, problem } from './helpers';

const assessment = assessmentJson as unknown as Assessment;
const forecast = forecastJson as unknown as Forecast;
const staff = () => json(200, { user: { id: 'u1', username: 'nurse', role: 'staff', clinic_id: 'c1' }, csrf_token: 'csrf-1' });
const patient = { id: 'p1', clinic_id: 'c1', given_name: 'Ana', family_name: 'Rivera', birth_date: '2004-03-02', sex: 'female', mrn: 'DEMO-1', version: 3, created_at: '2026-01-01T00:00:00Z' };
const stored = (seq: number, event: Record<string, unknown>) => ({ seq, recorded_at: '2026-02-01T10:00:00Z', hash: 'h', prev_hash: 'p', event: { id: `e${seq}`, recorded_by: 'u1', ...event } });
const events = {
  version: 3,
  next: null,
  items: [
    stored(1, { type: 'weight', date: '2026-01-05', kg: 60 }),
    stored(2, { type: 'lab', date: '2026-01-06', loinc: '2571-8', name: 'Triglycerides', value: 180, unit: 'mg/dL', reference_high: 150 }),
    stored(3, { type: 'weight', date: '2026-02-05', kg: 61, corrects: 'e1' }),
  ],
};

function chartRoutes(extra: Record<string, () => Response> = {}) {
  return {
    'GET /api/v1/auth/me': staff,
    'GET /api/v1/patients/p1': () => json(200, patient),
    'GET /api/v1/patients/p1/events?limit=1000': () => json(200, events),
    'GET /api/v1/patients/p1/assessment': () => json(200, assessment),
    'GET /api/v1/patients/p1/forecast': () => json(200, forecast),
    ...extra,
  };
}

describe('patient chart', () => {
  it('shows phase, day of course, dose, and both decisions with every reason and its rule', async () => {
    window.location.hash = '#/patients/p1';
    mockFetch(chartRoutes());
    render(<App />);
    const header = await screen.findByTestId('chart-header');
    expect(header.textContent).toContain('Active');
    // First dose 2026-01-05, as of 2026-03-01: day 56.
    expect(header.textContent).toContain('56');
    expect(header.textContent).toContain(`${assessment.dose.cumulative_mg_per_kg} / ${assessment.dose.target_mg_per_kg} mg/kg`);
    const dispense = screen.getByTestId('may-dispense');
    expect(within(dispense).getByText('No')).toBeTruthy();
    const reasons = within(dispense).getAllByRole('listitem');
    expect(reasons).toHaveLength(assessment.may_dispense.reasons.length);
    for (const r of assessment.may_dispense.reasons) expect(dispense.textContent).toContain(r.explanation.rule_id);
    expect(within(screen.getByTestId('may-prescribe')).getAllByRole('listitem')).toHaveLength(assessment.may_prescribe.reasons.length);
  });

  it('opens an alert to its rule, source and recommended action', async () => {
    window.location.hash = '#/patients/p1';
    mockFetch(chartRoutes());
    render(<App />);
    const alert = assessment.alerts[0]!;
    const toggle = await screen.findByRole('button', { name: new RegExp(alert.title.replace(/[()]/g, '.')) });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const body = document.getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(body.hidden).toBe(false);
    expect(body.textContent).toContain(alert.action);
    expect(body.textContent).toContain(alert.explanation.rule_id);
    expect(body.textContent).toContain(alert.explanation.citation.source);
  });

  it('lists open tasks with status words, the program calendar, and the timeline with corrections', async () => {
    window.location.hash = '#/patients/p1';
    mockFetch(chartRoutes());
    render(<App />);
    await screen.findByTestId('forecast');
    expect(screen.getAllByText('Overdue').length).toBeGreaterThan(0);
    expect(screen.getByTestId('forecast').querySelectorAll('tbody tr')).toHaveLength(forecast.steps.length);
    const timeline = screen.getByTestId('timeline');
    expect(timeline.textContent).toContain('61 kg');
    expect(timeline.querySelector('.timeline__item--superseded')?.textContent).toContain('60 kg');
  });

  it('says which route is missing when the server has no assessment yet, and still shows the record', async () => {
    window.location.hash = '#/patients/p1';
    mockFetch(
      chartRoutes({
        'GET /api/v1/patients/p1/assessment': () => problem(404, 'Not found', 'no such resource: /api/v1/patients/p1/assessment', { where: 'path' }),
      }),
    );
    render(<App />);
    const note = await screen.findByText(/not available from this server yet/);
    expect(note.closest('[data-missing-route]')?.getAttribute('data-missing-route')).toBe('GET /api/v1/patients/{patient_id}/assessment');
    expect(await screen.findByTestId('timeline')).toBeTruthy();
    expect(screen.queryByTestId('may-dispense')).toBeNull();
  });
});

const pharmacist = () => json(200, { user: { id: 'u2', username: 'pharm', role: 'pharmacist', clinic_id: 'c1' }, csrf_token: 'csrf-2' });
const candidate = { patient_id: 'p1', patient_name: 'Ana Rivera', birth_date: '2004-03-02', prescription_id: 'rx-3', prescription_date: '2026-02-28', product: 'product.generic', daily_mg: 60, days_supply: 30 };

describe('pharmacist view', () => {
  it('a refused dispense shows every reason and offers no way to record it', async () => {
    window.location.hash = '#/pharmacy?q=rx-3';
    const calls = mockFetch({
      'GET /api/v1/auth/me': pharmacist,
      'GET /api/v1/dispense/lookup?q=rx-3': () => json(200, { items: [candidate] }),
      'POST /api/v1/dispense/check': () => json(200, { patient_id: 'p1', prescription_id: 'rx-3', as_of: '2026-03-01', decision: assessment.may_dispense }),
    });
    render(<App />);
    const decision = await screen.findByTestId('dispense-decision');
    expect(within(decision).getByText('No')).toBeTruthy();
    expect(within(decision).getAllByRole('listitem')).toHaveLength(assessment.may_dispense.reasons.length);
    expect(screen.getByText(/Do not dispense/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Record the dispense' })).toBeNull();
    const check = calls.find((c) => c.url === '/api/v1/dispense/check');
    expect(check?.headers['X-CSRF-Token']).toBe('csrf-2');
    expect(check?.body).toMatchObject({ patient_id: 'p1', prescription_id: 'rx-3' });
  });

  it('an allowed dispense shows the dispense-by date and records the fill', async () => {
    window.location.hash = '#/pharmacy?q=rx-3';
    const allowed = { allowed: true, by: '2026-03-07', reasons: [] };
    const calls = mockFetch({
      'GET /api/v1/auth/me': pharmacist,
      'GET /api/v1/dispense/lookup?q=rx-3': () => json(200, { items: [candidate] }),
      'POST /api/v1/dispense/check': () => json(200, { patient_id: 'p1', prescription_id: 'rx-3', as_of: '2026-03-01', decision: allowed }),
      'POST /api/v1/dispenses': () => json(201, { version: 4, check: { patient_id: 'p1', prescription_id: 'rx-3', as_of: '2026-03-01', decision: allowed } }),
    });
    render(<App />);
    const decision = await screen.findByTestId('dispense-decision');
    expect(decision.textContent).toContain('Dispense by 2026-03-07');
    fireEvent.input(screen.getByLabelText('Pharmacy'), { target: { value: 'Main St' } });
    fireEvent.click(screen.getByRole('button', { name: 'Record the dispense' }));
    await screen.findByText('Dispense recorded.');
    const post = calls.find((c) => c.url === '/api/v1/dispenses');
    expect(post?.body).toMatchObject({ patient_id: 'p1', prescription_id: 'rx-3', days_supply: 30, pharmacy: 'Main St' });
    expect(post?.headers['Idempotency-Key']).toBeTruthy();
  });
});

const patientLogin = () => json(200, { user: { id: 'u3', username: 'pat', role: 'patient', clinic_id: 'c1', patient_id: 'p1' }, csrf_token: 'csrf-3' });

describe('daily check-in', () => {
  it('a red-flag answer shows what to do at once', async () => {
    window.location.hash = '#/portal/check-in';
    const redFlag = {
      id: 'course.redflag.pancreatitis', severity: 'hard_stop', urgency: 'emergency', title: 'Acute pancreatitis',
      message: 'Severe abdominal pain suggests pancreatitis.', action: 'Stop isotretinoin; emergency care.', stop_drug: true, date: '2026-03-01', events: [],
      explanation: { rule_id: 'course.redflag.pancreatitis', rule_pack: 'course', pack_version: '1', citation: { source: 'L-ABS', locator: '§5.7' } },
    };
    const calls = mockFetch({
      'GET /api/v1/auth/me': patientLogin,
      'POST /api/v1/patients/p1/diary': () => json(201, { version: 5, alerts: [redFlag], follow_up: null }),
    });
    render(<App />);
    fireEvent.click(await screen.findByLabelText('Yes'));
    fireEvent.click(screen.getByLabelText('Very bad stomach pain'));
    fireEvent.click(screen.getByLabelText('Severe'));
    for (const name of ['phq-0', 'phq-1']) fireEvent.click(document.querySelector(`input[name=${name}][value="0"]`)!);
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    const urgent = await screen.findByTestId('urgent');
    expect(urgent.textContent).toContain('Stop taking isotretinoin');
    expect(urgent.textContent).toContain('emergency number');
    expect(urgent.textContent).toContain('course.redflag.pancreatitis');
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.body).toMatchObject({ dose: { taken: true }, side_effects: { symptoms: ['abdominal_pain_severe'], severity: 'severe' }, mood: { instrument: 'phq2', items: [0, 0] } });
  });

  it('a positive PHQ-2 leads to the remaining PHQ-9 questions', async () => {
    window.location.hash = '#/portal/check-in';
    let n = 0;
    const calls = mockFetch({
      'GET /api/v1/auth/me': patientLogin,
      'POST /api/v1/patients/p1/diary': () =>
        json(201, {
          version: 5 + n,
          alerts: [],
          follow_up:
            n++ === 0
              ? { instrument: 'phq9', message: 'Please answer a few more questions.', explanation: { rule_id: 'mood.phq9.follow-up', rule_pack: 'course', pack_version: '1', citation: { source: 'SCHROM-16', locator: '' } } }
              : null,
        }),
    });
    render(<App />);
    fireEvent.click(await screen.findByLabelText('No'));
    for (const name of ['phq-0', 'phq-1']) fireEvent.click(document.querySelector(`input[name=${name}][value="2"]`)!);
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await screen.findByText('Please answer a few more questions.');
    for (let i = 2; i < 9; i++) fireEvent.click(document.querySelector(`input[name=phq-${i}][value="1"]`)!);
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    await screen.findByTestId('check-in-done');
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts[1]?.body).toMatchObject({ mood: { instrument: 'phq9', items: [2, 2, 1, 1, 1, 1, 1, 1, 1] } });
  });
});
