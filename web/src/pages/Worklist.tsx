// The clinic worklist: every active course with its next task, window, colour status,
// phase and program category. Filter, sort and search work on the loaded list, so
// they answer at once; the state lives in the URL (#/clinic?status=overdue&q=ana).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, errorMessage, isMissingRoute, withQuery } from '../api/client';
import { routes } from '../api/endpoints';
import type { TaskStatus, Worklist as WorklistData, WorklistRow } from '../api/types';
import { ExplanationLine, humanize, STATUS_LABELS, STATUS_ORDER, StatusBadge, windowText } from '../components/decisions';
import { Empty, ErrorMessage, Loading, MissingRoute, PageTitle } from '../components/ui';
import { href, patientHref } from '../router';

type SortKey = 'status' | 'due' | 'name' | 'phase';

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function name(r: WorklistRow): string {
  return `${r.patient.family_name}, ${r.patient.given_name}`;
}

/** Rows whose next task falls due (or its window closes) in the 7 days from `today`. */
export function dueThisWeek(rows: WorklistRow[], today: string): WorklistRow[] {
  const end = addDays(today, 6);
  return rows.filter((r) => {
    const d = r.next_task?.due ?? r.next_task?.latest;
    return !!d && d <= end && r.status !== 'done' && r.status !== 'cancelled';
  });
}

export function filterRows(rows: WorklistRow[], opts: { status: string; q: string; program: string; week: boolean; today: string }): WorklistRow[] {
  let out = opts.week ? dueThisWeek(rows, opts.today) : rows;
  if (opts.status) out = out.filter((r) => r.status === opts.status);
  if (opts.program) out = out.filter((r) => r.program === opts.program);
  const words = opts.q.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length > 0) {
    out = out.filter((r) => {
      const text = [r.patient.given_name, r.patient.family_name, r.patient.mrn, r.next_task?.title ?? '', r.phase].join(' ').toLowerCase();
      return words.every((w) => text.includes(w));
    });
  }
  return out;
}

export function sortRows(rows: WorklistRow[], key: SortKey): WorklistRow[] {
  const due = (r: WorklistRow) => r.next_task?.due ?? r.next_task?.latest ?? '9999-12-31';
  const rank = (s: TaskStatus) => STATUS_ORDER.indexOf(s);
  const cmp: Record<SortKey, (a: WorklistRow, b: WorklistRow) => number> = {
    status: (a, b) => rank(a.status) - rank(b.status) || due(a).localeCompare(due(b)) || name(a).localeCompare(name(b)),
    due: (a, b) => due(a).localeCompare(due(b)) || rank(a.status) - rank(b.status),
    name: (a, b) => name(a).localeCompare(name(b)),
    phase: (a, b) => a.phase.localeCompare(b.phase) || due(a).localeCompare(due(b)),
  };
  return [...rows].sort(cmp[key]);
}

async function loadAll(signal: AbortSignal): Promise<WorklistData> {
  const first = await api<WorklistData>(withQuery(routes.worklist, { limit: 500 }), { signal });
  const items = [...first.items];
  let next = first.next;
  while (next) {
    const page = await api<WorklistData>(next, { signal });
    items.push(...page.items);
    next = page.next;
  }
  return { ...first, items, next: null };
}

