// Public symptom checker (issue 6), one question at a time. The engine lives on the
// server; this page keeps the interview state (the evidence so far) and sends all of it
// on every step, following the stateless design in
// shared/clinical/acne-symptom-checker.md §5.3. Endpoint shapes are provisional until
// the server's checker lands.
import { useState } from 'preact/hooks';
import { api, errorMessage } from '../api/client';
import { ErrorMessage, Field, PageTitle, PrintButton } from '../components/ui';
import { articleHref } from '../router';

export const INTERVIEW_NEXT_PATH = '/api/v1/interview/next';
export const INTERVIEW_TRIAGE_PATH = '/api/v1/interview/triage';

type Choice = 'present' | 'absent' | 'unknown';

interface Evidence {
  id: string;
  choice: Choice;
  source?: string;
}

interface QuestionItem {
  id: string;
  name: string;
  choices?: { id: Choice; label: string }[];
}

interface Question {
  id: string;
  type: 'single' | 'group_single' | 'group_multiple' | string;
  text: string;
  items: QuestionItem[];
}

interface NextResponse {
  question?: Question | null;
  conditions?: { id: string; name: string; probability: number }[];
  should_stop?: boolean;
  has_emergency_evidence?: boolean;
}

interface TriageResponse {
  level: string;
  patient_message?: string;
  reasons?: string[];
  serious?: { id: string; name: string }[];
}

interface Profile {
  age: string;
  sex: '' | 'female' | 'male';
  onIsotretinoin: boolean;
}

const DEFAULT_CHOICES: { id: Choice; label: string }[] = [
  { id: 'present', label: 'Yes' },
  { id: 'absent', label: 'No' },
  { id: 'unknown', label: "Don't know" },
];

