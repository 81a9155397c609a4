import { useMemo, useState } from 'preact/hooks';
import { api, errorMessage, fieldErrors, isMissingRoute } from '../api/client';
import { routes } from '../api/endpoints';
import type { Patient } from '../api/types';
import { useApi } from '../api/useApi';
import { patientHref } from '../router';
import type { DosePlan, DosePlanRequest, PlanDay } from '../api/types';
import { CumulativeChart } from '../components/CumulativeChart';
import { ErrorMessage, Field, MissingRoute, PageTitle, PrintButton } from '../components/ui';
import { DEFAULT_TARGET_MG_PER_KG, PRODUCTS, REGIMENS } from './dose-options';

export const DOSE_PLAN_PATH = '/api/v1/dose-plan';

type FieldName = 'weight_kg' | 'product' | 'target_mg_per_kg' | 'start' | 'regimen' | 'doses_per_day' | 'already_taken_mg';
type FieldErrors = Partial<Record<FieldName, string>>;

interface FormState {
  product: string;
  weight: string;
  target: string;
  start: string;
  regimen: string;
  dosesPerDay: string;
  alreadyTaken: string;
}

function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Client-side checks that mirror the server's limits, so most mistakes are caught
 * before a round trip. The server remains the judge and its messages win. */
export function validate(f: FormState): { request: DosePlanRequest | null; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const weight = Number(f.weight);
  if (f.weight.trim() === '') errors.weight_kg = 'Enter the body weight in kg.';
  else if (!Number.isFinite(weight) || weight <= 0 || weight > 400) errors.weight_kg = 'Body weight must be more than 0 and at most 400 kg.';
  const target = Number(f.target);
  if (f.target.trim() === '') errors.target_mg_per_kg = 'Enter the cumulative target in mg/kg.';
  else if (!Number.isFinite(target) || target <= 0 || target > 300) errors.target_mg_per_kg = 'The cumulative target must be above 0 and at most 300 mg/kg.';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.start)) errors.start = 'Enter the first day of treatment as YYYY-MM-DD.';
  if (!f.product) errors.product = 'Choose a product.';
  let already: number | undefined;
  if (f.alreadyTaken.trim() !== '') {
    already = Number(f.alreadyTaken);
    if (!Number.isFinite(already) || already < 0) errors.already_taken_mg = 'Already taken must be 0 mg or more.';
  }
  if (Object.keys(errors).length > 0) return { request: null, errors };
  const request: DosePlanRequest = {
    weight_kg: weight,
    product: f.product,
    target_mg_per_kg: target,
    start: f.start,
    regimen: f.regimen,
  };
  if (f.dosesPerDay) request.doses_per_day = Number(f.dosesPerDay);
  if (already !== undefined && already > 0) request.already_taken_mg = already;
  return { request, errors };
}