export function Worklist({ query }: { query: URLSearchParams }) {
  const [data, setData] = useState<WorklistData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState(query.get('status') ?? '');
  const [q, setQ] = useState(query.get('q') ?? '');
  const [program, setProgram] = useState(query.get('program') ?? '');
  const [sort, setSort] = useState<SortKey>((query.get('sort') as SortKey) ?? 'status');
  const [week, setWeek] = useState(query.get('week') === '1');

  useEffect(() => {
    const ctrl = new AbortController();
    const t0 = performance.now();
    loadAll(ctrl.signal)
      .then((d) => {
        setData(d);
        // For docs/performance.md: the e2e test reads this mark.
        performance.mark('worklist-loaded', { detail: { ms: performance.now() - t0, rows: d.items.length } });
      })
      .catch((err: unknown) => {
        if (!ctrl.signal.aborted) setError(err);
      });
    return () => ctrl.abort();
  }, []);

  useEffect(() => {
    const params = new URLSearchParams();
    if (status) params.set('status', status);
    if (q) params.set('q', q);
    if (program) params.set('program', program);
    if (sort !== 'status') params.set('sort', sort);
    if (week) params.set('week', '1');
    const s = params.toString();
    history.replaceState(null, '', href(s ? `/clinic?${s}` : '/clinic'));
  }, [status, q, program, sort, week]);

  const today = data?.as_of ?? new Date().toISOString().slice(0, 10);
  const rows = data?.items ?? [];
  const counts = useMemo(() => {
    const c: Partial<Record<TaskStatus, number>> = {};
    for (const r of rows) c[r.status] = (c[r.status] ?? 0) + 1;
    return c;
  }, [rows]);
  const weekCount = useMemo(() => dueThisWeek(rows, today).length, [rows, today]);
  const programs = useMemo(() => Array.from(new Set(rows.map((r) => r.program).filter(Boolean))).sort(), [rows]);
  const shown = useMemo(() => sortRows(filterRows(rows, { status, q, program, week, today }), sort), [rows, status, q, program, week, today, sort]);

  return (
    <section class="wide">
      <PageTitle>Clinic worklist</PageTitle>
      <p class="no-print">
        <a href={href('/clinic/settings')}>Clinic settings</a> (lab profile, iPLEDGE 2026 date, retreatment interval)
      </p>
      <p class="no-print">
        <a class="button button--secondary" href={href('/patients')}>
          Find a patient
        </a>{' '}
        <a class="button button--secondary" href={href('/patients/new')}>
          New patient
        </a>
      </p>
      {error !== null && isMissingRoute(error) && <MissingRoute what="The worklist" route="GET /api/v1/worklist" detail={errorMessage(error)} />}
      {error !== null && !isMissingRoute(error) && <ErrorMessage message={errorMessage(error)} />}
      {error === null && data === null && <Loading label="Loading the worklist…" />}
      {data && (
        <>
          <ul class="counts" aria-label="Courses by status">
            {STATUS_ORDER.filter((s) => s !== 'done' && s !== 'cancelled').map((s) => (
              <li key={s}>
                <button type="button" class={`count count--${s}`} aria-pressed={status === s} onClick={() => setStatus(status === s ? '' : s)}>
                  <span class="count__n">{counts[s] ?? 0}</span> {STATUS_LABELS[s]}
                </button>
              </li>
            ))}
            <li>
              <button type="button" class="count count--week" aria-pressed={week} onClick={() => setWeek(!week)}>
                <span class="count__n">{weekCount}</span> Due this week
              </button>
            </li>
          </ul>
          <div class="filters no-print" role="search">
            <div class="field">
              <label for="wl-search">Search</label>
              <input id="wl-search" type="search" value={q} placeholder="Name, MRN or task" onInput={(e) => setQ(e.currentTarget.value)} />
            </div>
            <div class="field">
              <label for="wl-status">Status</label>
              <select id="wl-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
                <option value="">All</option>
                {STATUS_ORDER.map((s) => (
                  <option key={s} value={s}>
                    {STATUS_LABELS[s]}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="wl-program">Program</label>
              <select id="wl-program" value={program} onChange={(e) => setProgram(e.currentTarget.value)}>
                <option value="">All</option>
                {programs.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="wl-sort">Sort by</label>
              <select id="wl-sort" value={sort} onChange={(e) => setSort(e.currentTarget.value as SortKey)}>
                <option value="status">Status (most urgent first)</option>
                <option value="due">Due date</option>
                <option value="name">Name</option>
                <option value="phase">Phase</option>
              </select>
            </div>
          </div>
          <p class="result-count" aria-live="polite">
            {shown.length} of {rows.length} courses{week ? ' due this week' : ''} · as of {today}
          </p>
          {rows.length === 0 && <Empty>No active courses in this clinic.</Empty>}
          {rows.length > 0 && shown.length === 0 && <Empty>No course matches these filters.</Empty>}
          {shown.length > 0 && (
            <div class="table-wrap">
              <table class="worklist">
                <caption class="visually-hidden">Active courses and their next task</caption>
                <thead>
                  <tr>
                    <th scope="col">Patient</th>
                    <th scope="col">Status</th>
                    <th scope="col">Next task</th>
                    <th scope="col">Window</th>
                    <th scope="col">Phase</th>
                    <th scope="col">Program</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((r) => (
                    <tr key={r.patient.id} data-status={r.status}>
                      <th scope="row">
                        <a href={patientHref(r.patient.id)}>{name(r)}</a>
                        <div class="cell-note">
                          {r.patient.mrn} · born {r.patient.birth_date}
                        </div>
                      </th>
                      <td>
                        <StatusBadge status={r.status} />
                        {r.alerts > 0 && <div class="cell-note">{r.alerts} alert{r.alerts === 1 ? '' : 's'}</div>}
                      </td>
                      <td>
                        {r.next_task ? (
                          <>
                            {r.next_task.title}
                            {r.next_task.blocked_by && <div class="cell-note">Blocked: {r.next_task.blocked_by}</div>}
                            <div class="cell-note">
                              <ExplanationLine e={r.next_task.explanation} />
                            </div>
                          </>
                        ) : (
                          'Nothing due'
                        )}
                      </td>
                      <td>{r.next_task ? windowText(r.next_task) : '–'}</td>
                      <td>
                        {humanize(r.phase)}
                        {r.day_of_course !== null && <div class="cell-note">Day {r.day_of_course}</div>}
                      </td>
                      <td>
                        {r.program || '–'}
                        {r.category && <div class="cell-note">{humanize(r.category)}</div>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
