// Record an event for a patient: choose what to record, fill the form, see it saved
// (and, when the engine answers, the alerts it raises now).
import { useState } from 'preact/hooks';
import { errorMessage } from '../api/client';
import { routes } from '../api/endpoints';
import type { AppendResult, Assessment, Patient } from '../api/types';
import { useApi } from '../api/useApi';
import { AlertList } from '../components/decisions';
import { ErrorMessage, Loading, PageTitle } from '../components/ui';
import { EventForm } from '../forms/EventForm';
import { EVENT_SPECS, specFor } from '../forms/specs';
import { patientHref } from '../router';
import { patientName } from './PatientChart';

const GROUPS: { title: string; types: string[] }[] = [
  { title: 'At a visit', types: ['visit', 'weight', 'side_effect', 'mood_screen', 'counseling', 'contraception'] },
  { title: 'Tests and prescriptions', types: ['lab', 'pregnancy_test', 'prescription', 'dispense', 'dose', 'menses'] },
  { title: 'Before starting', types: ['profile', 'diagnosis', 'condition', 'prior_treatment', 'medication_start', 'enrollment', 'consent', 'comprehension', 'second_prescriber', 'program_assessment'] },
  { title: 'Course actions (asks for confirmation)', types: EVENT_SPECS.filter((s) => s.lifecycle).map((s) => s.type) },
];

export function RecordEvent({ id, type }: { id: string; type: string | null }) {
  const patient = useApi<Patient>(routes.patient(id));
  const [saved, setSaved] = useState<AppendResult | null>(null);
  const assessment = useApi<Assessment>(saved ? routes.assessment(id) : null);
  const spec = type ? specFor(type) : undefined;

  if (patient.error) return <ErrorMessage message={errorMessage(patient.error)} />;
  if (!patient.data) return <Loading label="Loading the patient…" />;
  const p = patient.data;

  return (
    <section>
      <p class="no-print">
        <a href={patientHref(id)}>← Back to {patientName(p)}</a>
      </p>
      <PageTitle>{spec ? `${spec.label}: ${patientName(p)}` : `Record an event: ${patientName(p)}`}</PageTitle>
      {saved && (
        <div class="message message--ok" role="status" data-testid="saved">
          Saved{saved.events.length === 1 && saved.events[0] ? ` as event ${saved.events[0].event.id}` : ''}. The record is now at version {saved.version}.{' '}
          <a href={patientHref(id)}>Open the chart</a>
          {assessment.data && assessment.data.alerts.length > 0 && (
            <>
              <h2>Alerts now</h2>
              <AlertList alerts={assessment.data.alerts} />
            </>
          )}
        </div>
      )}
      {type && !spec && <ErrorMessage message={`There is no form for “${type}”.`} />}
      {spec ? (
        <EventForm key={spec.type} patientId={id} spec={spec} onSaved={setSaved} />
      ) : (
        GROUPS.map((g) => (
          <section key={g.title}>
            <h2>{g.title}</h2>
            <ul class="link-list link-list--grid">
              {g.types.map((t) => {
                const s = specFor(t);
                return s ? (
                  <li key={t}>
                    <a href={patientHref(id, `/record/${t}`)}>{s.label}</a>
                    <div class="cell-note">{s.about}</div>
                  </li>
                ) : null;
              })}
            </ul>
          </section>
        ))
      )}
    </section>
  );
}
