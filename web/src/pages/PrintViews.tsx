// Print views: the visit summary and the course schedule, laid out for paper (print
// rules in styles.css) so a clinic can hand them over or save them as PDF.
import { useMemo } from 'preact/hooks';
import { errorMessage } from '../api/client';
import { AlertList, DecisionCard, ExplanationLine, humanize, TaskTable, windowText } from '../components/decisions';
import { ErrorMessage, Loading, PageTitle, PrintButton } from '../components/ui';
import { patientHref } from '../router';
import { ChartHeader, LoadProblem, patientName } from './PatientChart';
import { effectiveEvents, summarizeEvent, usePatientRecord } from './record';

function PrintFrame({ id, title, children }: { id: string; title: string; children: preact.ComponentChildren }) {
  return (
    <section class="print-view">
      <p class="no-print">
        <a href={patientHref(id)}>← Back to the chart</a> <PrintButton label="Print or save as PDF" />
      </p>
      {children}
      <p class="print-view__footer">
        {title} · printed {new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC · isocourse supports decisions; it does not replace the care team.
      </p>
    </section>
  );
}

export function VisitSummary({ id }: { id: string }) {
  const rec = usePatientRecord(id, { forecast: false });
  const events = useMemo(() => (rec.events ? effectiveEvents(rec.events) : []), [rec.events]);
  if (rec.error) return <ErrorMessage message={errorMessage(rec.error)} />;
  if (!rec.patient || !rec.events) return <Loading label="Loading the visit summary…" />;
  const p = rec.patient;
  const a = rec.assessment.data;
  const latest = (type: string, pred: (e: (typeof events)[number]) => boolean = () => true) => [...events].reverse().find((e) => e.type === type && pred(e));
  const keyFacts = [
    { label: 'Weight', e: latest('weight') },
    { label: 'Last visit', e: latest('visit') },
    { label: 'Triglycerides', e: latest('lab', (e) => e['loinc'] === '2571-8') },
    { label: 'ALT', e: latest('lab', (e) => e['loinc'] === '1742-6') },
    { label: 'Total cholesterol', e: latest('lab', (e) => e['loinc'] === '2093-3') },
    { label: 'Pregnancy test', e: latest('pregnancy_test') },
    { label: 'Mood screen', e: latest('mood_screen') },
    { label: 'Prescription', e: latest('prescription') },
    { label: 'Dispense', e: latest('dispense') },
  ];
  const recent = [...events].reverse().slice(0, 15);

  return (
    <PrintFrame id={id} title={`Visit summary for ${patientName(p)}`}>
      <PageTitle>Visit summary: {patientName(p)}</PageTitle>
      <ChartHeader patient={p} a={a} />
      <LoadProblem what="The assessment" route="GET /api/v1/patients/{patient_id}/assessment" loaded={rec.assessment} />
      {a && (
        <>
          <p>Assessed as of {a.as_of}.</p>
          <div class="decisions">
            <DecisionCard title="May prescribe" decision={a.may_prescribe} />
            <DecisionCard title="May dispense" decision={a.may_dispense} />
          </div>
          <h2>Alerts</h2>
          <AlertList alerts={a.alerts} />
          <h2>What is due</h2>
          <TaskTable tasks={a.tasks.filter((t) => t.status !== 'done' && t.status !== 'cancelled')} caption="Open tasks" />
        </>
      )}
      <h2>Latest results</h2>
      <table data-testid="key-facts">
        <tbody>
          {keyFacts.map((k) => (
            <tr key={k.label}>
              <th scope="row">{k.label}</th>
              <td>{k.e ? `${k.e.date}: ${summarizeEvent(k.e)}` : 'None on file'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Recent entries</h2>
      <ol class="timeline">
        {recent.map((e) => (
          <li key={e.id}>
            {e.date} <strong>{humanize(e.type)}</strong> {summarizeEvent(e)}
          </li>
        ))}
      </ol>
    </PrintFrame>
  );
}

export function CourseSchedule({ id }: { id: string }) {
  const rec = usePatientRecord(id);
  if (rec.error) return <ErrorMessage message={errorMessage(rec.error)} />;
  if (!rec.patient) return <Loading label="Loading the schedule…" />;
  const a = rec.assessment.data;
  const f = rec.forecast.data;
  return (
    <PrintFrame id={id} title={`Course schedule for ${patientName(rec.patient)}`}>
      <PageTitle>Course schedule: {patientName(rec.patient)}</PageTitle>
      <ChartHeader patient={rec.patient} a={a} />
      <h2>Appointments and steps</h2>
      <LoadProblem what="The forecast" route="GET /api/v1/patients/{patient_id}/forecast" loaded={rec.forecast} />
      {f && (
        <table data-testid="schedule">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">What</th>
              <th scope="col">Allowed window</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {f.steps.map((s, i) => (
              <tr key={i}>
                <td>{s.proposed ?? '–'}</td>
                <td>{s.title || humanize(s.kind)}</td>
                <td>{windowText(s)}</td>
                <td>
                  {s.detail} <ExplanationLine e={s.explanation} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {f && f.warnings.length > 0 && (
        <>
          <h2>Watch out</h2>
          <ul>
            {f.warnings.map((w, i) => (
              <li key={i}>
                {w.step}: {w.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <LoadProblem what="The task list" route="GET /api/v1/patients/{patient_id}/assessment" loaded={rec.assessment} />
      {a && (
        <>
          <h2>Open tasks</h2>
          <TaskTable tasks={a.tasks.filter((t) => t.status !== 'done' && t.status !== 'cancelled')} caption="Open tasks" />
          {a.dose.projected_target_date && (
            <p>
              The cumulative target of {a.dose.target_mg_per_kg} mg/kg is projected for {a.dose.projected_target_date}.
            </p>
          )}
        </>
      )}
    </PrintFrame>
  );
}
