import { useState } from 'preact/hooks';
import { errorMessage } from '../api/client';
import { ErrorMessage, Field, PageTitle } from '../components/ui';
import { navigate } from '../router';
import { homeFor, useSession } from '../session';

/** Only in-app paths are followed after sign-in (no open redirect through ?next=). */
function safeNext(next: string | null): string | null {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}

export function SignIn({ next }: { next: string | null }) {
  const session = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ username?: string; password?: string }>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: Event) {
    e.preventDefault();
    const m: typeof missing = {};
    if (!username.trim()) m.username = 'Enter your username.';
    if (!password) m.password = 'Enter your password.';
    setMissing(m);
    if (m.username || m.password) return;
    setPending(true);
    setError(null);
    try {
      const user = await session.signIn(username.trim(), password);
      setPassword('');
      navigate(safeNext(next) ?? homeFor(user.role));
    } catch (err) {
      // The server's own words, including the lockout message after repeated failures.
      setError(errorMessage(err));
      setPassword('');
    } finally {
      setPending(false);
    }
  }

  return (
    <section class="narrow">
      <PageTitle>Sign in</PageTitle>
      {session.status === 'signed-in' && session.user && (
        <p class="message message--status">
          You are signed in as <strong>{session.user.display_name ?? session.user.username}</strong>.
        </p>
      )}
      <form class="form" onSubmit={onSubmit} noValidate aria-describedby={error ? 'sign-in-error' : undefined}>
        <ErrorMessage message={error} id="sign-in-error" />
        <Field id="username" label="Username" error={missing.username}>
          {(aria) => (
            <input
              {...aria}
              name="username"
              type="text"
              autoComplete="username"
              autoCapitalize="none"
              spellcheck={false}
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field id="password" label="Password" error={missing.password}>
          {(aria) => (
            <input
              {...aria}
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" class="button" disabled={pending} aria-busy={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
