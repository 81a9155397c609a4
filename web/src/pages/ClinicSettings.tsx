// The clinic's course-engine settings (src/server/routes_settings.cpp): which lab
// monitoring profile the clinic follows, when iPLEDGE's 2026 rules apply, the
// retreatment interval... Every evaluation of the clinic's patients uses them. The
// clinic's prescribers (and admins) change them; staff and pharmacists read them.
// Each change is a new version; a change made meanwhile by someone else is refused
// (409) rather than overwritten.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorMessage, fieldErrors } from '../api/client';
import { routes } from '../api/endpoints';
import type { Clinic, ClinicSettings, EngineSettings, Page } from '../api/types';
import { useApi } from '../api/useApi';
import { ErrorMessage, Field, Loading, PageTitle } from '../components/ui';
import { href, navigate } from '../router';
import { useSession } from '../session';

const LAB_PROFILES: [string, string][] = [
  ['', "By the patient's jurisdiction (US label in the US, EU SmPC in the EU and UK)"],
  ['us_label', 'US label: baseline, then periodic until the response is known'],
  ['delphi_2022', 'DELPHI 2022 consensus: ALT and TG before the start and at peak dose; no CBC'],
  ['eu_smpc', 'EU SmPC: baseline, 1 month after the start, then every 3 months'],
];
const RETREATMENT: [string, string][] = [
  ['label_8_weeks', 'Label and SmPC: at least 8 weeks off the drug'],
  ['msd_4_months', 'MSD Manual: about 4 months'],
];
const WEIGHT_RULES: [string, string][] = [
  ['per_period', 'The weight of each period of the course'],
  ['latest', 'The latest weight'],
];

interface Form {
  lab_profile: string;
  retreatment: string;
  weight_rule: string;
  ipledge_2026_cutover: string;
  cumulative_goal_mg_per_kg: string;
  home_tests_opt_in: boolean;
  due_soon_days: string;
  note: string;
}

/** The form as the server's effective settings show it (defaults filled in). */
export function formFrom(s: ClinicSettings): Form {
  const e = s.effective;
  return {
    lab_profile: e.lab_profile ?? '',
    retreatment: e.retreatment,
    weight_rule: e.weight_rule,
    ipledge_2026_cutover: e.ipledge_2026_cutover,
    cumulative_goal_mg_per_kg: e.cumulative_goal_mg_per_kg == null ? '' : String(e.cumulative_goal_mg_per_kg),
    home_tests_opt_in: e.home_tests_opt_in,
    due_soon_days: String(e.due_soon_days),
    note: typeof s.settings.note === 'string' ? s.settings.note : '',
  };
}

/**
 * The settings to store: only what differs from the engine's defaults, so a clinic
 * that chose nothing keeps following new defaults. Numbers the person typed go as
 * numbers; text that is not a number goes as text, for the server to name the field.
 */
export function settingsFrom(f: Form, defaults: EngineSettings, keep: EngineSettings): EngineSettings {
  const out: EngineSettings = {};
  if (keep.jurisdiction) out.jurisdiction = keep.jurisdiction;
  if (f.lab_profile) out.lab_profile = f.lab_profile;
  if (f.retreatment !== defaults.retreatment) out.retreatment = f.retreatment;
  if (f.weight_rule !== defaults.weight_rule) out.weight_rule = f.weight_rule;
  if (f.ipledge_2026_cutover !== defaults.ipledge_2026_cutover) out.ipledge_2026_cutover = f.ipledge_2026_cutover;
  const num = (v: string) => (v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v.trim());
  if (f.cumulative_goal_mg_per_kg.trim() !== '') out.cumulative_goal_mg_per_kg = num(f.cumulative_goal_mg_per_kg);
  if (f.home_tests_opt_in) out.home_tests_opt_in = true;
  if (f.due_soon_days.trim() !== String(defaults.due_soon_days)) out.due_soon_days = num(f.due_soon_days);
  if (f.note.trim()) out.note = f.note.trim();
  return out;
}

// The engine's defaults (src/core/course/assessment.h, Settings), for "only what differs".
/** "2026-12-07T00:42:05.844Z" -> "2026-12-07 00:42 UTC". */
function when(at: string | null): string {
  return at ? `${at.slice(0, 16).replace('T', ' ')} UTC` : '';
}

const DEFAULTS: EngineSettings = {
  retreatment: 'label_8_weeks',
  weight_rule: 'per_period',
  ipledge_2026_cutover: '2026-08-08',
  due_soon_days: 7,
};

