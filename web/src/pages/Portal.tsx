// The patient portal (phone first): what's next and by when, the daily check-in,
// progress, and the library. A patient reads only their own record; the server
// enforces it.
import { useMemo, useRef, useState } from 'preact/hooks';
import { api, errorMessage, fieldErrors, newIdempotencyKey } from '../api/client';
import { routes } from '../api/endpoints';
import type { Alert, DiaryResult } from '../api/types';
import { ExplanationLine, humanize, StatusBadge, windowText } from '../components/decisions';
import { Empty, ErrorMessage, PageTitle } from '../components/ui';
import { todayIso } from '../forms/EventForm';
import { PHQ9_QUESTIONS, PHQ_ANSWERS } from '../forms/specs';
import { href } from '../router';
import { useSession } from '../session';
import { CumulativeDoseChart, LoadProblem } from './PatientChart';
import { usePatientRecord } from './record';

/** Symptoms in the words a patient uses, with the timeline's codes. The red-flag ones
 * come first so nobody has to scroll for them. */
export const PATIENT_SYMPTOMS: { code: string; label: string }[] = [
  { code: 'suicidal_thoughts', label: 'Thoughts of ending my life' },
  { code: 'self_harm', label: 'I have hurt myself or want to' },
  { code: 'headache_severe', label: 'Very bad headache' },
  { code: 'visual_change', label: 'Blurred or double vision' },
  { code: 'nausea_vomiting', label: 'Feeling sick or being sick' },
  { code: 'abdominal_pain_severe', label: 'Very bad stomach pain' },
  { code: 'rectal_bleeding', label: 'Blood from my bottom' },
  { code: 'diarrhea_severe', label: 'Bad diarrhoea' },
  { code: 'jaundice', label: 'Yellow skin or eyes' },
  { code: 'blistering_rash', label: 'Blistering or peeling rash' },
  { code: 'mucosal_sores', label: 'Sores in my mouth, eyes or genitals' },
  { code: 'angioedema', label: 'Swelling of my face, lips or tongue' },
  { code: 'dyspnea', label: 'Trouble breathing' },
  { code: 'chest_pain', label: 'Chest pain' },
  { code: 'missed_period', label: 'My period is late or missed' },
  { code: 'unprotected_sex', label: 'I had sex without my contraception working' },
  { code: 'low_mood', label: 'Feeling low or sad' },
  { code: 'irritability_aggression', label: 'Feeling irritable or angry' },
  { code: 'myalgia', label: 'Aching muscles' },
  { code: 'arthralgia', label: 'Aching joints' },
  { code: 'back_pain', label: 'Back pain' },
  { code: 'headache', label: 'Mild headache' },
  { code: 'cheilitis', label: 'Dry or cracked lips' },
  { code: 'dry_skin', label: 'Dry skin' },
  { code: 'dry_eyes', label: 'Dry eyes' },
  { code: 'epistaxis', label: 'Nosebleeds' },
  { code: 'photosensitivity', label: 'Sunburn more easily' },
  { code: 'acne_flare', label: 'Acne got worse' },
];

export function Portal() {
  const { user } = useSession();
  const id = user?.patient_id ?? null;
  if (!id) {
    return (
      <section>
        <PageTitle>Your course</PageTitle>
        <ErrorMessage message="This account is not linked to a patient record. Ask your clinic to link it." />
      </section>
    );
  }
  return <PortalFor id={id} />;
}

