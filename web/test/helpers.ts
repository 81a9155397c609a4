import { vi } from 'vitest';

export interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

type Handler = (call: Call) => Response | Promise<Response>;

export function json(status: number, body: unknown, contentType = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': contentType } });
}

export function problem(status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Response {
  return json(status, { type: 'about:blank', title, status, detail, ...extra }, 'application/problem+json');
}

/**
 * Replaces fetch with a router over "METHOD /path" keys. Unknown requests fail the test
 * loudly (a 599 problem), and every call is recorded for assertions.
 */
export function mockFetch(routes: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
      const url = typeof input === 'string' ? input : input.toString();
      const method = (init.method ?? 'GET').toUpperCase();
      const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>));
      const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
      const call = { url, method, headers, body };
      calls.push(call);
      const handler = routes[`${method} ${url}`];
      if (!handler) return problem(599, 'Unmocked request', `${method} ${url}`);
      return handler(call);
    }),
  );
  return calls;
}

/** The session endpoint as it answers when nobody is signed in. */
export const signedOut = () => problem(401, 'Unauthorized', 'Not signed in.');
