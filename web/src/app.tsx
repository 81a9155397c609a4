import type { ComponentChildren } from 'preact';
import type { Role } from './api/types';
import { ErrorMessage, Loading, PageTitle } from './components/ui';
import { Admin } from './pages/Admin';
import { ArticlePage } from './pages/ArticlePage';
import { Checklist } from './pages/Checklist';
import { ClinicSettingsPage } from './pages/ClinicSettings';
import { DosePlanner } from './pages/DosePlanner';
import { Home, NotFound } from './pages/Home';
import { Library } from './pages/Library';
import { PatientChart } from './pages/PatientChart';
import { NewPatient, Patients } from './pages/Patients';
import { Pharmacy } from './pages/Pharmacy';
import { CheckIn, Portal } from './pages/Portal';
import { CourseSchedule, VisitSummary } from './pages/PrintViews';
import { RecordEvent } from './pages/RecordEvent';
import { SignIn } from './pages/SignIn';
import { SymptomChecker } from './pages/SymptomChecker';
import { Worklist } from './pages/Worklist';
import { href, navigate, parseRoute, type Route, useHashPath } from './router';
import { CLINICAL_ROLES, SessionProvider, useSession } from './session';

/** Screens for some roles only. The server decides what each role may see; this only
 * avoids showing a screen that would answer "forbidden" for every request. */
function RequireRole({ roles, children }: { roles: readonly Role[]; children: ComponentChildren }) {
  const { status, user } = useSession();
  if (status === 'loading') return <Loading label="Checking your session…" />;
  if (!user) {
    const here = window.location.hash.slice(1) || '/';
    return (
      <section>
        <PageTitle>Please sign in</PageTitle>
        <p>
          This page needs an account. <a href={href(`/sign-in?next=${encodeURIComponent(here)}`)}>Sign in</a>
        </p>
      </section>
    );
  }
  if (!roles.includes(user.role)) {
    return (
      <section>
        <PageTitle>Not available for your account</PageTitle>
        <ErrorMessage message={`This page is for ${roles.join(', ')} accounts; you are signed in as a ${user.role}.`} />
      </section>
    );
  }
  return <>{children}</>;
}

const CLINIC: readonly Role[] = CLINICAL_ROLES;
const CHART_READERS: readonly Role[] = ['admin', 'prescriber', 'staff', 'patient'];

function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <Home />;
    case 'sign-in':
      return <SignIn next={route.next} />;
    case 'symptom-checker':
      return <SymptomChecker />;
    case 'library':
      return <Library initialQuery={route.query} />;
    case 'article':
      return <ArticlePage id={route.id} />;
    case 'dose-planner':
      return (
        <RequireRole roles={CLINIC}>
          <DosePlanner patientId={route.patientId} />
        </RequireRole>
      );
    case 'worklist':
      return (
        <RequireRole roles={CLINIC}>
          <Worklist query={route.query} />
        </RequireRole>
      );
    case 'clinic-settings':
      // Pharmacists read the settings too; the server decides who may change them.
      return (
        <RequireRole roles={[...CLINIC, 'pharmacist']}>
          <ClinicSettingsPage clinicId={route.clinicId} />
        </RequireRole>
      );
    case 'patients':
      return (
        <RequireRole roles={CLINIC}>
          <Patients initialQuery={route.query} />
        </RequireRole>
      );
    case 'new-patient':
      return (
        <RequireRole roles={CLINIC}>
          <NewPatient />
        </RequireRole>
      );
    case 'chart':
      // A patient may open only their own chart; the server answers "not found" for
      // any other, and the page shows that answer.
      return (
        <RequireRole roles={CHART_READERS}>
          <PatientChart id={route.id} />
        </RequireRole>
      );
    case 'record':
      return (
        <RequireRole roles={CLINIC}>
          <RecordEvent id={route.id} type={route.type} />
        </RequireRole>
      );
    case 'checklist':
      return (
        <RequireRole roles={CLINIC}>
          <Checklist id={route.id} />
        </RequireRole>
      );
    case 'print-visit':
      return (
        <RequireRole roles={CHART_READERS}>
          <VisitSummary id={route.id} />
        </RequireRole>
      );
    case 'print-schedule':
      return (
        <RequireRole roles={CHART_READERS}>
          <CourseSchedule id={route.id} />
        </RequireRole>
      );
    case 'pharmacy':
      return (
        <RequireRole roles={['pharmacist', 'admin']}>
          <Pharmacy initialQuery={route.query} />
        </RequireRole>
      );
    case 'portal':
      return (
        <RequireRole roles={['patient']}>
          <Portal />
        </RequireRole>
      );
    case 'check-in':
      return (
        <RequireRole roles={['patient']}>
          <CheckIn />
        </RequireRole>
      );
    case 'admin':
      return (
        <RequireRole roles={['admin']}>
          <Admin tab={route.tab} />
        </RequireRole>
      );
    case 'not-found':
      return <NotFound path={route.path} />;
  }
}