function PortalFor({ id }: { id: string }) {
  const rec = usePatientRecord(id, { forecast: false });
  const a = rec.assessment.data;
  const next = useMemo(
    () => (a ? a.tasks.filter((t) => t.status !== 'done' && t.status !== 'cancelled').slice(0, 5) : []),
    [a],
  );
  const urgent = a?.alerts.filter((x) => x.urgency === 'emergency' || x.stop_drug) ?? [];

  return (
    <section class="portal">
      <PageTitle>{rec.patient ? `Hello, ${rec.patient.given_name}` : 'Your course'}</PageTitle>
      {rec.error !== null && <ErrorMessage message={errorMessage(rec.error)} />}
      <p>
        <a class="button button--big" href={href('/portal/check-in')}>
          Daily check-in
        </a>
      </p>
      {urgent.length > 0 && <UrgentAlerts alerts={urgent} />}
      <section aria-labelledby="next-heading" class="panel">
        <h2 id="next-heading">What’s next</h2>
        <LoadProblem what="Your next steps" route="GET /api/v1/patients/{patient_id}/assessment" loaded={rec.assessment} />
        {a && next.length === 0 && <Empty>Nothing is due right now.</Empty>}
        {next.length > 0 && (
          <ul class="next-list" data-testid="whats-next">
            {next.map((t) => (
              <li key={t.id}>
                <StatusBadge status={t.status} /> <strong>{t.title}</strong>
                <div>{t.latest ? `By ${t.latest}` : windowText(t)}</div>
                {t.detail && <div class="cell-note">{t.detail}</div>}
              </li>
            ))}
          </ul>
        )}
      </section>
      {a && (
        <section aria-labelledby="progress-heading" class="panel">
          <h2 id="progress-heading">Your progress</h2>
          <p>
            You are in the <strong>{humanize(a.phase).toLowerCase()}</strong> phase.
            {a.dose.has_doses && ` You have taken ${a.dose.cumulative_mg_per_kg} of ${a.dose.target_mg_per_kg} mg per kg of body weight.`}
          </p>
          <CumulativeDoseChart a={a} />
        </section>
      )}
      <section aria-labelledby="learn-heading" class="panel">
        <h2 id="learn-heading">Learn more</h2>
        <ul class="link-list">
          <li>
            <a href={href('/library/article.red-flags')}>Red flags: when to stop and get help now</a>
          </li>
          <li>
            <a href={href('/library')}>All articles</a>
          </li>
        </ul>
      </section>
    </section>
  );
}

