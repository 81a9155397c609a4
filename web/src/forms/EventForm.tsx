// One form for any timeline event (specs.ts). Inline errors come first from the
// client checks (the codec's words), then from the server's problem+json, which
// replaces them: each problem lands at its field by its JSON path.
import { useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, errorMessage, fieldErrors, newIdempotencyKey } from '../api/client';
import { routes } from '../api/endpoints';
import type { AppendResult, Patient } from '../api/types';
import { ConfirmDialog, ErrorMessage, Field } from '../components/ui';
import { humanize } from '../components/decisions';
import { buildEvent, type EventSpec, type FieldSpec, type FormValues, initialValues, validateValues } from './specs';

export function todayIso(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Appends events for a patient at the version the server holds now. */
export async function appendEvents(patientId: string, events: Record<string, unknown>[], key: string): Promise<AppendResult> {
  const patient = await api<Patient>(routes.patient(patientId));
  return api<AppendResult>(routes.events(patientId), {
    method: 'POST',
    body: { expected_version: patient.version, events },
    idempotencyKey: key,
  });
}

function fieldId(spec: EventSpec, name: string): string {
  return `f-${spec.type}-${name.replace(/[^a-z0-9]+/gi, '-')}`;
}

function optionList(f: FieldSpec): { value: string; label: string }[] {
  return (f.options ?? []).map((o) => (typeof o === 'string' ? { value: o, label: o === '' ? '(none)' : humanize(o) } : o));
}

interface Props {
  patientId: string;
  spec: EventSpec;
  onSaved(result: AppendResult): void;
  submitLabel?: string;
}

export function EventForm({ patientId, spec, onSaved, submitLabel }: Props) {
  const [values, setValues] = useState<FormValues>(() => initialValues(spec, todayIso()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const keyRef = useRef<string>(newIdempotencyKey());
  const known = useMemo(() => new Set(['date', ...spec.fields.map((f) => f.name)]), [spec]);

  const set = (name: string, value: FormValues[string]) => {
    setValues((v) => ({ ...v, [name]: value }));
    // The edit answers this field's problem; the rest stay until the next check.
    setErrors((e) => {
      if (!e[name]) return e;
      const next = { ...e };
      delete next[name];
      return next;
    });
  };

  async function save() {
    setPending(true);
    setServerError(null);
    try {
      const result = await appendEvents(patientId, [buildEvent(spec, values)], keyRef.current);
      keyRef.current = newIdempotencyKey();
      setConfirming(false);
      setValues(initialValues(spec, todayIso()));
      setErrors({});
      onSaved(result);
    } catch (err) {
      setConfirming(false);
      const byField = fieldErrors(err, /^events\[0\]\./);
      const atFields: Record<string, string> = {};
      for (const [k, m] of Object.entries(byField)) if (known.has(k)) atFields[k] = m;
      setErrors(atFields);
      const others = Object.entries(byField).filter(([k]) => !known.has(k));
      const base = errorMessage(err);
      setServerError(others.length > 0 ? `${base} ${others.map(([k, m]) => `${k}: ${m}`).join('; ')}` : base);
      // A conflict means someone else wrote first; a fresh key lets the retry through.
      if (err instanceof ApiError && err.status === 409) keyRef.current = newIdempotencyKey();
    } finally {
      setPending(false);
    }
  }

  function onSubmit(e: Event) {
    e.preventDefault();
    const found = validateValues(spec, values);
    setErrors(found);
    setServerError(null);
    if (Object.keys(found).length > 0) {
      // Move the reader to the first problem.
      const first = [...known].find((k) => found[k]);
      if (first) document.getElementById(fieldId(spec, first))?.focus();
      return;
    }
    if (spec.lifecycle) setConfirming(true);
    else void save();
  }

  function renderField(f: FieldSpec) {
    if (f.showIf && !f.showIf(values)) return null;
    const id = fieldId(spec, f.name);
    const v = values[f.name];
    const label = f.required ? `${f.label} (required)` : f.label;
    if (f.kind === 'bool') {
      return (
        <div class={`field${errors[f.name] ? ' field--invalid' : ''}`} key={f.name}>
          <label class="checkbox" for={id}>
            <input id={id} type="checkbox" checked={v === true} onChange={(e) => set(f.name, e.currentTarget.checked)} /> {f.label}
          </label>
          {errors[f.name] && <p class="field__error">{errors[f.name]}</p>}
        </div>
      );
    }
    if (f.kind === 'checkboxes') {
      const chosen = Array.isArray(v) ? v : [];
      const errId = `${id}-error`;
      return (
        <fieldset key={f.name} id={id} tabIndex={-1} class={`checkboxes${errors[f.name] ? ' field--invalid' : ''}`} aria-describedby={errors[f.name] ? errId : undefined}>
          <legend>{label}</legend>
          <div class="checkboxes__list">
            {optionList(f).map((o) => (
              <label class="checkbox" key={o.value}>
                <input
                  type="checkbox"
                  value={o.value}
                  checked={chosen.includes(o.value)}
                  onChange={(e) => set(f.name, e.currentTarget.checked ? [...chosen, o.value] : chosen.filter((x) => x !== o.value))}
                />{' '}
                {o.label}
              </label>
            ))}
          </div>
          {errors[f.name] && (
            <p class="field__error" id={errId}>
              {errors[f.name]}
            </p>
          )}
        </fieldset>
      );
    }
    return (
      <Field key={f.name} id={id} label={label} hint={f.hint} error={errors[f.name]}>
        {(aria) => {
          const s = typeof v === 'string' ? v : '';
          if (f.kind === 'select') {
            return (
              <select {...aria} name={f.name} value={s} onChange={(e) => set(f.name, e.currentTarget.value)}>
                {!f.required || s === '' ? <option value="">Choose…</option> : null}
                {optionList(f)
                  .filter((o) => o.value !== '')
                  .map((o) => (
                    <option key={o.value} value={o.value}>
                      {o.label}
                    </option>
                  ))}
              </select>
            );
          }
          if (f.kind === 'textarea') {
            return <textarea {...aria} name={f.name} rows={3} value={s} onInput={(e) => set(f.name, e.currentTarget.value)} />;
          }
          const numeric = f.kind === 'number' || f.kind === 'int';
          return (
            <input
              {...aria}
              name={f.name}
              type={f.kind === 'date' ? 'date' : numeric ? 'number' : 'text'}
              inputMode={numeric ? (f.kind === 'int' ? 'numeric' : 'decimal') : undefined}
              step={numeric ? (f.step ?? (f.kind === 'int' ? '1' : 'any')) : undefined}
              value={s}
              onInput={(e) => set(f.name, e.currentTarget.value)}
            />
          );
        }}
      </Field>
    );
  }

  const dateId = fieldId(spec, 'date');
  return (
    <form class="form form--grid event-form" onSubmit={onSubmit} noValidate data-event-type={spec.type} aria-label={spec.label}>
      <p class="field__hint form__full">{spec.about}</p>
      <ErrorMessage message={serverError} />
      <Field id={dateId} label="Date (required)" error={errors['date']}>
        {(aria) => <input {...aria} name="date" type="date" value={values['date'] as string} onInput={(e) => set('date', e.currentTarget.value)} />}
      </Field>
      {spec.fields.map(renderField)}
      <div class="form__actions">
        <button type="submit" class="button" disabled={pending} aria-busy={pending}>
          {pending ? 'Saving…' : (submitLabel ?? (spec.lifecycle ? spec.label : `Record ${spec.label.toLowerCase()}`))}
        </button>
      </div>
      <ConfirmDialog
        open={confirming}
        title={`${spec.label}?`}
        confirmLabel={`Yes, ${spec.label.toLowerCase()}`}
        pending={pending}
        onConfirm={() => void save()}
        onCancel={() => setConfirming(false)}
      >
        <p>{spec.about}</p>
        <p>
          Effective date: <strong>{values['date'] as string}</strong>. This is added to the record and cannot be deleted; a
          mistake is fixed with a correction.
        </p>
      </ConfirmDialog>
    </form>
  );
}
