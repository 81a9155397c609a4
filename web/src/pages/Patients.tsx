// Find a patient in the clinic (GET /api/v1/patients?q=) and add a new one
// (POST /api/v1/patients), which leads to the candidacy and pre-start checklist.
import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage, fieldErrors, withQuery } from '../api/client';
import { routes } from '../api/endpoints';
import type { Page, Patient } from '../api/types';
import { Empty, ErrorMessage, Field, Loading, PageTitle } from '../components/ui';
import { href, navigate, patientHref } from '../router';
import { useSession } from '../session';

export function Patients({ initialQuery }: { initialQuery: string }) {
  const [q, setQ] = useState(initialQuery);
  const [page, setPage] = useState<Page<Patient> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [more, setMore] = useState(false);

  useEffect(() => {
    const ctrl = new AbortController();
    const t = setTimeout(() => {
      setError(null);
      api<Page<Patient>>(withQuery(routes.patients, { q: q.trim(), limit: 50 }), { signal: ctrl.signal })
        .then(setPage)
        .catch((err: unknown) => {
          if (!ctrl.signal.aborted) setError(errorMessage(err));
        });
      history.replaceState(null, '', href(q ? `/patients?q=${encodeURIComponent(q)}` : '/patients'));
    }, 200);
    return () => {
      clearTimeout(t);
      ctrl.abort();
    };
  }, [q]);

  async function loadMore() {
    if (!page?.next) return;
    setMore(true);
    try {
      const next = await api<Page<Patient>>(page.next);
      setPage({ items: [...page.items, ...next.items], next: next.next ?? null });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setMore(false);
    }
  }

  return (
    <section>
      <PageTitle>Patients</PageTitle>
      <p>
        <a class="button button--secondary" href={href('/patients/new')}>
          New patient
        </a>
      </p>
      <div class="search" role="search">
        <label for="patient-search">Search by name</label>
        <input id="patient-search" type="search" value={q} placeholder="Part of a name" onInput={(e) => setQ(e.currentTarget.value)} />
      </div>
      <ErrorMessage message={error} />
      {!error && page === null && <Loading label="Loading patients…" />}
      {page && page.items.length === 0 && <Empty>{q ? `No patient matches “${q}”.` : 'No patients yet.'}</Empty>}
      {page && page.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Born</th>
                <th scope="col">Sex</th>
                <th scope="col">MRN</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((p) => (
                <tr key={p.id}>
                  <th scope="row">
                    <a href={patientHref(p.id)}>
                      {p.family_name}, {p.given_name}
                    </a>
                  </th>
                  <td>{p.birth_date}</td>
                  <td>{p.sex}</td>
                  <td>{p.mrn}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page?.next && (
        <button type="button" class="button button--secondary" onClick={loadMore} disabled={more}>
          {more ? 'Loading…' : 'Show more'}
        </button>
      )}
    </section>
  );
}

type NewPatientField = 'given_name' | 'family_name' | 'birth_date' | 'sex' | 'mrn' | 'clinic_id';

export function NewPatient() {
  const { user } = useSession();
  const [form, setForm] = useState<Record<NewPatientField, string>>({ given_name: '', family_name: '', birth_date: '', sex: '', mrn: '', clinic_id: '' });
  const [errors, setErrors] = useState<Partial<Record<NewPatientField, string>>>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const isAdmin = user?.role === 'admin';

  const set = (k: NewPatientField) => (e: Event) => setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));

  async function onSubmit(e: Event) {
    e.preventDefault();
    const found: typeof errors = {};
    for (const k of ['given_name', 'family_name', 'birth_date', 'sex'] as const) if (!form[k].trim()) found[k] = 'required field is missing';
    if (isAdmin && !form.clinic_id.trim()) found.clinic_id = 'an admin must name the clinic';
    setErrors(found);
    setServerError(null);
    if (Object.keys(found).length > 0) return;
    setPending(true);
    try {
      const body: Record<string, string> = { given_name: form.given_name.trim(), family_name: form.family_name.trim(), birth_date: form.birth_date, sex: form.sex };
      if (form.mrn.trim()) body['mrn'] = form.mrn.trim();
      if (form.clinic_id.trim()) body['clinic_id'] = form.clinic_id.trim();
      const p = await api<Patient>(routes.patients, { method: 'POST', body });
      navigate(`/patients/${encodeURIComponent(p.id)}/checklist`);
    } catch (err) {
      setErrors(fieldErrors(err) as typeof errors);
      setServerError(errorMessage(err));
    } finally {
      setPending(false);
    }
  }

  return (
    <section class="narrow">
      <PageTitle>New patient</PageTitle>
      <p class="lead">Add the patient, then work through the candidacy and pre-start checklist.</p>
      <form class="form" onSubmit={onSubmit} noValidate>
        <ErrorMessage message={serverError} />
        <Field id="np-given" label="Given name (required)" error={errors.given_name}>
          {(aria) => <input {...aria} type="text" autoComplete="off" value={form.given_name} onInput={set('given_name')} />}
        </Field>
        <Field id="np-family" label="Family name (required)" error={errors.family_name}>
          {(aria) => <input {...aria} type="text" autoComplete="off" value={form.family_name} onInput={set('family_name')} />}
        </Field>
        <Field id="np-birth" label="Birth date (required)" error={errors.birth_date}>
          {(aria) => <input {...aria} type="date" value={form.birth_date} onInput={set('birth_date')} />}
        </Field>
        <Field id="np-sex" label="Sex (required)" error={errors.sex}>
          {(aria) => (
            <select {...aria} value={form.sex} onChange={set('sex')}>
              <option value="">Choose…</option>
              <option value="female">Female</option>
              <option value="male">Male</option>
              <option value="intersex">Intersex</option>
              <option value="unknown">Unknown</option>
            </select>
          )}
        </Field>
        <Field id="np-mrn" label="Medical record number" error={errors.mrn}>
          {(aria) => <input {...aria} type="text" value={form.mrn} onInput={set('mrn')} />}
        </Field>
        {isAdmin && (
          <Field id="np-clinic" label="Clinic id (required for admins)" error={errors.clinic_id}>
            {(aria) => <input {...aria} type="text" value={form.clinic_id} onInput={set('clinic_id')} />}
          </Field>
        )}
        <div class="form__actions">
          <button type="submit" class="button" disabled={pending} aria-busy={pending}>
            {pending ? 'Adding…' : 'Add patient'}
          </button>
        </div>
      </form>
    </section>
  );
}
