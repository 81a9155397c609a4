// Loading a resource for a screen: data, the server's error as written, and a reload.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, isMissingRoute } from './client';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | Error | null;
  loading: boolean;
  /** The server has no such route (see docs/web.md, "Routes the web app expects"). */
  missing: boolean;
  reload(): void;
}

/** GETs `path` (null = nothing to load yet) and re-GETs when it changes or on reload(). */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | Error | null; loading: boolean }>({
    data: null,
    error: null,
    loading: path !== null,
  });
  const [tick, setTick] = useState(0);
  const first = useRef(true);

  useEffect(() => {
    if (path === null) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    const ctrl = new AbortController();
    // Keep the old data on screen while reloading, so the page does not jump.
    setState((s) => ({ data: first.current ? null : s.data, error: null, loading: true }));
    first.current = false;
    api<T>(path, { signal: ctrl.signal })
      .then((data) => setState({ data, error: null, loading: false }))
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        setState({ data: null, error: err instanceof Error ? err : new Error(String(err)), loading: false });
      });
    return () => ctrl.abort();
  }, [path, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, missing: isMissingRoute(state.error), reload };
}
