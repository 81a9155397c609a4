// A patient's record as the screens need it: the patient, every stored event, the
// engine's assessment and the program calendar. Plus pure helpers that turn timeline
// events into chart series and one-line summaries (data only; decisions come from
// the engine's assessment).
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, withQuery } from '../api/client';
import { routes } from '../api/endpoints';
import type { Assessment, EventsPage, Forecast, Patient, StoredEvent, TimelineEvent } from '../api/types';
import { type Loaded, useApi } from '../api/useApi';
import { humanize } from '../components/decisions';
import type { DatedPoint } from '../components/TimeChart';

export interface PatientRecord {
  patient: Patient | null;
  events: StoredEvent[] | null;
  error: unknown;
  assessment: Loaded<Assessment>;
  forecast: Loaded<Forecast>;
  reload(): void;
}

async function loadEvents(id: string, signal: AbortSignal): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  let next: string | null = withQuery(routes.events(id), { limit: 1000 });
  while (next) {
    const page: EventsPage = await api<EventsPage>(next, { signal });
    out.push(...page.items);
    next = page.next;
  }
  return out;
}

export function usePatientRecord(id: string, opts: { forecast?: boolean } = {}): PatientRecord {
  const [patient, setPatient] = useState<Patient | null>(null);
  const [events, setEvents] = useState<StoredEvent[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const assessment = useApi<Assessment>(routes.assessment(id));
  const forecast = useApi<Forecast>(opts.forecast === false ? null : routes.forecast(id));

  useEffect(() => {
    const ctrl = new AbortController();
    setError(null);
    Promise.all([api<Patient>(routes.patient(id), { signal: ctrl.signal }), loadEvents(id, ctrl.signal)])
      .then(([p, evs]) => {
        setPatient(p);
        setEvents(evs);
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(err);
      });
    return () => ctrl.abort();
  }, [id, tick]);

  const reloadAssessment = assessment.reload;
  const reloadForecast = forecast.reload;
  const reload = useCallback(() => {
    setTick((t) => t + 1);
    reloadAssessment();
    reloadForecast();
  }, [reloadAssessment, reloadForecast]);
  return { patient, events, error, assessment, forecast, reload };
}

/** The events in force: corrections replace their targets, entered_in_error retracts. */
export function effectiveEvents(stored: StoredEvent[]): TimelineEvent[] {
  const superseded = new Set<string>();
  for (const s of stored) if (s.event.corrects) superseded.add(s.event.corrects);
  return stored
    .map((s) => s.event)
    .filter((e) => !superseded.has(e.id) && e.type !== 'entered_in_error')
    .sort((a, b) => a.date.localeCompare(b.date));
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function weightPoints(events: TimelineEvent[]): DatedPoint[] {
  return events.filter((e) => e.type === 'weight' && num(e['kg']) !== null).map((e) => ({ date: e.date, value: e['kg'] as number }));
}

/** Lab values for the LOINC codes, in one unit (others are left out and counted). */
export function labPoints(events: TimelineEvent[], loincs: readonly string[], unit: string): { points: DatedPoint[]; referenceHigh: number | null; otherUnits: number } {
  const labs = events.filter((e) => e.type === 'lab' && loincs.includes(String(e['loinc'])));
  const same = labs.filter((e) => e['unit'] === unit && num(e['value']) !== null);
  const refs = same.map((e) => num(e['reference_high'])).filter((x): x is number => x !== null);
  return {
    points: same.map((e) => ({ date: e.date, value: e['value'] as number })),
    referenceHigh: refs.length > 0 ? (refs[refs.length - 1] as number) : null,
    otherUnits: labs.length - same.length,
  };
}

function countSum(e: TimelineEvent, key: 'comedones' | 'papules_pustules' | 'nodules'): number | null {
  let total: number | null = null;
  for (const area of ['face', 'trunk']) {
    const c = e[area] as Record<string, unknown> | undefined;
    const n = c ? num(c[key]) : null;
    if (n !== null) total = (total ?? 0) + n;
  }
  return total;
}

export function lesionSeries(events: TimelineEvent[]): Record<'comedones' | 'papules_pustules' | 'nodules', DatedPoint[]> {
  const out = { comedones: [] as DatedPoint[], papules_pustules: [] as DatedPoint[], nodules: [] as DatedPoint[] };
  for (const e of events) {
    if (e.type !== 'visit' && e.type !== 'diagnosis') continue;
    for (const k of ['comedones', 'papules_pustules', 'nodules'] as const) {
      const n = countSum(e, k);
      if (n !== null) out[k].push({ date: e.date, value: n });
    }
  }
  return out;
}

export function igaPoints(events: TimelineEvent[]): DatedPoint[] {
  return events.filter((e) => (e.type === 'visit' || e.type === 'diagnosis') && num(e['iga']) !== null).map((e) => ({ date: e.date, value: e['iga'] as number }));
}

export function moodSeries(events: TimelineEvent[]): { phq9: DatedPoint[]; phq2: DatedPoint[] } {
  const out = { phq9: [] as DatedPoint[], phq2: [] as DatedPoint[] };
  for (const e of events) {
    if (e.type !== 'mood_screen' || !Array.isArray(e['items'])) continue;
    const total = (e['items'] as unknown[]).reduce<number>((s, x) => s + (num(x) ?? 0), 0);
    if (e['instrument'] === 'phq2') out.phq2.push({ date: e.date, value: total });
    else out.phq9.push({ date: e.date, value: total });
  }
  return out;
}

/** One line saying what an event recorded, in the clinic's words. */
export function summarizeEvent(e: TimelineEvent): string {
  const f = (k: string) => e[k];
  switch (e.type) {
    case 'weight':
      return `${f('kg')} kg`;
    case 'lab':
      return `${f('name') || `LOINC ${f('loinc')}`} ${f('value')} ${f('unit')}${f('reference_high') !== undefined ? ` (reference up to ${f('reference_high')})` : ''}${f('fasting') === true ? ', fasting' : ''}`;
    case 'pregnancy_test':
      return `${humanize(String(f('purpose')))} test: ${f('result')} (${humanize(String(f('setting')))}${f('specimen') ? `, ${f('specimen')}` : ''}, specimen ${f('specimen_date') ?? e.date})`;
    case 'prescription':
      return `${f('product')} ${f('daily_mg')} mg/day, ${f('days_supply')} days${f('strength_mg') ? `, ${f('strength_mg')} mg capsules` : ''}`;
    case 'dispense':
      return `${f('days_supply')} days supply${f('pharmacy') ? ` at ${f('pharmacy')}` : ''}${f('prescription') ? ` (prescription ${f('prescription')})` : ''}`;
    case 'mood_screen': {
      const items = Array.isArray(f('items')) ? (f('items') as number[]) : [];
      return `${String(f('instrument')).toUpperCase()} total ${items.reduce((s, x) => s + x, 0)}`;
    }
    case 'side_effect':
      return `${humanize(String(f('severity')))}: ${((f('symptoms') as string[]) ?? []).map(humanize).join(', ')}`;
    case 'visit':
    case 'diagnosis': {
      const parts: string[] = [];
      if (f('iga') !== undefined) parts.push(`IGA ${f('iga')}`);
      for (const k of ['comedones', 'papules_pustules', 'nodules'] as const) {
        const n = countSum(e, k);
        if (n !== null) parts.push(`${humanize(k).toLowerCase()} ${n}`);
      }
      return parts.join(', ') || humanize(e.type);
    }
    case 'contraception':
      return `${humanize(String(f('entered_by')))}: ${((f('methods') as { method: string }[]) ?? []).map((m) => humanize(m.method)).join(', ')}`;
    case 'counseling':
      return ((f('topics') as string[]) ?? []).map(humanize).join(', ');
    case 'enrollment':
      return `${f('program')}, ${humanize(String(f('category')))}`;
    case 'profile':
      return `${humanize(String(f('sex_at_birth')))}, born ${f('birth_date')}, ${humanize(String(f('pregnancy_potential')))}, ${f('jurisdiction')}`;
    case 'condition':
      return `${humanize(String(f('condition')))}${f('present') === false ? ' (resolved)' : ''}`;
    case 'course_start':
      return f('target_mg_per_kg') ? `target ${f('target_mg_per_kg')} mg/kg` : 'course started';
    case 'course_extend':
      return `new target ${f('new_target_mg_per_kg')} mg/kg${f('reason') ? `: ${f('reason')}` : ''}`;
    case 'course_pause':
    case 'course_discontinue':
    case 'entered_in_error':
      return String(f('reason') ?? '');
    default:
      return '';
  }
}
