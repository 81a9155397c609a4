// Public symptom checker (issue 6): one question at a time, Back and Forward, results
// with explanations and a printable summary for the doctor visit. No sign-in.
//
// The engine lives on the server and keeps no state: every step sends the whole
// interview (age, sex, complaint and every answer so far) to
// POST /api/v1/symptom-check/interview (src/codec/symptom_json.h). This page keeps the
// answered steps, so Back shows an earlier question with its answer and Forward walks
// back through the steps already answered; changing an earlier answer drops the ones
// after it, because the next questions depend on it.
import { Fragment } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { api, errorMessage, fieldErrors } from '../api/client';
import { routes } from '../api/endpoints';
import { ErrorMessage, Field, PageTitle, PrintButton } from '../components/ui';
import { articleHref } from '../router';

export const INTERVIEW_PATH = routes.symptomInterview;

export type Choice = 'present' | 'absent' | 'unknown';

export interface Evidence {
  id: string;
  choice: Choice;
  source?: string;
}

export interface QuestionItem {
  id: string;
  name: string;
  choices?: { id: Choice; label: string }[];
}

export interface Question {
  id: string;
  type: 'single' | 'group_single';
  text: string;
  phase: string;
  rationale: string;
  items: QuestionItem[];
}

export interface ConditionScore {
  id: string;
  name: string;
  common_name: string;
  probability: number;
  advice: string;
}

interface Weight {
  id: string;
  name: string;
  choice: Choice;
  likelihood_ratio: number;
}

export interface InterviewStep {
  question: Question | null;
  conditions: ConditionScore[];
  should_stop: boolean;
  stop_reason: string;
  has_emergency_evidence: boolean;
  screen_complete: boolean;
  questions_asked: number;
  triage: {
    level: string;
    label: string;
    words: string;
    stop_isotretinoin: boolean;
    reasons: string[];
    rules: { id: string; level: string; reason: string; red_flag: boolean }[];
  };
  severity: { applicable: boolean; iga: number | null; iga_label: string; nice_band: string; confidence: string };
  explanations?: { condition: string; name: string; supporting: Weight[]; conflicting: Weight[]; unconfirmed: Weight[] }[];
  doctor_summary?: {
    complaint: string;
    timeline: string[];
    pertinent_positives: string[];
    pertinent_negatives: string[];
    medications: string[];
    treatments: string[];
    severity: string;
    likely_conditions: string[];
    triage: string;
    red_flags: string[];
    text: string;
  };
}

interface Profile {
  age: string;
  sex: '' | 'female' | 'male';
  complaint: string;
}

const YES_NO: { id: Choice; label: string }[] = [
  { id: 'present', label: 'Yes' },
  { id: 'absent', label: 'No' },
  { id: 'unknown', label: "Don't know" },
];

/** Answers for one question from the chosen option: a choice for a single question,
 * the chosen item for a group (the others absent; "don't know" = all unknown). */
export function answersFor(q: Question, picked: string): Evidence[] {
  if (q.type === 'single') {
    const item = q.items[0];
    return item ? [{ id: item.id, choice: picked as Choice, source: q.phase }] : [];
  }
  return q.items.map((it) => ({
    id: it.id,
    choice: picked === 'unknown' ? 'unknown' : it.id === picked ? 'present' : 'absent',
    source: q.phase,
  }));
}

/** The option shown as chosen for answers given earlier (the inverse of answersFor). */
function pickedFrom(q: Question, answers: Evidence[]): string {
  if (q.type === 'single') return answers[0]?.choice ?? '';
  const present = answers.find((a) => a.choice === 'present');
  if (present) return present.id;
  return answers.length > 0 && answers.every((a) => a.choice === 'unknown') ? 'unknown' : '';
}

function percent(p: number): string {
  return p >= 0.995 ? '>99%' : p < 0.01 ? '<1%' : `${Math.round(p * 100)}%`;
}

