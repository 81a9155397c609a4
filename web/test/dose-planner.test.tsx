import { fireEvent, render, screen, within } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app';
import type { DosePlan } from '../src/api/types';
import { json, mockFetch, problem } from './helpers';

const staff = () => json(200, { user: { username: 'nurse', role: 'staff' }, csrf_token: 'csrf-9' });

function plan(): DosePlan {
  const days = Array.from({ length: 10 }, (_, i) => ({
    day: i + 1,
    date: `2026-12-${String(i + 1).padStart(2, '0')}`,
    phase: 1,
    daily_mg: 60,
    cumulative_mg: 60 * (i + 1),
    cumulative_mg_per_kg: Math.round(((60 * (i + 1)) / 60) * 100) / 100,
  }));
  const citation = { source: 'L-OLD', locator: 'Dosage', text: 'L-OLD, Dosage' };
  return {
    knowledge_version: 'kb-test',
    product: { id: 'product.generic', name: 'Isotretinoin (conventional)', equivalence_factor: 1, max_mg_per_kg_day: 2, max_rule: 'label', citation },
    regimen: 'regimen.us.standard',
    weight_kg: 60,
    target_mg_per_kg: 10,
    target_mg: 600,
    start: '2026-12-01',
    doses_per_day: 2,
    already_taken_mg: 0,
    target_date: '2026-12-10',
    days_to_target: 10,
    phases: [
      {
        index: 1, first_day: 1, last_day: 10, days: 10, first_date: '2026-12-01', last_date: '2026-12-10',
        requested_daily_mg: 60,
        daily: { total_mg: 60, morning_mg: 30, evening_mg: 30, morning_capsules_mg: [30], evening_capsules_mg: [30], text: '30 mg + 30 mg' },
        mg_per_kg_day: 1, explanation: '1.0 mg/kg/day x 60 kg = 60 mg', alternatives: [],
        cumulative_mg_at_end: 600, cumulative_mg_per_kg_at_end: 10,
      },
    ],
    days,
    warnings: [
      { rule_id: 'dose.food.with-meal', severity: 'info', message: 'Take with a meal.', detail: 'Isotretinoin (conventional)', citation },
    ],
  };
}

async function openPlanner() {
  window.location.hash = '#/dose-planner';
  const r = render(<App />);
  // The planner is for clinic roles: it shows once the session has loaded.
  await screen.findByLabelText('Weight (kg)');
  return r;
}

describe('dose planner', () => {
  it('checks the form before sending and names each problem at its field', async () => {
    const calls = mockFetch({ 'GET /api/v1/auth/me': staff });
    await openPlanner();
    fireEvent.input(screen.getByLabelText('Cumulative target (mg/kg)'), { target: { value: '500' } });
    fireEvent.click(screen.getByRole('button', { name: 'Plan the course' }));

    expect(await screen.findByText('Enter the body weight in kg.')).toBeTruthy();
    expect(screen.getByText('The cumulative target must be above 0 and at most 300 mg/kg.')).toBeTruthy();
    expect(screen.getByLabelText('Weight (kg)').getAttribute('aria-invalid')).toBe('true');
    expect(calls.filter((c) => c.url === '/api/v1/dose-plan')).toHaveLength(0);
  });

  it('sends the plan request with the CSRF token and shows the plan, its warnings and sources', async () => {
    const calls = mockFetch({ 'GET /api/v1/auth/me': staff, 'POST /api/v1/dose-plan': () => json(200, plan()) });
    await openPlanner();
    await screen.findByRole('link', { name: 'Dose planner' }); // session loaded
    fireEvent.input(screen.getByLabelText('Weight (kg)'), { target: { value: '60' } });
    fireEvent.input(screen.getByLabelText('Cumulative target (mg/kg)'), { target: { value: '10' } });
    fireEvent.input(screen.getByLabelText('First day of treatment'), { target: { value: '2026-12-01' } });
    fireEvent.change(screen.getByLabelText('Doses a day'), { target: { value: '2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Plan the course' }));

    expect(await screen.findByText(/is reached on 2026-12-10, day 10/)).toBeTruthy();
    const post = calls.find((c) => c.url === '/api/v1/dose-plan');
    expect(post?.method).toBe('POST');
    expect(post?.headers['X-CSRF-Token']).toBe('csrf-9');
    expect(post?.body).toEqual({
      weight_kg: 60, product: 'product.generic', target_mg_per_kg: 10, start: '2026-12-01',
      regimen: 'regimen.us.standard', doses_per_day: 2,
    });

    const warnings = screen.getByRole('region', { name: 'Warnings and notes' });
    expect(within(warnings).getByText(/Take with a meal\./)).toBeTruthy();
    expect(within(warnings).getByText('dose.food.with-meal')).toBeTruthy();
    expect(within(warnings).getByText(/Source: L-OLD, Dosage/)).toBeTruthy();
    expect(screen.getByText('30 mg + 30 mg = 60 mg')).toBeTruthy();
    // Weekly table: week 1 and the final day.
    const days = screen.getByRole('region', { name: 'Week by week' });
    expect(within(days).getAllByRole('row')).toHaveLength(3);
    fireEvent.click(screen.getByLabelText('Show every day'));
    expect(within(screen.getByRole('region', { name: 'Every day' })).getAllByRole('row')).toHaveLength(11);
    // The chart always has a text summary.
    expect(screen.getByText(/the 10 mg\/kg target is reached on day 10/)).toBeTruthy();
  });

  it("shows the server's refusal as written, at the field it names", async () => {
    mockFetch({
      'GET /api/v1/auth/me': staff,
      'POST /api/v1/dose-plan': () =>
        problem(400, 'Bad request', "product: unknown product 'product.generic'; known products: absorica", { field: 'product' }),
    });
    await openPlanner();
    fireEvent.input(screen.getByLabelText('Weight (kg)'), { target: { value: '70' } });
    fireEvent.click(screen.getByRole('button', { name: 'Plan the course' }));

    const msg = "product: unknown product 'product.generic'; known products: absorica";
    expect((await screen.findByRole('alert')).textContent).toBe(msg);
    expect(screen.getByLabelText('Product').getAttribute('aria-invalid')).toBe('true');
  });
});