function Choice({ id, label, value, options, disabled, error, onChange }: {
  id: string;
  label: string;
  value: string;
  options: [string, string][];
  disabled: boolean;
  error?: string;
  onChange(v: string): void;
}) {
  return (
    <Field id={id} label={label} error={error}>
      {(aria) => (
        <select {...aria} value={value} disabled={disabled} onChange={(e) => onChange(e.currentTarget.value)}>
          {options.map(([v, text]) => (
            <option key={v} value={v}>
              {text}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function ClinicSettingsPage({ clinicId }: { clinicId: string | null }) {
  const { user } = useSession();
  const isAdmin = user?.role === 'admin';
  const clinic = clinicId ?? user?.clinic_id ?? null;
  const mayChange = isAdmin || user?.role === 'prescriber';
  const clinics = useApi<Page<Clinic>>(isAdmin ? routes.clinics : null);
  const current = useApi<ClinicSettings>(clinic ? routes.clinicSettings(clinic) : null);
  const history = useApi<{ items: ClinicSettings[] }>(clinic ? routes.clinicSettingsHistory(clinic) : null);
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    if (current.data) setForm(formFrom(current.data));
  }, [current.data]);

  const set = <K extends keyof Form>(k: K) => (v: Form[K]) => setForm((f) => (f ? { ...f, [k]: v } : f));

  async function onSave(e: Event) {
    e.preventDefault();
    if (!form || !current.data || !clinic) return;
    setErrors({});
    setError(null);
    setSaved(null);
    setPending(true);
    try {
      const body = {
        expected_version: current.data.version,
        settings: settingsFrom(form, DEFAULTS, current.data.settings),
      };
      const stored = await api<ClinicSettings>(routes.clinicSettings(clinic), { method: 'PUT', body });
      setSaved(`Saved as version ${stored.version}. The clinic's patients are evaluated with these settings from now on.`);
      current.reload();
      history.reload();
    } catch (err) {
      setErrors(fieldErrors(err, 'settings.'));
      setError(
        err instanceof ApiError && err.status === 409
          ? `${errorMessage(err)} Reload the page to see the current settings.`
          : errorMessage(err),
      );
    } finally {
      setPending(false);
    }
  }

  const disabled = !mayChange || pending;
  return (
    <>
      <PageTitle>Clinic settings</PageTitle>
      <p>
        How the course engine evaluates this clinic's patients. <a href={href('/clinic')}>Back to the worklist</a>
      </p>
      {isAdmin && (
        <div class="field">
          <label for="cs-clinic">Clinic</label>
          <select
            id="cs-clinic"
            value={clinic ?? ''}
            onChange={(e) => navigate(`/clinic/settings?clinic=${encodeURIComponent(e.currentTarget.value)}`)}
          >
            <option value="">Choose a clinic</option>
            {(clinics.data?.items ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.jurisdiction})
              </option>
            ))}
          </select>
        </div>
      )}
      {!clinic && !isAdmin && <ErrorMessage message="Your account belongs to no clinic." />}
      {current.loading && !current.data && <Loading label="Loading the clinic's settings…" />}
      {current.error && <ErrorMessage message={errorMessage(current.error)} />}
      {current.data && form && (
        <form class="form" onSubmit={onSave} noValidate aria-label="Clinic settings" data-testid="clinic-settings">
          <p class="message message--status" data-testid="settings-version">
            {current.data.version === 0
              ? "Version 0: never set, the engine's defaults apply."
              : `Version ${current.data.version}, changed by ${current.data.changed_by_name ?? current.data.changed_by} on ${when(current.data.changed_at)}.`}
            {!mayChange && ' Only prescribers of the clinic and admins can change them.'}
          </p>
          <ErrorMessage message={error} />
          {saved && (
            <p class="message message--status" role="status">
              {saved}
            </p>
          )}
          <Choice id="cs-lab" label="Lab monitoring profile" value={form.lab_profile} options={LAB_PROFILES} disabled={disabled} error={errors['lab_profile']} onChange={set('lab_profile')} />
          <Field id="cs-cutover" label="iPLEDGE 2026 rules apply from" hint="The go-live date of the 2026 modification (FDA approval + 180 days by default; check the program's announcement)." error={errors['ipledge_2026_cutover']}>
            {(aria) => <input {...aria} type="date" value={form.ipledge_2026_cutover} disabled={disabled} onInput={(e) => set('ipledge_2026_cutover')(e.currentTarget.value)} />}
          </Field>
          <Choice id="cs-retreat" label="Second course no earlier than" value={form.retreatment} options={RETREATMENT} disabled={disabled} error={errors['retreatment']} onChange={set('retreatment')} />
          <Choice id="cs-weight" label="Weight for mg/kg" value={form.weight_rule} options={WEIGHT_RULES} disabled={disabled} error={errors['weight_rule']} onChange={set('weight_rule')} />
          <Field id="cs-goal" label="Cumulative goal (mg/kg)" hint="Empty: the course's own target, else the knowledge base's default." error={errors['cumulative_goal_mg_per_kg']}>
            {(aria) => <input {...aria} type="text" inputMode="decimal" value={form.cumulative_goal_mg_per_kg} disabled={disabled} onInput={(e) => set('cumulative_goal_mg_per_kg')(e.currentTarget.value)} />}
          </Field>
          <Field id="cs-due" label="A task is due soon from (days before its due date)" error={errors['due_soon_days']}>
            {(aria) => <input {...aria} type="text" inputMode="numeric" value={form.due_soon_days} disabled={disabled} onInput={(e) => set('due_soon_days')(e.currentTarget.value)} />}
          </Field>
          <div class="field">
            <label>
              <input type="checkbox" checked={form.home_tests_opt_in} disabled={disabled} onChange={(e) => set('home_tests_opt_in')(e.currentTarget.checked)} /> Prescribers accept home pregnancy tests during and after treatment (iPLEDGE 2026)
            </label>
          </div>
          <Field id="cs-note" label="Why (kept with this version)" error={errors['note']}>
            {(aria) => <input {...aria} type="text" value={form.note} disabled={disabled} onInput={(e) => set('note')(e.currentTarget.value)} />}
          </Field>
          {mayChange && (
            <div class="form__actions">
              <button type="submit" class="button" disabled={pending}>
                Save settings
              </button>
            </div>
          )}
        </form>
      )}
      {history.data && history.data.items.length > 0 && (
        <section aria-labelledby="cs-history">
          <h2 id="cs-history">All versions</h2>
          <table class="table" data-testid="settings-history">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Changed</th>
                <th scope="col">By</th>
                <th scope="col">Chosen</th>
              </tr>
            </thead>
            <tbody>
              {[...history.data.items].reverse().map((v) => (
                <tr key={v.version}>
                  <td>{v.version}</td>
                  <td>{when(v.changed_at)}</td>
                  <td>{v.changed_by_name ?? v.changed_by}</td>
                  <td>
                    <code>{JSON.stringify(v.settings)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
