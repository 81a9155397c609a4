// Administration: users and roles, API tokens, clinics and the audit log viewer
// (src/server/routes_admin.cpp; admins only, the server refuses everyone else).
import { useState } from 'preact/hooks';
import { api, errorMessage, fieldErrors, withQuery } from '../api/client';
import { routes } from '../api/endpoints';
import type { AdminUser, ApiToken, AuditEntry, Clinic, Page, Role } from '../api/types';
import { useApi } from '../api/useApi';
import { ConfirmDialog, Empty, ErrorMessage, Field, Loading, PageTitle } from '../components/ui';
import { href } from '../router';

const ROLES: Role[] = ['admin', 'prescriber', 'staff', 'pharmacist', 'patient'];

function Tabs({ tab }: { tab: string }) {
  const tabs = [
    ['users', 'Users and roles'],
    ['tokens', 'API tokens'],
    ['clinics', 'Clinics'],
    ['audit', 'Audit log'],
  ] as const;
  return (
    <nav aria-label="Administration" class="tabs no-print">
      <ul>
        {tabs.map(([t, label]) => (
          <li key={t}>
            <a href={href(`/admin/${t}`)} aria-current={tab === t ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function Users() {
  const users = useApi<Page<AdminUser>>(routes.users);
  const clinics = useApi<Page<Clinic>>(routes.clinics);
  const [form, setForm] = useState({ username: '', display_name: '', role: 'staff', clinic_id: '', patient_id: '', password: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<AdminUser | null>(null);
  const [confirm, setConfirm] = useState<AdminUser | null>(null);
  const [pending, setPending] = useState(false);
  const clinicName = (id: string | null) => clinics.data?.items.find((c) => c.id === id)?.name ?? id ?? '–';
  const set = (k: keyof typeof form) => (e: Event) => setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));

  async function onCreate(e: Event) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!form.username.trim()) found['username'] = 'required field is missing';
    setErrors(found);
    setError(null);
    if (Object.keys(found).length) return;
    setPending(true);
    try {
      const body: Record<string, string> = { username: form.username.trim(), role: form.role };
      for (const k of ['display_name', 'clinic_id', 'patient_id', 'password'] as const) if (form[k].trim()) body[k] = form[k].trim();
      setCreated(await api<AdminUser>(routes.users, { method: 'POST', body }));
      setForm({ username: '', display_name: '', role: 'staff', clinic_id: '', patient_id: '', password: '' });
      users.reload();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(errorMessage(err));
    } finally {
      setPending(false);
    }
  }

  async function toggle(u: AdminUser) {
    setPending(true);
    setError(null);
    try {
      await api<AdminUser>(u.disabled ? routes.userEnable(u.id) : routes.userDisable(u.id), { method: 'POST' });
      users.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPending(false);
      setConfirm(null);
    }
  }

  return (
    <>
      <h2>Users</h2>
      <ErrorMessage message={error} />
      {users.error && <ErrorMessage message={errorMessage(users.error)} />}
      {users.loading && !users.data && <Loading label="Loading users…" />}
      {users.data && (
        <div class="table-wrap">
          <table data-testid="users">
            <thead>
              <tr>
                <th scope="col">Username</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Clinic</th>
                <th scope="col">State</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((u) => (
                <tr key={u.id}>
                  <th scope="row">{u.username}</th>
                  <td>{u.display_name}</td>
                  <td>{u.role}</td>
                  <td>{clinicName(u.clinic_id)}</td>
                  <td>{u.disabled ? 'Disabled' : u.locked_until ? `Locked until ${u.locked_until}` : 'Active'}</td>
                  <td>
                    <button type="button" class="button button--secondary button--small" onClick={() => setConfirm(u)}>
                      {u.disabled ? 'Enable' : 'Disable'}
                      <span class="visually-hidden"> {u.username}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={confirm !== null}
        title={confirm ? `${confirm.disabled ? 'Enable' : 'Disable'} ${confirm.username}?` : ''}
        confirmLabel={confirm?.disabled ? 'Enable' : 'Disable'}
        pending={pending}
        onConfirm={() => confirm && void toggle(confirm)}
        onCancel={() => setConfirm(null)}
      >
        <p>{confirm?.disabled ? 'They can sign in again.' : 'Their sessions end at once and they cannot sign in until enabled again.'}</p>
      </ConfirmDialog>
      <h3>Add a user</h3>
      {created && (
        <div class="message message--ok" role="status" data-testid="user-created">
          Created <strong>{created.username}</strong> ({created.role}).
          {created.password && (
            <>
              {' '}
              One-time password, shown only now: <code>{created.password}</code>
            </>
          )}
        </div>
      )}
      <form class="form form--grid" onSubmit={onCreate} noValidate aria-label="Add a user">
        <Field id="u-username" label="Username (required)" error={errors['username']}>
          {(aria) => <input {...aria} type="text" autoComplete="off" value={form.username} onInput={set('username')} />}
        </Field>
        <Field id="u-display" label="Display name" error={errors['display_name']}>
          {(aria) => <input {...aria} type="text" value={form.display_name} onInput={set('display_name')} />}
        </Field>
        <Field id="u-role" label="Role" error={errors['role']}>
          {(aria) => (
            <select {...aria} value={form.role} onChange={set('role')}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="u-clinic" label="Clinic" error={errors['clinic_id']}>
          {(aria) => (
            <select {...aria} value={form.clinic_id} onChange={set('clinic_id')}>
              <option value="">None</option>
              {(clinics.data?.items ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="u-patient" label="Patient id (patient logins)" error={errors['patient_id']}>
          {(aria) => <input {...aria} type="text" value={form.patient_id} onInput={set('patient_id')} />}
        </Field>
        <Field id="u-password" label="Password" hint="Leave empty to have one generated and shown once." error={errors['password']}>
          {(aria) => <input {...aria} type="password" autoComplete="new-password" value={form.password} onInput={set('password')} />}
        </Field>
        <div class="form__actions">
          <button type="submit" class="button" disabled={pending}>
            Add user
          </button>
        </div>
      </form>
    </>
  );
}

function Tokens() {
  const tokens = useApi<Page<ApiToken>>(routes.tokens);
  const users = useApi<Page<AdminUser>>(routes.users);
  const [userId, setUserId] = useState('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<ApiToken | null>(null);
  const [revoke, setRevoke] = useState<ApiToken | null>(null);
  const [pending, setPending] = useState(false);
  const who = (id: string) => users.data?.items.find((u) => u.id === id)?.username ?? id;

  async function onCreate(e: Event) {
    e.preventDefault();
    const found: Record<string, string> = {};
    if (!userId) found['user_id'] = 'required field is missing';
    if (!name.trim()) found['name'] = 'required field is missing';
    setErrors(found);
    setError(null);
    if (Object.keys(found).length) return;
    setPending(true);
    try {
      setCreated(await api<ApiToken>(routes.tokens, { method: 'POST', body: { user_id: userId, name: name.trim() } }));
      setName('');
      tokens.reload();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(errorMessage(err));
    } finally {
      setPending(false);
    }
  }

  async function onRevoke(t: ApiToken) {
    setPending(true);
    try {
      await api<void>(routes.token(t.id), { method: 'DELETE' });
      tokens.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setPending(false);
      setRevoke(null);
    }
  }

  return (
    <>
      <h2>API tokens</h2>
      <ErrorMessage message={error} />
      {tokens.error && <ErrorMessage message={errorMessage(tokens.error)} />}
      {tokens.data && tokens.data.items.length === 0 && <Empty>No API tokens.</Empty>}
      {tokens.data && tokens.data.items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="tokens">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">User</th>
                <th scope="col">Created</th>
                <th scope="col">State</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.items.map((t) => (
                <tr key={t.id}>
                  <th scope="row">{t.name}</th>
                  <td>{who(t.user_id)}</td>
                  <td>{t.created_at}</td>
                  <td>{t.revoked_at ? `Revoked ${t.revoked_at}` : 'Active'}</td>
                  <td>
                    {!t.revoked_at && (
                      <button type="button" class="button button--secondary button--small" onClick={() => setRevoke(t)}>
                        Revoke<span class="visually-hidden"> {t.name}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog open={revoke !== null} title={`Revoke ${revoke?.name ?? ''}?`} confirmLabel="Revoke" pending={pending} onConfirm={() => revoke && void onRevoke(revoke)} onCancel={() => setRevoke(null)}>
        <p>Integrations using this token stop working at once.</p>
      </ConfirmDialog>
      <h3>Create a token</h3>
      {created?.token && (
        <div class="message message--ok" role="status" data-testid="token-created">
          Token <strong>{created.name}</strong>, shown only now: <code class="secret">{created.token}</code>
        </div>
      )}
      <form class="form form--grid" onSubmit={onCreate} noValidate aria-label="Create a token">
        <Field id="t-user" label="For user (required)" error={errors['user_id']}>
          {(aria) => (
            <select {...aria} value={userId} onChange={(e) => setUserId(e.currentTarget.value)}>
              <option value="">Choose…</option>
              {(users.data?.items ?? []).map((u) => (
                <option key={u.id} value={u.id}>
                  {u.username} ({u.role})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="t-name" label="Name (required)" hint="What the token is for, e.g. lab-import." error={errors['name']}>
          {(aria) => <input {...aria} type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <div class="form__actions">
          <button type="submit" class="button" disabled={pending}>
            Create token
          </button>
        </div>
      </form>
    </>
  );
}

function Clinics() {
  const clinics = useApi<Page<Clinic>>(routes.clinics);
  const [name, setName] = useState('');
  const [jurisdiction, setJurisdiction] = useState('US');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  async function onCreate(e: Event) {
    e.preventDefault();
    if (!name.trim()) {
      setErrors({ name: 'required field is missing' });
      return;
    }
    setErrors({});
    setError(null);
    try {
      await api<Clinic>(routes.clinics, { method: 'POST', body: { name: name.trim(), jurisdiction } });
      setName('');
      clinics.reload();
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(errorMessage(err));
    }
  }

  return (
    <>
      <h2>Clinics</h2>
      {clinics.error && <ErrorMessage message={errorMessage(clinics.error)} />}
      {clinics.data && (
        <ul class="link-list" data-testid="clinics">
          {clinics.data.items.map((c) => (
            <li key={c.id}>
              <strong>{c.name}</strong> ({c.jurisdiction}) <span class="cell-note">{c.id}</span>
            </li>
          ))}
        </ul>
      )}
      <form class="form form--grid" onSubmit={onCreate} noValidate aria-label="Add a clinic">
        <ErrorMessage message={error} />
        <Field id="c-name" label="Clinic name (required)" error={errors['name']}>
          {(aria) => <input {...aria} type="text" value={name} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Field id="c-jur" label="Jurisdiction" error={errors['jurisdiction']}>
          {(aria) => (
            <select {...aria} value={jurisdiction} onChange={(e) => setJurisdiction(e.currentTarget.value)}>
              <option value="US">US</option>
              <option value="EU">EU</option>
              <option value="UK">UK</option>
            </select>
          )}
        </Field>
        <div class="form__actions">
          <button type="submit" class="button">
            Add clinic
          </button>
        </div>
      </form>
    </>
  );
}

function Audit() {
  const [filters, setFilters] = useState({ actor: '', patient_id: '', from: '', to: '' });
  const [applied, setApplied] = useState(filters);
  const query = { ...applied, limit: 100 };
  const first = useApi<Page<AuditEntry>>(withQuery(routes.audit, query));
  const [more, setMore] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const items = [...(first.data?.items ?? []), ...more];
  const nextLink = next === undefined ? first.data?.next : next;
  const set = (k: keyof typeof filters) => (e: Event) => setFilters((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));

  async function loadMore() {
    if (!nextLink) return;
    try {
      const page = await api<Page<AuditEntry>>(nextLink);
      setMore((m) => [...m, ...page.items]);
      setNext(page.next ?? null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  return (
    <>
      <h2>Audit log</h2>
      <form
        class="form form--grid filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setMore([]);
          setNext(undefined);
          setApplied(filters);
        }}
      >
        <Field id="a-actor" label="Actor (user id)">
          {(aria) => <input {...aria} type="text" value={filters.actor} onInput={set('actor')} />}
        </Field>
        <Field id="a-patient" label="Patient id">
          {(aria) => <input {...aria} type="text" value={filters.patient_id} onInput={set('patient_id')} />}
        </Field>
        <Field id="a-from" label="From">
          {(aria) => <input {...aria} type="date" value={filters.from} onInput={set('from')} />}
        </Field>
        <Field id="a-to" label="To">
          {(aria) => <input {...aria} type="date" value={filters.to} onInput={set('to')} />}
        </Field>
        <div class="form__actions">
          <button type="submit" class="button">
            Filter
          </button>
          <a class="button button--secondary" href={withQuery(routes.auditExport, applied)} download>
            Export (NDJSON)
          </a>
        </div>
      </form>
      <ErrorMessage message={error ?? (first.error ? errorMessage(first.error) : null)} />
      {first.loading && !first.data && <Loading label="Loading the audit log…" />}
      {first.data && items.length === 0 && <Empty>No audit entries match.</Empty>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table data-testid="audit">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Patient</th>
                <th scope="col">From</th>
                <th scope="col">Why</th>
                <th scope="col">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.seq}>
                  <td>{a.seq}</td>
                  <td>{a.at}</td>
                  <td>
                    {a.actor}
                    {a.role && <div class="cell-note">{a.role}</div>}
                  </td>
                  <td>
                    {a.action}
                    <div class="cell-note">{a.resource}</div>
                  </td>
                  <td>{a.patient_id ?? '–'}</td>
                  <td>{a.remote}</td>
                  <td>{a.reason}</td>
                  <td>{a.outcome}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextLink && (
        <button type="button" class="button button--secondary" onClick={loadMore}>
          Show more
        </button>
      )}
    </>
  );
}

export function Admin({ tab }: { tab: 'users' | 'tokens' | 'audit' | 'clinics' }) {
  return (
    <section class="wide">
      <PageTitle>Administration</PageTitle>
      <Tabs tab={tab} />
      {tab === 'users' && <Users />}
      {tab === 'tokens' && <Tokens />}
      {tab === 'clinics' && <Clinics />}
      {tab === 'audit' && <Audit />}
    </section>
  );
}
