// Candidacy and the pre-start checklist for a new patient. The verdict, its reasons
// and the contraindications come from the engine's assessment; the checklist below
// only shows which records are on file (with a link to add each), so nothing here
// decides anything on its own.
import { useMemo } from 'preact/hooks';
import { errorMessage } from '../api/client';
import { DecisionCard, ExplanationLine, humanize, ReasonList, TaskTable } from '../components/decisions';
import { ErrorMessage, Loading, PageTitle } from '../components/ui';
import { specFor } from '../forms/specs';
import { patientHref } from '../router';
import { LoadProblem, patientName } from './PatientChart';
import { effectiveEvents, summarizeEvent, usePatientRecord } from './record';
import type { TimelineEvent } from '../api/types';

interface Item {
  type: string;
  label: string;
  /** Only for patients who can get pregnant. */
  pregnancy?: boolean;
  match?: (e: TimelineEvent) => boolean;
}

const ITEMS: Item[] = [
  { type: 'profile', label: 'Profile: birth date, sex at birth, pregnancy potential, jurisdiction' },
  { type: 'weight', label: 'Weight' },
  { type: 'diagnosis', label: 'Diagnosis and severity (IGA, lesion counts, scarring)' },
  { type: 'prior_treatment', label: 'Prior acne treatments and their response' },
  { type: 'condition', label: 'Health conditions screened (contraindications, cautions)' },
  { type: 'medication_start', label: 'Other medicines (interactions)' },
  { type: 'lab', label: 'Baseline triglycerides', match: (e) => e['loinc'] === '2571-8' },
  { type: 'lab', label: 'Baseline ALT', match: (e) => e['loinc'] === '1742-6' },
  { type: 'lab', label: 'Baseline total cholesterol', match: (e) => e['loinc'] === '2093-3' },
  { type: 'mood_screen', label: 'Mood screen (PHQ-2 or PHQ-9)' },
  { type: 'enrollment', label: 'Program enrollment and category' },
  { type: 'consent', label: 'Consent form signed' },
  { type: 'counseling', label: 'Counseling (risks, pregnancy prevention, mood)' },
  { type: 'contraception', label: 'Contraception methods (clinic and patient)', pregnancy: true },
  { type: 'pregnancy_test', label: 'Screening pregnancy test', pregnancy: true, match: (e) => e['purpose'] === 'screening' },
  { type: 'pregnancy_test', label: 'Confirmation pregnancy test', pregnancy: true, match: (e) => e['purpose'] === 'confirmation' },
];

export function Checklist({ id }: { id: string }) {
  const rec = usePatientRecord(id, { forecast: false });
  const events = useMemo(() => (rec.events ? effectiveEvents(rec.events) : []), [rec.events]);
  const a = rec.assessment.data;
  const profile = [...events].reverse().find((e) => e.type === 'profile');
  const canGetPregnant = profile ? profile['pregnancy_potential'] === 'can_get_pregnant' : null;

  if (rec.error) return <ErrorMessage message={errorMessage(rec.error)} />;
  if (!rec.patient) return <Loading label="Loading the patient…" />;
  const items = ITEMS.filter((i) => !i.pregnancy || canGetPregnant !== false);
  const preStart = a?.tasks.filter((t) => t.status !== 'done' && t.status !== 'cancelled') ?? [];

  return (
    <section>
      <p class="no-print">
        <a href={patientHref(id)}>← Back to the chart</a>
      </p>
      <PageTitle>Candidacy and pre-start: {patientName(rec.patient)}</PageTitle>
      <LoadProblem what="The candidacy assessment" route="GET /api/v1/patients/{patient_id}/assessment" loaded={rec.assessment} />
      {a && (
        <>
          <section class={`verdict verdict--${a.candidacy.verdict}`} data-testid="candidacy" aria-labelledby="verdict-heading">
            <h2 id="verdict-heading">Candidacy: {humanize(a.candidacy.verdict)}</h2>
            <ReasonList reasons={a.candidacy.reasons} emptyText="The engine gave no indication reasons; record the diagnosis and prior treatments." />
            {a.candidacy.findings.length > 0 && (
              <>
                <h3>Contraindications, cautions and interactions</h3>
                <ul class="reasons">
                  {a.candidacy.findings.map((f, i) => (
                    <li key={`${f.id}-${i}`} class={`reason${f.severity === 'hard_stop' ? ' reason--blocking' : ''}`}>
                      <span class="badge">{humanize(f.severity)}</span> {f.message} <strong>Action:</strong> {f.action}
                      <ExplanationLine e={f.explanation} />
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
          <DecisionCard title="May prescribe" decision={a.may_prescribe} testId="may-prescribe" />
          <h2>Open pre-start tasks</h2>
          <TaskTable tasks={preStart} caption="Open tasks before the first prescription" />
        </>
      )}
      <h2>On file</h2>
      {canGetPregnant === null && <p class="message message--warning">Record the profile first: it decides which pregnancy-prevention steps apply.</p>}
      <ul class="checklist" data-testid="checklist">
        {items.map((item, i) => {
          const found = events.filter((e) => e.type === item.type && (!item.match || item.match(e)));
          const last = found[found.length - 1];
          const spec = specFor(item.type);
          return (
            <li key={i} class={last ? 'checklist__item checklist__item--done' : 'checklist__item'}>
              <span class="checklist__mark" aria-hidden="true">
                {last ? '✓' : '○'}
              </span>
              <span class="visually-hidden">{last ? 'On file: ' : 'Missing: '}</span>
              {item.label}
              {last ? (
                <span class="cell-note">
                  {' '}
                  – {last.date}: {summarizeEvent(last)}
                </span>
              ) : null}{' '}
              {spec && (
                <a class="no-print" href={patientHref(id, `/record/${item.type}`)}>
                  {last ? 'Add another' : 'Record'}
                  <span class="visually-hidden"> {item.label}</span>
                </a>
              )}
            </li>
          );
        })}
      </ul>
      <p>
        When everything is in place: <a href={patientHref(id, '/record/course_start')}>start the course</a>.
      </p>
    </section>
  );
}