function TriageBanner({ step, final }: { step: InterviewStep; final: boolean }) {
  const t = step.triage;
  const urgent = t.level === 'emergency' || t.level === 'urgent_24h';
  return (
    <div class={urgent ? 'urgent' : 'panel'} role={urgent ? 'alert' : undefined} data-testid={urgent ? 'triage-urgent' : 'triage'}>
      <h2>{final ? 'What to do next' : 'Act on this now'}</h2>
      <p class={`triage triage--${t.level}`} data-level={t.level}>
        {t.label}
      </p>
      <p>{t.words}</p>
      {t.stop_isotretinoin && (
        <p>
          <strong>If you take isotretinoin, stop taking it</strong> and tell the doctor who prescribed it.
        </p>
      )}
      {t.level === 'emergency' && (
        <p>
          <strong>Call your local emergency number</strong> (911 in the US, 112 in Europe, 999 in the UK) or go to the nearest emergency department.
        </p>
      )}
      {t.reasons.length > 0 && (
        <>
          <h3>Why</h3>
          <ul>
            {t.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

function Results({ step }: { step: InterviewStep }) {
  const why = new Map((step.explanations ?? []).map((e) => [e.condition, e]));
  const s = step.doctor_summary;
  return (
    <section class="result" aria-labelledby="result-heading" data-testid="symptom-result">
      <h2 id="result-heading" class="visually-hidden">
        Result
      </h2>
      <TriageBanner step={step} final />
      {step.conditions.length > 0 && (
        <section class="panel" aria-labelledby="conditions-heading">
          <h2 id="conditions-heading">What it might be</h2>
          <p class="cell-note">How likely each is from your answers. This is not a diagnosis: a doctor who sees your skin can tell.</p>
          <ol class="conditions" data-testid="conditions">
            {step.conditions.map((c) => {
              const e = why.get(c.id);
              return (
                <li key={c.id}>
                  <strong>{c.common_name || c.name}</strong> {c.common_name && c.common_name !== c.name && <span class="cell-note">({c.name})</span>} — {percent(c.probability)}
                  {c.advice && <p class="cell-note">{c.advice}</p>}
                  {e && (e.supporting.length > 0 || e.conflicting.length > 0) && (
                    <details class="explanation">
                      <summary>Why {c.common_name || c.name}?</summary>
                      {e.supporting.length > 0 && (
                        <p>
                          <strong>Fits:</strong> {e.supporting.map((w) => `${w.name}${w.choice === 'absent' ? ' (no)' : ''}`).join('; ')}
                        </p>
                      )}
                      {e.conflicting.length > 0 && (
                        <p>
                          <strong>Argues against:</strong> {e.conflicting.map((w) => `${w.name}${w.choice === 'absent' ? ' (no)' : ''}`).join('; ')}
                        </p>
                      )}
                      {e.unconfirmed.length > 0 && (
                        <p class="cell-note">Not asked yet: {e.unconfirmed.map((w) => w.name).join('; ')}</p>
                      )}
                    </details>
                  )}
                </li>
              );
            })}
          </ol>
          {step.severity.applicable && step.severity.iga_label && (
            <p>
              Acne severity estimate: <strong>{step.severity.iga_label}</strong>
              {step.severity.iga !== null && ` (IGA ${step.severity.iga})`}
              {step.severity.nice_band && `, ${step.severity.nice_band.replaceAll('_', ' ')}`}.
            </p>
          )}
        </section>
      )}
      {s && (
        <section class="panel print-summary" aria-labelledby="summary-heading" data-testid="doctor-summary">
          <h2 id="summary-heading">Summary for your doctor</h2>
          <p class="cell-note no-print">Print it or show it at your appointment.</p>
          <dl class="summary-list">
            {s.complaint && (
              <>
                <dt>Main problem</dt>
                <dd>{s.complaint}</dd>
              </>
            )}
            {([
              ['Timeline', s.timeline],
              ['Has', s.pertinent_positives],
              ['Does not have', s.pertinent_negatives],
              ['Medicines', s.medications],
              ['Treatments tried', s.treatments],
              ['Likely conditions', s.likely_conditions],
              ['Red flags', s.red_flags],
            ] as [string, string[]][])
              .filter(([, v]) => v.length > 0)
              .map(([k, v]) => (
                <Fragment key={k}>
                  <dt>{k}</dt>
                  <dd>{v.join('; ')}</dd>
                </Fragment>
              ))}
            {s.severity && (
              <>
                <dt>Severity</dt>
                <dd>{s.severity}</dd>
              </>
            )}
            <dt>Triage</dt>
            <dd>{s.triage}</dd>
          </dl>
        </section>
      )}
    </section>
  );
}

export function SymptomChecker() {
  const [profile, setProfile] = useState<Profile>({ age: '', sex: '', complaint: '' });
  const [profileErrors, setProfileErrors] = useState<Record<string, string>>({});
  const [started, setStarted] = useState(false);
  // Answered steps, and which one is on screen (steps.length = the newest question or
  // the result).
  const [steps, setSteps] = useState<{ question: Question; answers: Evidence[] }[]>([]);
  const [position, setPosition] = useState(0);
  const [latest, setLatest] = useState<InterviewStep | null>(null);
  const [picked, setPicked] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);

  function body(answered: { answers: Evidence[] }[]) {
    const context: Record<string, unknown> = {};
    if (profile.complaint.trim()) context['complaint'] = profile.complaint.trim();
    return {
      age: Number(profile.age),
      sex: profile.sex,
      context,
      evidence: answered.flatMap((s) => s.answers),
      options: { explain: true, doctor_summary: true },
    };
  }

  async function ask(answered: { question: Question; answers: Evidence[] }[]): Promise<boolean> {
    setPending(true);
    setError(null);
    try {
      const next = await api<InterviewStep>(INTERVIEW_PATH, { method: 'POST', body: body(answered) });
      setSteps(answered);
      setLatest(next);
      setPosition(answered.length);
      setPicked('');
      queueMicrotask(() => heading.current?.focus());
      return true;
    } catch (err) {
      const fields = fieldErrors(err);
      if (fields['age'] || fields['sex']) {
        setProfileErrors(fields);
        setStarted(false);
      }
      setError(errorMessage(err));
      return false;
    } finally {
      setPending(false);
    }
  }

  function onStart(e: Event) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const age = Number(profile.age);
    if (!profile.age.trim() || !Number.isInteger(age) || age < 0 || age > 120) errs['age'] = 'Enter an age in whole years, from 0 to 120.';
    if (!profile.sex) errs['sex'] = 'Choose female or male.';
    setProfileErrors(errs);
    if (Object.keys(errs).length > 0) return;
    setStarted(true);
    void ask([]);
  }

  const atEnd = position >= steps.length;
  const question: Question | null = atEnd ? (latest?.should_stop ? null : latest?.question ?? null) : steps[position]?.question ?? null;
  const shownPick = picked || (!atEnd && question ? pickedFrom(question, steps[position]?.answers ?? []) : '');

  async function onNext(e: Event) {
    e.preventDefault();
    if (!question) return;
    if (!shownPick) {
      setError('Choose an answer to continue.');
      return;
    }
    const answers = answersFor(question, shownPick);
    if (!atEnd) {
      const before = steps[position]?.answers ?? [];
      if (JSON.stringify(before) === JSON.stringify(answers)) {
        // Same answer as before: walk forward through what was already answered.
        setPosition(position + 1);
        setPicked('');
        setError(null);
        return;
      }
    }
    await ask([...steps.slice(0, position), { question, answers }]);
  }

  function onBack() {
    if (position === 0) return;
    setPosition(position - 1);
    setPicked('');
    setError(null);
  }

  function onForward() {
    if (position >= steps.length) return;
    setPosition(position + 1);
    setPicked('');
    setError(null);
  }

  function restart() {
    setProfileErrors({});
    setStarted(false);
    setSteps([]);
    setPosition(0);
    setLatest(null);
    setPicked('');
    setError(null);
  }

  const finished = started && latest !== null && atEnd && question === null;
  // A red flag answered on the way: say what to do at once, before the interview ends.
  const emergencyNow = started && latest !== null && latest.has_emergency_evidence && !finished;

  return (
    <section class="narrow symptom-checker">
      <PageTitle>Skin symptom checker</PageTitle>
      <div class="no-print">
        <p class="lead">
          Answer a few questions about your skin, one at a time. The checker suggests what it might be, how soon to see someone, and what to tell them. It does not replace a doctor, and
          nothing you enter is stored.
        </p>
        <p class="message message--warning">
          If you feel very unwell, call your local emergency number now. Taking isotretinoin? Read <a href={articleHref('article.red-flags')}>the red flags</a>.
        </p>
      </div>
      <ErrorMessage message={error} />

      {!started && (
        <form class="form" onSubmit={onStart} noValidate aria-label="About you">
          <Field id="sc-age" label="Age (years)" error={profileErrors['age']}>
            {(aria) => <input {...aria} type="number" inputMode="numeric" min="0" max="120" value={profile.age} onInput={(e) => setProfile({ ...profile, age: e.currentTarget.value })} />}
          </Field>
          <Field id="sc-sex" label="Sex" hint="Some conditions are more common in one sex." error={profileErrors['sex']}>
            {(aria) => (
              <select {...aria} value={profile.sex} onChange={(e) => setProfile({ ...profile, sex: e.currentTarget.value as Profile['sex'] })}>
                <option value="">Choose…</option>
                <option value="female">Female</option>
                <option value="male">Male</option>
              </select>
            )}
          </Field>
          <Field id="sc-complaint" label="What is the problem, in your own words? (optional)" hint="It goes into the summary for your doctor.">
            {(aria) => <textarea {...aria} rows={2} maxLength={500} value={profile.complaint} onInput={(e) => setProfile({ ...profile, complaint: e.currentTarget.value })} />}
          </Field>
          <div class="form__actions">
            <button type="submit" class="button" disabled={pending}>
              Start
            </button>
          </div>
        </form>
      )}

      {started && !latest && error && !pending && (
        <div class="form__actions">
          <button type="button" class="button" onClick={() => void ask([])}>
            Try again
          </button>
        </div>
      )}

      {emergencyNow && latest && <TriageBanner step={latest} final={false} />}

      {started && question && (
        <form class="form" onSubmit={onNext} aria-labelledby="sc-question" data-testid="symptom-question">
          <p class="step-count">
            Question {position + 1}
            {question.phase === 'red_flag_screen' && ' · safety question'}
          </p>
          <fieldset>
            <legend>
              <h2 id="sc-question" tabIndex={-1} ref={heading}>
                {question.text}
              </h2>
            </legend>
            {question.rationale && <p class="field__hint">{question.rationale}</p>}
            {(question.type === 'single'
              ? (question.items[0]?.choices ?? YES_NO).map((c) => ({ value: c.id as string, label: c.label }))
              : [...question.items.map((it) => ({ value: it.id, label: it.name })), { value: 'unknown', label: "Don't know" }]
            ).map((o) => (
              <label class="radio" key={o.value}>
                <input type="radio" name={`q-${question.id}`} value={o.value} checked={shownPick === o.value} onChange={() => setPicked(o.value)} /> {o.label}
              </label>
            ))}
          </fieldset>
          <div class="form__actions">
            <button type="button" class="button button--secondary" onClick={onBack} disabled={position === 0 || pending}>
              Back
            </button>
            {!atEnd && (
              <button type="button" class="button button--secondary" onClick={onForward} disabled={pending}>
                Forward
              </button>
            )}
            <button type="submit" class="button" disabled={pending} aria-busy={pending}>
              {pending ? 'Thinking…' : 'Next'}
            </button>
          </div>
        </form>
      )}

      {finished && latest && (
        <>
          <Results step={latest} />
          <div class="form__actions no-print">
            <button type="button" class="button button--secondary" onClick={onBack} disabled={steps.length === 0}>
              Back
            </button>
            <button type="button" class="button button--secondary" onClick={restart}>
              Start again
            </button>
            <PrintButton label="Print the summary" />
          </div>
        </>
      )}
    </section>
  );
}
