// The patient chart: header with phase, day of course, cumulative dose and the key
// decisions with their reasons; charts; alerts; tasks; the program calendar; the
// event timeline; and the actions (record an event, lifecycle, print, plan).
import { useMemo, useState } from 'preact/hooks';
import { errorMessage, isMissingRoute } from '../api/client';
import type { Assessment, Forecast, Patient, TimelineEvent } from '../api/types';
import type { Loaded } from '../api/useApi';
import { AlertList, DecisionCard, ExplanationLine, humanize, ReasonList, TaskTable, windowText } from '../components/decisions';
import { type ChartSeries, type Threshold, TimeChart } from '../components/TimeChart';
import { Empty, ErrorMessage, Loading, MissingRoute, PageTitle } from '../components/ui';
import { EVENT_SPECS } from '../forms/specs';
import { href, patientHref } from '../router';
import { effectiveEvents, igaPoints, labPoints, lesionSeries, moodSeries, summarizeEvent, usePatientRecord, weightPoints } from './record';

export function patientName(p: Patient): string {
  return `${p.given_name} ${p.family_name}`;
}

export function ageOn(birth: string, on: string): number {
  const [by, bm, bd] = birth.split('-').map(Number);
  const [y, m, d] = on.split('-').map(Number);
  if (!by || !bm || !bd || !y || !m || !d) return 0;
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export function dayOfCourse(a: Assessment): number | null {
  if (!a.dose.first_dose) return null;
  const ms = Date.parse(`${a.as_of}T00:00:00Z`) - Date.parse(`${a.dose.first_dose}T00:00:00Z`);
  return Math.floor(ms / 86400000) + 1;
}

/** The section for an engine result that could not be loaded. */
export function LoadProblem({ what, route, loaded }: { what: string; route: string; loaded: Loaded<unknown> }) {
  if (loaded.loading) return <Loading label={`Loading ${what.toLowerCase()}…`} />;
  if (loaded.missing) return <MissingRoute what={what} route={route} detail={errorMessage(loaded.error)} />;
  if (loaded.error) return <ErrorMessage message={errorMessage(loaded.error)} />;
  return null;
}

/** Cumulative mg/kg against the target, with the projected date. */
export function CumulativeDoseChart({ a }: { a: Assessment }) {
  const { series, thresholds, summary } = useMemo(() => {
    const d = a.dose;
    const s: ChartSeries[] = [];
    if (d.series && d.series.length > 0) {
      s.push({ label: 'Cumulative mg/kg', points: d.series.map((p) => ({ date: p.date, value: p.cumulative_mg_per_kg })) });
    } else if (d.first_dose) {
      s.push({ label: 'Cumulative mg/kg', points: [{ date: d.first_dose, value: 0 }, { date: a.as_of, value: d.cumulative_mg_per_kg }] });
    }
    if (d.projected_target_date && d.target_mg_per_kg > 0) {
      s.push({
        label: `Projected (target on ${d.projected_target_date})`,
        points: [{ date: a.as_of, value: d.cumulative_mg_per_kg }, { date: d.projected_target_date, value: d.target_mg_per_kg }],
        colour: '#444c56',
        dash: [3, 3],
      });
    }
    const t: Threshold[] = d.target_mg_per_kg > 0 ? [{ label: `Target ${d.target_mg_per_kg} mg/kg`, value: d.target_mg_per_kg, colour: '#b34700' }] : [];
    const text = d.has_doses
      ? `${d.cumulative_mg_per_kg} of ${d.target_mg_per_kg} mg/kg taken (${d.cumulative_mg} mg) as of ${a.as_of}; ${
          d.projected_target_date ? `the target is projected for ${d.projected_target_date}.` : 'no projected date for the target.'
        }`
      : 'No doses yet.';
    return { series: s, thresholds: t, summary: text };
  }, [a]);
  return <TimeChart testId="chart-cumulative" title="Cumulative dose" yLabel="mg/kg" series={series} thresholds={thresholds} summary={summary} />;
}

const LAB_CHARTS = [
  { key: 'tg', title: 'Triglycerides', loincs: ['2571-8', '35217-9'], unit: 'mg/dL', analyte: 'tg' },
  { key: 'chol', title: 'Total cholesterol', loincs: ['2093-3'], unit: 'mg/dL', analyte: 'cholesterol' },
  { key: 'alt', title: 'ALT', loincs: ['1742-6'], unit: 'U/L', analyte: 'alt' },
] as const;

function LabCharts({ events, a }: { events: TimelineEvent[]; a: Assessment | null }) {
  const charts = useMemo(
    () =>
      LAB_CHARTS.map((c) => {
        const { points, referenceHigh, otherUnits } = labPoints(events, c.loincs, c.unit);
        const thresholds: Threshold[] = [];
        if (referenceHigh !== null) thresholds.push({ label: `Reference upper limit ${referenceHigh} ${c.unit}`, value: referenceHigh, colour: '#8a5300' });
        const flagged = a?.labs.results.filter((r) => r.analyte === c.analyte && (r.flag === 'alert' || r.flag === 'review')) ?? [];
        const latest = points[points.length - 1];
        const summary = latest
          ? `${points.length} result${points.length === 1 ? '' : 's'}; latest ${latest.value} ${c.unit} on ${latest.date}.${otherUnits ? ` ${otherUnits} in other units not drawn.` : ''}${
              flagged.length ? ` ${flagged.length} flagged by the engine.` : ''
            }`
          : 'No results yet.';
        return { ...c, series: [{ label: `${c.title} (${c.unit})`, points }], thresholds, summary };
      }),
    [events, a],
  );
  return (
    <>
      {charts.map((c) => (
        <TimeChart key={c.key} testId={`chart-lab-${c.key}`} title={c.title} yLabel={c.unit} series={c.series} thresholds={c.thresholds} summary={c.summary} height={200} />
      ))}
    </>
  );
}

function ClinicalCharts({ events }: { events: TimelineEvent[] }) {
  const data = useMemo(() => {
    const lesions = lesionSeries(events);
    const iga = igaPoints(events);
    const mood = moodSeries(events);
    const weight = weightPoints(events);
    return {
      lesions: [
        { label: 'Comedones', points: lesions.comedones },
        { label: 'Papules and pustules', points: lesions.papules_pustules },
        { label: 'Nodules', points: lesions.nodules },
      ] as ChartSeries[],
      iga: [{ label: 'IGA (0–4)', points: iga }] as ChartSeries[],
      mood: [
        { label: 'PHQ-9 total', points: mood.phq9 },
        { label: 'PHQ-2 total', points: mood.phq2 },
      ] as ChartSeries[],
      // Score bands of the instrument (Kroenke 2001), as the knowledge rule
      // mood.phq9.moderate uses them: 10 = moderate.
      moodLines: [{ label: 'PHQ-9 10: moderate band (rule mood.phq9.moderate)', value: 10, colour: '#8a5300' }] as Threshold[],
      weight: [{ label: 'Weight (kg)', points: weight }] as ChartSeries[],
      lastMood: mood.phq9[mood.phq9.length - 1],
      lastIga: iga[iga.length - 1],
      lastWeight: weight[weight.length - 1],
      lesionCount: lesions.comedones.length + lesions.papules_pustules.length + lesions.nodules.length,
    };
  }, [events]);
  return (
    <>
      <TimeChart testId="chart-lesions" title="Lesion counts" yLabel="lesions" series={data.lesions} summary={data.lesionCount ? 'Face and trunk counts added together, from visits and the diagnosis.' : 'No lesion counts recorded.'} height={200} />
      <TimeChart testId="chart-iga" title="IGA" yLabel="grade" series={data.iga} summary={data.lastIga ? `Latest IGA ${data.lastIga.value} on ${data.lastIga.date}.` : 'No IGA recorded.'} height={180} />
      <TimeChart testId="chart-mood" title="Mood scores" yLabel="score" series={data.mood} thresholds={data.moodLines} summary={data.lastMood ? `Latest PHQ-9 ${data.lastMood.value} on ${data.lastMood.date}.` : 'No PHQ-9 recorded.'} height={200} />
      <TimeChart testId="chart-weight" title="Weight" yLabel="kg" series={data.weight} summary={data.lastWeight ? `Latest ${data.lastWeight.value} kg on ${data.lastWeight.date}.` : 'No weight recorded.'} height={180} />
    </>
  );
}

export function ProgramCalendar({ a, forecast }: { a: Assessment | null; forecast: Loaded<Forecast> }) {
  return (
    <section aria-labelledby="calendar-heading" class="panel">
      <h2 id="calendar-heading">Program calendar</h2>
      {a && a.program.applies && (
        <dl class="facts">
          <div>
            <dt>Program</dt>
            <dd>
              {a.program.program} ({a.program.rule_pack} {a.program.pack_version})
            </dd>
          </div>
          <div>
            <dt>State</dt>
            <dd>{humanize(a.program.state)}</dd>
          </div>
          {a.program.category && (
            <div>
              <dt>Category</dt>
              <dd>{humanize(a.program.category)}</dd>
            </div>
          )}
          {(a.program.window_start || a.program.window_end) && (
            <div>
              <dt>Current window</dt>
              <dd data-testid="program-window">
                {a.program.window_start ?? '…'} to {a.program.window_end ?? '…'}
              </dd>
            </div>
          )}
          {a.program.lockout_until && (
            <div>
              <dt>Locked out until</dt>
              <dd>{a.program.lockout_until}</dd>
            </div>
          )}
        </dl>
      )}
      {a && a.program.notes.length > 0 && <ReasonList reasons={a.program.notes} />}
      {a && !a.program.applies && <p>No pregnancy-prevention program applies to this patient.</p>}
      <h3>Proposed dates</h3>
      <LoadProblem what="The forecast" route="GET /api/v1/patients/{patient_id}/forecast" loaded={forecast} />
      {forecast.data && (
        <>
          {forecast.data.warnings.length > 0 && (
            <ul class="warnings">
              {forecast.data.warnings.map((w, i) => (
                <li key={i} class="warning warning--moderate">
                  <strong>{w.step}:</strong> {w.message} <ExplanationLine e={w.explanation} />
                </li>
              ))}
            </ul>
          )}
          {forecast.data.steps.length === 0 ? (
            <Empty>Nothing to schedule.</Empty>
          ) : (
            <div class="table-wrap">
              <table data-testid="forecast">
                <thead>
                  <tr>
                    <th scope="col">Step</th>
                    <th scope="col">Window</th>
                    <th scope="col">Proposed</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {forecast.data.steps.map((s, i) => (
                    <tr key={i}>
                      <td>{s.title || humanize(s.kind)}</td>
                      <td>{windowText(s)}</td>
                      <td>
                        {s.proposed ?? '–'}
                        {s.from_plan && <div class="cell-note">as planned</div>}
                      </td>
                      <td>
                        {s.detail}
                        <div class="cell-note">
                          <ExplanationLine e={s.explanation} />
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p class="cell-note">{forecast.data.visits} in-person visit date(s) proposed.</p>
        </>
      )}
    </section>
  );
}

function Timeline({ events }: { events: { seq: number; recorded_at: string; event: TimelineEvent }[] }) {
  const [type, setType] = useState('');
  const superseded = useMemo(() => new Set(events.map((e) => e.event.corrects).filter(Boolean)), [events]);
  const types = useMemo(() => Array.from(new Set(events.map((e) => e.event.type))).sort(), [events]);
  const shown = useMemo(
    () => [...events].filter((e) => !type || e.event.type === type).sort((a, b) => b.event.date.localeCompare(a.event.date) || b.seq - a.seq),
    [events, type],
  );
  return (
    <section aria-labelledby="timeline-heading" class="panel">
      <h2 id="timeline-heading">Timeline</h2>
      <div class="field field--inline no-print">
        <label for="timeline-type">Show</label>
        <select id="timeline-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
          <option value="">All events ({events.length})</option>
          {types.map((t) => (
            <option key={t} value={t}>
              {humanize(t)}
            </option>
          ))}
        </select>
      </div>
      {shown.length === 0 ? (
        <Empty>No events recorded yet.</Empty>
      ) : (
        <ol class="timeline" data-testid="timeline">
          {shown.map((s) => (
            <li key={s.seq} class={superseded.has(s.event.id) ? 'timeline__item timeline__item--superseded' : 'timeline__item'}>
              <time dateTime={s.event.date}>{s.event.date}</time> <strong>{humanize(s.event.type)}</strong> {summarizeEvent(s.event)}
              {s.event.corrects && <span class="cell-note"> (corrects {s.event.corrects})</span>}
              {superseded.has(s.event.id) && <span class="cell-note"> (superseded)</span>}
              <span class="cell-note timeline__meta">
                {' '}
                · #{s.seq}, {s.event.id}, recorded {s.recorded_at.slice(0, 16).replace('T', ' ')}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function ChartHeader({ patient, a }: { patient: Patient; a: Assessment | null }) {
  const day = a ? dayOfCourse(a) : null;
  return (
    <div class="chart-header">
      <p class="chart-header__who">
        Born {patient.birth_date} ({ageOn(patient.birth_date, a?.as_of ?? new Date().toISOString().slice(0, 10))} years) · {humanize(patient.sex)} · MRN {patient.mrn || '–'}
      </p>
      {a && (
        <dl class="facts facts--header" data-testid="chart-header">
          <div>
            <dt>Phase</dt>
            <dd>{humanize(a.phase)}</dd>
          </div>
          <div>
            <dt>Day of course</dt>
            <dd>{day ?? '–'}</dd>
          </div>
          <div>
            <dt>Cumulative dose</dt>
            <dd>
              {a.dose.cumulative_mg_per_kg} / {a.dose.target_mg_per_kg} mg/kg
              <div class="cell-note">{a.dose.cumulative_mg} mg</div>
            </dd>
          </div>
          <div>
            <dt>Current dose</dt>
            <dd>
              {a.dose.current_daily_mg} mg/day ({a.dose.current_mg_per_kg_day} mg/kg/day)
            </dd>
          </div>
          <div>
            <dt>Projected end</dt>
            <dd>{a.dose.projected_target_date ?? '–'}</dd>
          </div>
          <div>
            <dt>Jurisdiction</dt>
            <dd>{a.jurisdiction}</dd>
          </div>
        </dl>
      )}
    </div>
  );
}

export function PatientChart({ id }: { id: string }) {
  const rec = usePatientRecord(id);
  const a = rec.assessment.data;
  const events = useMemo(() => (rec.events ? effectiveEvents(rec.events) : []), [rec.events]);

  if (rec.error) {
    return (
      <section>
        <PageTitle>Patient not available</PageTitle>
        <ErrorMessage message={errorMessage(rec.error)} />
        {isMissingRoute(rec.error) ? null : (
          <p>
            <a href={href('/')}>Go to the start page</a>
          </p>
        )}
      </section>
    );
  }
  if (!rec.patient || !rec.events) return <Loading label="Loading the patient…" />;
  const p = rec.patient;
  const lifecycle = EVENT_SPECS.filter((s) => s.lifecycle);

  return (
    <section class="wide patient-chart">
      <PageTitle>{patientName(p)}</PageTitle>
      <ChartHeader patient={p} a={a} />
      <nav class="actions no-print" aria-label="Patient actions">
        <a class="button" href={patientHref(p.id, '/record')}>
          Record an event
        </a>
        <a class="button button--secondary" href={patientHref(p.id, '/checklist')}>
          Candidacy and pre-start checklist
        </a>
        <a class="button button--secondary" href={patientHref(p.id, '/dose-planner')}>
          Dose planner
        </a>
        <a class="button button--secondary" href={patientHref(p.id, '/print/visit')}>
          Visit summary (print)
        </a>
        <a class="button button--secondary" href={patientHref(p.id, '/print/schedule')}>
          Course schedule (print)
        </a>
      </nav>
      <details class="lifecycle no-print">
        <summary>Course actions (start, pause, resume, extend, complete, discontinue)</summary>
        <ul class="link-list">
          {lifecycle.map((s) => (
            <li key={s.type}>
              <a href={patientHref(p.id, `/record/${s.type}`)}>{s.label}</a> – {s.about}
            </li>
          ))}
        </ul>
      </details>

      <LoadProblem what="The assessment (decisions, alerts and tasks)" route="GET /api/v1/patients/{patient_id}/assessment" loaded={rec.assessment} />
      {a && (
        <>
          <div class="decisions">
            <DecisionCard title="May prescribe" decision={a.may_prescribe} testId="may-prescribe" />
            <DecisionCard title="May dispense" decision={a.may_dispense} testId="may-dispense" />
          </div>
          <section aria-labelledby="alerts-heading" class="panel">
            <h2 id="alerts-heading">Alerts</h2>
            <AlertList alerts={a.alerts} />
          </section>
          <section aria-labelledby="tasks-heading" class="panel">
            <h2 id="tasks-heading">Tasks</h2>
            <TaskTable tasks={a.tasks.filter((t) => t.status !== 'done' && t.status !== 'cancelled')} caption="Open tasks" />
          </section>
        </>
      )}

      <section aria-labelledby="charts-heading" class="panel">
        <h2 id="charts-heading">Charts</h2>
        <div class="chart-grid">
          {a && <CumulativeDoseChart a={a} />}
          <LabCharts events={events} a={a} />
          <ClinicalCharts events={events} />
        </div>
      </section>

      <ProgramCalendar a={a} forecast={rec.forecast} />
      <Timeline events={rec.events} />
      {a && (
        <p class="plan__footnote">
          Knowledge base {a.knowledge_version}; rule packs {a.rule_packs.join(', ')}. Phase rule: <ExplanationLine e={a.phase_rule} />
        </p>
      )}
    </section>
  );
}