function UrgentAlerts({ alerts }: { alerts: Alert[] }) {
  return (
    <div class="urgent" role="alert" data-testid="urgent">
      <h2>Do this now</h2>
      <ul>
        {alerts.map((x, i) => (
          <li key={`${x.id}-${i}`}>
            <strong>{x.title}.</strong> {x.stop_drug && <strong>Stop taking isotretinoin. </strong>}
            {x.action}
            {x.urgency === 'emergency' && <strong> If you are in danger now, call your local emergency number.</strong>}
            <div class="cell-note">
              <ExplanationLine e={x.explanation} />
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

type Step = 'daily' | 'phq9' | 'done';

export function CheckIn() {
  const { user } = useSession();
  const id = user?.patient_id ?? null;
  const [step, setStep] = useState<Step>('daily');
  const [taken, setTaken] = useState<'' | 'yes' | 'no'>('');
  const [symptoms, setSymptoms] = useState<string[]>([]);
  const [severity, setSeverity] = useState('');
  const [phq, setPhq] = useState<string[]>(['', '', '', '', '', '', '', '', '']);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [followUp, setFollowUp] = useState<DiaryResult['follow_up']>(null);
  const [pending, setPending] = useState(false);
  const keyRef = useRef(newIdempotencyKey());

  if (!id) return <ErrorMessage message="This account is not linked to a patient record." />;

  async function send(body: Record<string, unknown>): Promise<DiaryResult | null> {
    setPending(true);
    setError(null);
    try {
      const r = await api<DiaryResult>(routes.diary(id as string), { method: 'POST', body, idempotencyKey: keyRef.current });
      keyRef.current = newIdempotencyKey();
      // Red flags first, at once: what to do now.
      setAlerts((old) => [...r.alerts, ...old]);
      return r;
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(errorMessage(err));
      return null;
    } finally {
      setPending(false);
    }
  }

  async function onDaily(e: Event) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!taken) found['dose.taken'] = 'Tell us whether you took today’s dose.';
    if (symptoms.length > 0 && !severity) found['side_effects.severity'] = 'How bad are these symptoms?';
    if (!phq[0] || !phq[1]) found['mood.items'] = 'Answer both mood questions.';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const body: Record<string, unknown> = {
      date: todayIso(),
      dose: { taken: taken === 'yes' },
      mood: { instrument: 'phq2', items: [Number(phq[0]), Number(phq[1])] },
    };
    if (symptoms.length > 0) body['side_effects'] = { symptoms, severity };
    const r = await send(body);
    if (!r) return;
    setFollowUp(r.follow_up);
    setStep(r.follow_up && r.follow_up.instrument === 'phq9' ? 'phq9' : 'done');
  }

  async function onPhq9(e: Event) {
    e.preventDefault();
    const missing = phq.findIndex((x) => x === '');
    if (missing >= 0) {
      setErrors({ 'mood.items': `Answer question ${missing + 1}.` });
      return;
    }
    setErrors({});
    const r = await send({ date: todayIso(), mood: { instrument: 'phq9', items: phq.map(Number) } });
    if (r) setStep('done');
  }

  const phqQuestion = (i: number) => (
    <fieldset key={i} class="phq">
      <legend>
        Over the last 2 weeks, how often have you been bothered by: {PHQ9_QUESTIONS[i]?.toLowerCase()}?
      </legend>
      {PHQ_ANSWERS.map((o) => (
        <label class="radio" key={o.value}>
          <input
            type="radio"
            name={`phq-${i}`}
            value={o.value}
            checked={phq[i] === o.value}
            onChange={() => setPhq((p) => p.map((x, j) => (j === i ? o.value : x)))}
          />{' '}
          {o.label}
        </label>
      ))}
    </fieldset>
  );

  return (
    <section class="portal">
      <p class="no-print">
        <a href={href('/portal')}>← Your course</a>
      </p>
      <PageTitle>Daily check-in</PageTitle>
      {alerts.length > 0 && <UrgentAlerts alerts={alerts} />}
      <ErrorMessage message={error} />
      {step === 'daily' && (
        <form class="form" onSubmit={onDaily} noValidate>
          <fieldset aria-describedby={errors['dose.taken'] ? 'err-taken' : undefined}>
            <legend>Did you take today’s isotretinoin?</legend>
            {(['yes', 'no'] as const).map((v) => (
              <label class="radio" key={v}>
                <input type="radio" name="taken" value={v} checked={taken === v} onChange={() => setTaken(v)} /> {v === 'yes' ? 'Yes' : 'No'}
              </label>
            ))}
            {errors['dose.taken'] && (
              <p class="field__error" id="err-taken">
                {errors['dose.taken']}
              </p>
            )}
          </fieldset>
          <fieldset>
            <legend>Any of these today? Tick all that apply.</legend>
            <div class="checkboxes__list">
              {PATIENT_SYMPTOMS.map((s) => (
                <label class="checkbox" key={s.code}>
                  <input
                    type="checkbox"
                    value={s.code}
                    checked={symptoms.includes(s.code)}
                    onChange={(e) => setSymptoms((old) => (e.currentTarget.checked ? [...old, s.code] : old.filter((x) => x !== s.code)))}
                  />{' '}
                  {s.label}
                </label>
              ))}
            </div>
          </fieldset>
          {symptoms.length > 0 && (
            <fieldset aria-describedby={errors['side_effects.severity'] ? 'err-severity' : undefined}>
              <legend>How bad are they?</legend>
              {['mild', 'moderate', 'severe'].map((v) => (
                <label class="radio" key={v}>
                  <input type="radio" name="severity" value={v} checked={severity === v} onChange={() => setSeverity(v)} /> {humanize(v)}
                </label>
              ))}
              {errors['side_effects.severity'] && (
                <p class="field__error" id="err-severity">
                  {errors['side_effects.severity']}
                </p>
              )}
            </fieldset>
          )}
          <h2>Your mood</h2>
          {phqQuestion(0)}
          {phqQuestion(1)}
          {errors['mood.items'] && <p class="field__error">{errors['mood.items']}</p>}
          <div class="form__actions">
            <button type="submit" class="button button--big" disabled={pending} aria-busy={pending}>
              {pending ? 'Sending…' : 'Send'}
            </button>
          </div>
        </form>
      )}
      {step === 'phq9' && (
        <form class="form" onSubmit={onPhq9} noValidate>
          <p class="message message--warning" role="status">
            {followUp?.message ?? 'Thank you. A few more questions about your mood.'}
          </p>
          {PHQ9_QUESTIONS.map((_, i) => (i < 2 ? null : phqQuestion(i)))}
          {errors['mood.items'] && <p class="field__error">{errors['mood.items']}</p>}
          <div class="form__actions">
            <button type="submit" class="button button--big" disabled={pending} aria-busy={pending}>
              {pending ? 'Sending…' : 'Send'}
            </button>
          </div>
        </form>
      )}
      {step === 'done' && (
        <div class="message message--ok" role="status" data-testid="check-in-done">
          Thank you, your check-in is saved. {alerts.length === 0 && 'Nothing you told us needs action now.'} <a href={href('/portal')}>Back to your course</a>
        </div>
      )}
    </section>
  );
}
