// Who is signed in. The server keeps the session in an HttpOnly cookie; the app only
// learns the user (GET /api/v1/session) and the CSRF token it must echo on writes.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, setCsrfToken } from './api/client';
import type { Role, SessionResponse, User } from './api/types';

// The server's session routes (src/server/routes_auth.cpp).
export const LOGIN_PATH = '/api/v1/auth/login';
export const ME_PATH = '/api/v1/auth/me';
export const LOGOUT_PATH = '/api/v1/auth/logout';

export type SessionStatus = 'loading' | 'signed-in' | 'signed-out';

export interface Session {
  status: SessionStatus;
  user: User | null;
  /** Throws ApiError with the server's problem on failure. */
  signIn(username: string, password: string): Promise<User>;
  signOut(): Promise<void>;
}

function userFrom(body: SessionResponse): User | null {
  if (body.user) return body.user;
  if (body.username && body.role) {
    return { username: body.username, role: body.role, display_name: body.display_name };
  }
  return null;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [user, setUser] = useState<User | null>(null);
  // Bumped by every sign-in and sign-out, so a slow start-up probe cannot overwrite
  // what the person just did.
  const generation = useRef(0);

  useEffect(() => {
    const ctrl = new AbortController();
    const started = generation.current;
    api<SessionResponse>(ME_PATH, { signal: ctrl.signal })
      .then((body) => {
        if (generation.current !== started) return;
        const u = userFrom(body);
        if (body.csrf_token) setCsrfToken(body.csrf_token);
        setUser(u);
        setStatus(u ? 'signed-in' : 'signed-out');
      })
      .catch(() => {
        if (ctrl.signal.aborted || generation.current !== started) return;
        // 401 (no session), a server that is not up yet, or any other failure: the
        // public pages still work, and the sign-in page reports real errors.
        setUser(null);
        setStatus('signed-out');
      });
    return () => ctrl.abort();
  }, []);

  const signIn = useCallback(async (username: string, password: string) => {
    generation.current += 1;
    const body = await api<SessionResponse>(LOGIN_PATH, {
      method: 'POST',
      body: { username, password },
    });
    const u = userFrom(body);
    if (!u) {
      throw new ApiError(500, { title: 'Unexpected answer', detail: 'The server signed you in but did not say who you are.' });
    }
    setCsrfToken(body.csrf_token ?? null);
    setUser(u);
    setStatus('signed-in');
    return u;
  }, []);

  const signOut = useCallback(async () => {
    generation.current += 1;
    try {
      await api<void>(LOGOUT_PATH, { method: 'POST' });
    } finally {
      setCsrfToken(null);
      setUser(null);
      setStatus('signed-out');
    }
  }, []);

  const value = useMemo(() => ({ status, user, signIn, signOut }), [status, user, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession must be used inside <SessionProvider>');
  return s;
}

/** Roles that work with patient records (the server decides; this only shapes the navigation). */
export const CLINICAL_ROLES: readonly Role[] = ['admin', 'prescriber', 'staff'];

/** The start page for each role after sign-in. */
export function homeFor(role: Role): string {
  switch (role) {
    case 'prescriber':
    case 'staff':
      return '/clinic';
    case 'pharmacist':
      return '/pharmacy';
    case 'patient':
      return '/portal';
    case 'admin':
      return '/admin';
  }
}