function severityLabel(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function DosePlanner({ patientId = null }: { patientId?: string | null }) {
  const patient = useApi<Patient>(patientId ? routes.patient(patientId) : null);
  const [missing, setMissing] = useState<string | null>(null);
  const [form, setForm] = useState<FormState>({
    product: PRODUCTS[0].id,
    weight: '',
    target: String(DEFAULT_TARGET_MG_PER_KG),
    start: today(),
    regimen: REGIMENS[0].id,
    dosesPerDay: '',
    alreadyTaken: '',
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [plan, setPlan] = useState<DosePlan | null>(null);
  const [pending, setPending] = useState(false);
  const [everyDay, setEveryDay] = useState(false);

  const set = (key: keyof FormState) => (e: Event) =>
    setForm((f) => ({ ...f, [key]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value }));

  async function onSubmit(e: Event) {
    e.preventDefault();
    const { request, errors: found } = validate(form);
    setErrors(found);
    setServerError(null);
    if (!request) return;
    setPending(true);
    setMissing(null);
    try {
      const path = patientId ? routes.patientDosePlan(patientId) : DOSE_PLAN_PATH;
      setPlan(await api<DosePlan>(path, { method: 'POST', body: request }));
    } catch (err) {
      setPlan(null);
      if (isMissingRoute(err)) setMissing(errorMessage(err));
      setErrors(fieldErrors(err) as FieldErrors);
      setServerError(errorMessage(err));
    } finally {
      setPending(false);
    }
  }

  const rows: PlanDay[] = useMemo(() => {
    if (!plan) return [];
    if (everyDay) return plan.days;
    const last = plan.days[plan.days.length - 1];
    return plan.days.filter((d) => d.day % 7 === 0 || d === last);
  }, [plan, everyDay]);

  const points = useMemo(
    () => (plan ? plan.days.map((d) => ({ day: d.day, value: d.cumulative_mg_per_kg })) : []),
    [plan],
  );

  return (
    <section>
      {patientId && (
        <p class="no-print">
          <a href={patientHref(patientId)}>← Back to the chart</a>
        </p>
      )}
      <PageTitle>{patient.data ? `Dose planner: ${patient.data.given_name} ${patient.data.family_name}` : 'Dose planner'}</PageTitle>
      {missing !== null && <MissingRoute what="The planner without a patient" route="POST /api/v1/dose-plan" detail={missing} />}
      <p class="lead no-print">
        Plan daily doses and capsules from weight, product, regimen and a cumulative target. Every
        warning names its rule and source.
      </p>
      <form class="form form--grid no-print" onSubmit={onSubmit} noValidate>
        <Field id="product" label="Product" error={errors.product}>
          {(aria) => (
            <select {...aria} value={form.product} onChange={set('product')}>
              {PRODUCTS.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="weight" label="Weight (kg)" error={errors.weight_kg}>
          {(aria) => (
            <input {...aria} type="number" inputMode="decimal" min="1" max="400" step="0.1" value={form.weight} onInput={set('weight')} />
          )}
        </Field>
        <Field id="target" label="Cumulative target (mg/kg)" hint="Standard range 120–150 mg/kg." error={errors.target_mg_per_kg}>
          {(aria) => (
            <input {...aria} type="number" inputMode="decimal" min="1" max="300" step="1" value={form.target} onInput={set('target')} />
          )}
        </Field>
        <Field id="start" label="First day of treatment" error={errors.start}>
          {(aria) => <input {...aria} type="date" value={form.start} onInput={set('start')} />}
        </Field>
        <Field id="regimen" label="Regimen" error={errors.regimen}>
          {(aria) => (
            <select {...aria} value={form.regimen} onChange={set('regimen')}>
              {REGIMENS.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="doses-per-day" label="Doses a day" error={errors.doses_per_day}>
          {(aria) => (
            <select {...aria} value={form.dosesPerDay} onChange={set('dosesPerDay')}>
              <option value="">As the regimen says</option>
              <option value="1">1</option>
              <option value="2">2</option>
            </select>
          )}
        </Field>
        <Field id="already-taken" label="Already taken before this start (mg)" hint="Optional." error={errors.already_taken_mg}>
          {(aria) => (
            <input {...aria} type="number" inputMode="decimal" min="0" step="1" value={form.alreadyTaken} onInput={set('alreadyTaken')} />
          )}
        </Field>
        <div class="form__actions">
          <button type="submit" class="button" disabled={pending} aria-busy={pending}>
            {pending ? 'Planning…' : 'Plan the course'}
          </button>
        </div>
      </form>
      <ErrorMessage message={serverError} />

      {plan && (
        <div class="plan" aria-live="polite">
          <h2>
            {plan.product.name}, {plan.weight_kg} kg
          </h2>
          <p class="plan__summary">
            {plan.target_date
              ? `Target ${plan.target_mg_per_kg} mg/kg (${plan.target_mg} mg) is reached on ${plan.target_date}, day ${plan.days_to_target}.`
              : `Target ${plan.target_mg_per_kg} mg/kg is not reached by this regimen.`}{' '}
            {plan.doses_per_day} dose{plan.doses_per_day === 1 ? '' : 's'} a day, starting {plan.start}.
          </p>

          {plan.warnings.length > 0 && (
            <section aria-labelledby="warnings-heading">
              <h3 id="warnings-heading">Warnings and notes</h3>
              <ul class="warnings">
                {plan.warnings.map((w, i) => (
                  <li key={`${w.rule_id}-${i}`} class={`warning warning--${w.severity}`}>
                    <span class="badge">{severityLabel(w.severity)}</span> {w.message}
                    {w.detail && <span class="warning__detail"> ({w.detail})</span>}
                    <span class="warning__source">
                      Rule <code>{w.rule_id}</code> · Source: {w.citation.text}
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          )}

          <section aria-labelledby="phases-heading">
            <h3 id="phases-heading">Phases</h3>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Phase</th>
                    <th scope="col">Dates</th>
                    <th scope="col">Daily dose</th>
                    <th scope="col">mg/kg/day</th>
                    <th scope="col">Cumulative at end</th>
                  </tr>
                </thead>
                <tbody>
                  {plan.phases.map((p) => (
                    <tr key={p.index}>
                      <td>
                        {p.index} (days {p.first_day}–{p.last_day})
                      </td>
                      <td>
                        {p.first_date} to {p.last_date}
                      </td>
                      <td>
                        {p.daily.text} = {p.daily.total_mg} mg
                        <div class="cell-note">{p.explanation}</div>
                      </td>
                      <td>{p.mg_per_kg_day}</td>
                      <td>
                        {p.cumulative_mg_at_end} mg ({p.cumulative_mg_per_kg_at_end} mg/kg)
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>

          <CumulativeChart
            points={points}
            target={plan.target_mg_per_kg}
            summary={
              plan.target_date
                ? `Cumulative dose by day; the ${plan.target_mg_per_kg} mg/kg target is reached on day ${plan.days_to_target}.`
                : `Cumulative dose by day; the ${plan.target_mg_per_kg} mg/kg target is not reached.`
            }
          />

          <section aria-labelledby="days-heading">
            <h3 id="days-heading">{everyDay ? 'Every day' : 'Week by week'}</h3>
            <label class="checkbox no-print">
              <input type="checkbox" checked={everyDay} onChange={(e) => setEveryDay(e.currentTarget.checked)} /> Show every day
            </label>
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{everyDay ? 'Day' : 'Week'}</th>
                    <th scope="col">Date</th>
                    <th scope="col">Daily mg</th>
                    <th scope="col">Cumulative mg</th>
                    <th scope="col">Cumulative mg/kg</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((d) => (
                    <tr key={d.day}>
                      <td>{everyDay ? d.day : d.day % 7 === 0 ? d.day / 7 : `day ${d.day}`}</td>
                      <td>{d.date}</td>
                      <td>{d.daily_mg}</td>
                      <td>{d.cumulative_mg}</td>
                      <td>{d.cumulative_mg_per_kg}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <p class="plan__footnote">Knowledge base version {plan.knowledge_version}.</p>
          <PrintButton label="Print the plan" />
        </div>
      )}
    </section>
  );
}