function newInterviewId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto
    ? crypto.randomUUID()
    : `i-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export function SymptomChecker() {
  const [profile, setProfile] = useState<Profile>({ age: '', sex: '', onIsotretinoin: false });
  const [profileErrors, setProfileErrors] = useState<{ age?: string; sex?: string }>({});
  const [interviewId, setInterviewId] = useState<string | null>(null);
  // One entry per answered question, so Back can undo exactly one step.
  const [steps, setSteps] = useState<{ question: Question; answers: Evidence[] }[]>([]);
  const [current, setCurrent] = useState<NextResponse | null>(null);
  const [draft, setDraft] = useState<Record<string, Choice>>({});
  const [triage, setTriage] = useState<TriageResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  function requestBody(evidence: Evidence[], id: string) {
    return {
      interview_id: id,
      age: Number(profile.age),
      sex: profile.sex,
      context: { on_isotretinoin: profile.onIsotretinoin },
      evidence,
    };
  }

  async function advance(evidence: Evidence[], id: string) {
    setPending(true);
    setError(null);
    try {
      const next = await api<NextResponse>(INTERVIEW_NEXT_PATH, { method: 'POST', body: requestBody(evidence, id) });
      if (next.should_stop || !next.question) {
        setCurrent(next);
        setTriage(await api<TriageResponse>(INTERVIEW_TRIAGE_PATH, { method: 'POST', body: requestBody(evidence, id) }));
      } else {
        setCurrent(next);
        setDraft({});
      }
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setPending(false);
    }
  }

  function onStart(e: Event) {
    e.preventDefault();
    const errs: typeof profileErrors = {};
    const age = Number(profile.age);
    if (!profile.age || !Number.isInteger(age) || age < 1 || age > 120) errs.age = 'Enter an age in whole years, from 1 to 120.';
    if (!profile.sex) errs.sex = 'Choose the sex used for medical purposes.';
    setProfileErrors(errs);
    if (errs.age || errs.sex) return;
    const id = newInterviewId();
    setInterviewId(id);
    setSteps([]);
    setTriage(null);
    void advance([], id);
  }

  async function onAnswer(e: Event) {
    e.preventDefault();
    const q = current?.question;
    if (!q || !interviewId) return;
    const answers: Evidence[] = q.items
      .filter((it) => draft[it.id] !== undefined || q.type === 'group_multiple')
      .map((it) => ({ id: it.id, choice: draft[it.id] ?? 'absent', source: 'questionnaire' }));
    if (answers.length === 0) {
      setError('Choose an answer to continue.');
      return;
    }
    const nextSteps = [...steps, { question: q, answers }];
    if (await advance(nextSteps.flatMap((s) => s.answers), interviewId)) setSteps(nextSteps);
  }

  function onBack() {
    const last = steps[steps.length - 1];
    if (!last) return;
    setSteps(steps.slice(0, -1));
    setTriage(null);
    setCurrent({ question: last.question });
    setDraft(Object.fromEntries(last.answers.map((a) => [a.id, a.choice])));
    setError(null);
  }

  function restart() {
    setInterviewId(null);
    setSteps([]);
    setCurrent(null);
    setTriage(null);
    setError(null);
  }

  const question = !triage ? current?.question ?? null : null;

  return (
    <section class="narrow">
      <PageTitle>Skin symptom checker</PageTitle>
      <p class="lead">
        Answer a few questions about your skin. The checker suggests what it might be, how soon to
        see someone, and what to tell them. It does not replace a doctor.
      </p>
      <p class="message message--warning">
        If you feel very unwell, call your local emergency number now. Taking isotretinoin? Read{' '}
        <a href={articleHref('article.red-flags')}>the red flags</a>.
      </p>
      <ErrorMessage message={error} />

      {!interviewId && (
        <form class="form" onSubmit={onStart} noValidate>
          <Field id="age" label="Age (years)" error={profileErrors.age}>
            {(aria) => (
              <input {...aria} type="number" inputMode="numeric" min="1" max="120" value={profile.age}
                onInput={(e) => setProfile({ ...profile, age: e.currentTarget.value })} />
            )}
          </Field>
          <Field id="sex" label="Sex" hint="Used to estimate how likely each condition is." error={profileErrors.sex}>
            {(aria) => (
              <select {...aria} value={profile.sex}
                onChange={(e) => setProfile({ ...profile, sex: e.currentTarget.value as Profile['sex'] })}>
                <option value="">Choose…</option>
                <option value="female">Female</option>
                <option value="male">Male</option>
              </select>
            )}
          </Field>
          <label class="checkbox">
            <input type="checkbox" checked={profile.onIsotretinoin}
              onChange={(e) => setProfile({ ...profile, onIsotretinoin: e.currentTarget.checked })} />{' '}
            I am taking isotretinoin now
          </label>
          <button type="submit" class="button" disabled={pending}>
            Start
          </button>
        </form>
      )}

      {interviewId && question && (
        <form class="form" onSubmit={onAnswer}>
          <p class="step-count">Question {steps.length + 1}</p>
          {question.items.length <= 1 ? (
            <fieldset>
              <legend>{question.text}</legend>
              {(question.items[0]?.choices ?? DEFAULT_CHOICES).map((c) => (
                <label class="radio" key={c.id}>
                  <input type="radio" name={`q-${question.id}`} value={c.id}
                    checked={question.items[0] ? draft[question.items[0].id] === c.id : false}
                    onChange={() => question.items[0] && setDraft({ [question.items[0].id]: c.id })} />{' '}
                  {c.label}
                </label>
              ))}
            </fieldset>
          ) : question.type === 'group_single' ? (
            <fieldset>
              <legend>{question.text}</legend>
              {question.items.map((it) => (
                <label class="radio" key={it.id}>
                  <input type="radio" name={`q-${question.id}`} value={it.id}
                    checked={draft[it.id] === 'present'}
                    onChange={() => setDraft(Object.fromEntries(question.items.map((o) => [o.id, o.id === it.id ? 'present' : 'absent'])))} />{' '}
                  {it.name}
                </label>
              ))}
            </fieldset>
          ) : (
            <fieldset>
              <legend>{question.text}</legend>
              <p class="field__hint">Tick all that apply.</p>
              {question.items.map((it) => (
                <label class="checkbox" key={it.id}>
                  <input type="checkbox" checked={draft[it.id] === 'present'}
                    onChange={(e) => setDraft({ ...draft, [it.id]: e.currentTarget.checked ? 'present' : 'absent' })} />{' '}
                  {it.name}
                </label>
              ))}
            </fieldset>
          )}
          <div class="form__actions">
            <button type="button" class="button button--secondary" onClick={onBack} disabled={steps.length === 0 || pending}>
              Back
            </button>
            <button type="submit" class="button" disabled={pending} aria-busy={pending}>
              Next
            </button>
          </div>
        </form>
      )}

      {triage && (
        <section class="result" aria-labelledby="result-heading">
          <h2 id="result-heading">What to do next</h2>
          <p class={`triage triage--${triage.level}`}>{triage.patient_message ?? triage.level}</p>
          {triage.reasons && triage.reasons.length > 0 && (
            <ul>
              {triage.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
          {current?.conditions && current.conditions.length > 0 && (
            <>
              <h3>What it might be</h3>
              <ol>
                {current.conditions.map((c) => (
                  <li key={c.id}>
                    {c.name} ({Math.round(c.probability * 100)}%)
                  </li>
                ))}
              </ol>
            </>
          )}
          <div class="form__actions no-print">
            <button type="button" class="button button--secondary" onClick={onBack} disabled={steps.length === 0}>
              Back
            </button>
            <button type="button" class="button button--secondary" onClick={restart}>
              Start again
            </button>
            <PrintButton label="Print the summary" />
          </div>
        </section>
      )}
    </section>
  );
}
