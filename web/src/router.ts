// Hash-based routing: the server only has to serve index.html and the assets, and
// every screen has a URL that survives a reload (#/library/article.red-flags).
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'home' }
  | { name: 'sign-in'; next: string | null }
  | { name: 'symptom-checker' }
  | { name: 'library'; query: string }
  | { name: 'article'; id: string }
  | { name: 'dose-planner' }
  | { name: 'not-found'; path: string };

/** The path part of a location hash: "#/library?q=lips" -> "/library?q=lips". */
export function hashPath(hash: string): string {
  const raw = hash.startsWith('#') ? hash.slice(1) : hash;
  return raw === '' ? '/' : raw.startsWith('/') ? raw : `/${raw}`;
}

export function parseRoute(path: string): Route {
  const [pathname = '/', search = ''] = path.split('?', 2);
  const query = new URLSearchParams(search);
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: 'home' };
  switch (parts[0]) {
    case 'sign-in':
      if (parts.length === 1) return { name: 'sign-in', next: query.get('next') };
      break;
    case 'check':
      if (parts.length === 1) return { name: 'symptom-checker' };
      break;
    case 'library':
      if (parts.length === 1) return { name: 'library', query: query.get('q') ?? '' };
      if (parts.length === 2 && parts[1]) return { name: 'article', id: parts[1] };
      break;
    case 'dose-planner':
      if (parts.length === 1) return { name: 'dose-planner' };
      break;
  }
  return { name: 'not-found', path: pathname };
}

/** An href for a path inside the app. */
export function href(path: string): string {
  return `#${path.startsWith('/') ? path : `/${path}`}`;
}

export function articleHref(id: string): string {
  return href(`/library/${encodeURIComponent(id)}`);
}

export function navigate(path: string): void {
  window.location.hash = href(path);
}

/** The current hash path; re-renders on every hash change. */
export function useHashPath(): string {
  const [path, setPath] = useState(() => hashPath(window.location.hash));
  useEffect(() => {
    const onChange = () => setPath(hashPath(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return path;
}
