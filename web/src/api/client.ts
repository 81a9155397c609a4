// Thin fetch wrapper for the isocourse REST API (/api/v1).
//
// Errors from the server arrive as RFC 9457 problem+json. We keep the server's words:
// the UI shows `detail` exactly as written (for example the lockout message after
// repeated failed sign-ins), falling back to `title`, then to a generic line.

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  /** The request field, header or JSON path the problem is about (e.g. "events[0].kg"). */
  where?: string;
  /** isocourse error code, e.g. "invalid_argument", "not_found", "conflict". */
  code?: string;
  /** Every problem when a request had several (isocourse sends all it found). */
  errors?: { where: string; detail: string }[];
  /** On a 409 from a stale write: the version the server holds now. */
  current_version?: number;
  /** Older spelling of `where`, still accepted. */
  field?: string;
  [extra: string]: unknown;
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `The server answered with status ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

/** The message to show a person for any error thrown by `api`. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error && err.message) return err.message;
  return 'Something went wrong.';
}

/**
 * The server's problems by request field, exactly as written. `strip` removes a path
 * prefix ("events[0].") so "events[0].kg" lands at the form's "kg" field. The
 * top-level problem counts too when it names a field and lists no others.
 */
export function fieldErrors(err: unknown, strip: RegExp | string = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError)) return out;
  const p = err.problem;
  const items = p.errors && p.errors.length > 0 ? p.errors : p.where || p.field ? [{ where: (p.where ?? p.field) as string, detail: p.detail ?? p.title ?? '' }] : [];
  for (const e of items) {
    if (!e.where) continue;
    const key = typeof strip === 'string' ? (strip && e.where.startsWith(strip) ? e.where.slice(strip.length) : e.where) : e.where.replace(strip, '');
    out[key] = out[key] ? `${out[key]} ${e.detail}` : e.detail;
  }
  return out;
}

/** True when the server has no such route at all (as opposed to "no such patient"):
 * the screen can then say which part of the API it is waiting for. */
export function isMissingRoute(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404 && err.problem.where === 'path';
}

// The CSRF token the server hands out at sign-in; sent on every state-changing request.
// Kept in sessionStorage so a reload in the same tab keeps working; the session cookie
// itself is HttpOnly and never visible here.
const CSRF_KEY = 'isocourse.csrf';

export function setCsrfToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(CSRF_KEY, token);
    else sessionStorage.removeItem(CSRF_KEY);
  } catch {
    // Storage can be unavailable (private mode); the session still works for reads.
  }
}

function csrfToken(): string | null {
  try {
    return sessionStorage.getItem(CSRF_KEY);
  } catch {
    return null;
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Sent as Idempotency-Key, so a retried write is stored once. */
  idempotencyKey?: string;
}

/** A fresh idempotency key for one user action (kept across its retries). */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  return `k-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** "/api/v1/x" + {a: 1, b: undefined} -> "/api/v1/x?a=1". */
export function withQuery(path: string, query: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

async function readProblem(res: Response): Promise<Problem> {
  const type = res.headers.get('content-type') ?? '';
  try {
    if (type.includes('json')) {
      const body = (await res.json()) as unknown;
      if (body && typeof body === 'object') return body as Problem;
    } else {
      const text = (await res.text()).trim();
      if (text) return { title: res.statusText, detail: text, status: res.status };
    }
  } catch {
    // An unreadable body falls through to the status line.
  }
  return { title: res.statusText || `HTTP ${res.status}`, status: res.status };
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = {
    Accept: 'application/json, application/problem+json',
  };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  if (method !== 'GET') {
    const token = csrfToken();
    if (token) headers['X-CSRF-Token'] = token;
  }
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, {
      title: 'Network error',
      detail: 'Could not reach the isocourse server. Check your connection and try again.',
    });
  }
  if (!res.ok) throw new ApiError(res.status, await readProblem(res));
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}