function NavLink({ to, current, children }: { to: string; current: boolean; children: string }) {
  return (
    <a href={href(to)} aria-current={current ? 'page' : undefined}>
      {children}
    </a>
  );
}

function Shell() {
  const path = useHashPath();
  const route = parseRoute(path);
  const session = useSession();
  const role = session.user?.role ?? null;
  const clinical = role ? CLINICAL_ROLES.includes(role) : false;
  const section =
    route.name === 'article'
      ? 'library'
      : ['chart', 'record', 'checklist', 'print-visit', 'print-schedule', 'new-patient'].includes(route.name)
        ? 'patients'
        : route.name === 'check-in'
          ? 'portal'
          : route.name === 'clinic-settings'
            ? 'worklist'
            : route.name;

  async function onSignOut() {
    try {
      await session.signOut();
    } finally {
      navigate('/');
    }
  }

  return (
    <>
      <a class="skip-link" href="#main" onClick={(e) => {
        // The hash is the router's, so move focus by hand instead of following the link.
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to content
      </a>
      <header class="site-header no-print">
        <a class="brand" href={href('/')}>
          isocourse
        </a>
        <nav aria-label="Main">
          <ul>
            {clinical && (
              <li>
                <NavLink to="/clinic" current={section === 'worklist'}>
                  Worklist
                </NavLink>
              </li>
            )}
            {clinical && (
              <li>
                <NavLink to="/patients" current={section === 'patients'}>
                  Patients
                </NavLink>
              </li>
            )}
            {(role === 'pharmacist' || role === 'admin') && (
              <li>
                <NavLink to="/pharmacy" current={section === 'pharmacy'}>
                  Pharmacy
                </NavLink>
              </li>
            )}
            {role === 'patient' && (
              <li>
                <NavLink to="/portal" current={section === 'portal'}>
                  My course
                </NavLink>
              </li>
            )}
            {clinical && (
              <li>
                <NavLink to="/dose-planner" current={section === 'dose-planner'}>
                  Dose planner
                </NavLink>
              </li>
            )}
            {role === 'admin' && (
              <li>
                <NavLink to="/admin" current={section === 'admin'}>
                  Admin
                </NavLink>
              </li>
            )}
            <li>
              <NavLink to="/library" current={section === 'library'}>
                Library
              </NavLink>
            </li>
            <li>
              <NavLink to="/check" current={section === 'symptom-checker'}>
                Symptom checker
              </NavLink>
            </li>
            <li>
              {session.status === 'signed-in' && session.user ? (
                <button type="button" class="linklike" onClick={onSignOut}>
                  Sign out <span class="visually-hidden">{session.user.username}</span>
                </button>
              ) : (
                <NavLink to="/sign-in" current={section === 'sign-in'}>
                  Sign in
                </NavLink>
              )}
            </li>
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Page key={path.split('?')[0]} route={route} />
      </main>
      <footer class="site-footer no-print">
        <p>isocourse supports decisions; it does not replace your care team.</p>
      </footer>
    </>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}
