import { ArticlePage } from './pages/ArticlePage';
import { DosePlanner } from './pages/DosePlanner';
import { Home, NotFound } from './pages/Home';
import { Library } from './pages/Library';
import { SignIn } from './pages/SignIn';
import { SymptomChecker } from './pages/SymptomChecker';
import { href, navigate, parseRoute, type Route, useHashPath } from './router';
import { CLINICAL_ROLES, SessionProvider, useSession } from './session';

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
      return <DosePlanner />;
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
  const clinical = session.user ? CLINICAL_ROLES.includes(session.user.role) : false;
  const section = route.name === 'article' ? 'library' : route.name;

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
            <li>
              <NavLink to="/check" current={section === 'symptom-checker'}>
                Symptom checker
              </NavLink>
            </li>
            <li>
              <NavLink to="/library" current={section === 'library'}>
                Library
              </NavLink>
            </li>
            {clinical && (
              <li>
                <NavLink to="/dose-planner" current={section === 'dose-planner'}>
                  Dose planner
                </NavLink>
              </li>
            )}
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
