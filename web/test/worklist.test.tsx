// The clinic worklist against the contract in docs/web.md (GET /api/v1/worklist),
// with tasks taken from the course engine's real JSON.
import { fireEvent, render, screen } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app';
import type { Assessment, Task, TaskStatus, WorklistRow } from '../src/api/types';
import { dueThisWeek, filterRows, sortRows } from '../src/pages/Worklist';
import assessmentJson from './fixtures/assessment-us-active.json';
import { json, mockFetch, problem } from './helpers';

const tasks = (assessmentJson as unknown as Assessment).tasks;
const overdue = tasks.find((t) => t.status === 'overdue')!;
const dueSoon = tasks.find((t) => t.status === 'due_soon')!;

function row(id: string, given: string, family: string, status: TaskStatus, task: Task | null, program = 'ipledge'): WorklistRow {
  return {
    patient: { id, given_name: given, family_name: family, birth_date: '2000-01-01', mrn: `MRN-${id}` },
    phase: 'active', jurisdiction: 'US', program, category: 'can_get_pregnant', day_of_course: 40, status, next_task: task, alerts: status === 'overdue' ? 1 : 0,
  };
}

const ROWS = [
  row('p1', 'Ana', 'Rivera', 'due_soon', dueSoon),
  row('p2', 'Ben', 'Okafor', 'overdue', overdue),
  row('p3', 'Chloe', 'Schmidt', 'on_track', { ...dueSoon, status: 'on_track', due: '2026-04-20', latest: '2026-04-26', title: 'Monthly visit' }, 'eu_ppp'),
  row('p4', 'Dan', 'Nguyen', 'blocked', { ...dueSoon, status: 'blocked', blocked_by: 'Locked out until 2026-03-20' }),
];
const staff = () => json(200, { user: { id: 'u1', username: 'dr', role: 'prescriber', clinic_id: 'c1' }, csrf_token: 't' });

describe('worklist logic', () => {
  it('sorts by urgency, filters, searches and finds what is due this week', () => {
    expect(sortRows(ROWS, 'status').map((r) => r.patient.id)).toEqual(['p2', 'p1', 'p4', 'p3']);
    expect(sortRows(ROWS, 'name').map((r) => r.patient.family_name)).toEqual(['Nguyen', 'Okafor', 'Rivera', 'Schmidt']);
    expect(filterRows(ROWS, { status: 'overdue', q: '', program: '', week: false, today: '2026-03-01' }).map((r) => r.patient.id)).toEqual(['p2']);
    expect(filterRows(ROWS, { status: '', q: 'schm', program: '', week: false, today: '2026-03-01' }).map((r) => r.patient.id)).toEqual(['p3']);
    expect(filterRows(ROWS, { status: '', q: '', program: 'eu_ppp', week: false, today: '2026-03-01' }).map((r) => r.patient.id)).toEqual(['p3']);
    // Due 2026-03-06 and overdue since 2026-02-02 are due this week; 2026-04-20 is not.
    expect(dueThisWeek(ROWS, '2026-03-01').map((r) => r.patient.id).sort()).toEqual(['p1', 'p2', 'p4']);
  });
});

describe('worklist screen', () => {
  it('shows counts per status, each row with status in words, its task and rule; filters by a count', async () => {
    window.location.hash = '#/clinic';
    const calls = mockFetch({ 'GET /api/v1/auth/me': staff, 'GET /api/v1/worklist?limit=500': () => json(200, { as_of: '2026-03-01', items: ROWS, counts: {}, next: null }) });
    render(<App />);
    await screen.findByText('Okafor, Ben');
    expect(screen.getAllByRole('row')).toHaveLength(5);
    const overdueButton = screen.getByRole('button', { name: /1 Overdue/ });
    expect(screen.getByRole('button', { name: /3 Due this week/ })).toBeTruthy();
    expect(document.body.textContent).toContain(overdue.explanation.rule_id);
    expect(document.body.textContent).toContain('Blocked: Locked out until 2026-03-20');
    fireEvent.click(overdueButton);
    expect(overdueButton.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getAllByRole('row')).toHaveLength(2);
    expect(window.location.hash).toBe('#/clinic?status=overdue');
    expect(calls.filter((c) => c.url.startsWith('/api/v1/worklist'))).toHaveLength(1);
  });

  it('names the missing route when the server has no worklist', async () => {
    window.location.hash = '#/clinic';
    mockFetch({ 'GET /api/v1/auth/me': staff, 'GET /api/v1/worklist?limit=500': () => problem(404, 'Not found', 'no such resource: /api/v1/worklist', { where: 'path' }) });
    render(<App />);
    const note = await screen.findByText(/not available from this server yet/);
    expect(note.closest('[data-missing-route]')?.textContent).toContain('no such resource: /api/v1/worklist');
  });
});
