// Hash-based routing: the server only has to serve index.html and the assets, and
// every screen has a URL that survives a reload (#/library/article.red-flags).
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'home' }
  | { name: 'sign-in'; next: string | null }
  | { name: 'symptom-checker' }
  | { name: 'library'; query: string }
  | { name: 'article'; id: string }
  | { name: 'dose-planner'; patientId: string | null }
  | { name: 'worklist'; query: URLSearchParams }
  | { name: 'clinic-settings'; clinicId: string | null }
  | { name: 'patients'; query: string }
  | { name: 'new-patient' }
  | { name: 'chart'; id: string }
  | { name: 'record'; id: string; type: string | null }
  | { name: 'checklist'; id: string }
  | { name: 'print-visit'; id: string }
  | { name: 'print-schedule'; id: string }
  | { name: 'pharmacy'; query: string }
  | { name: 'portal' }
  | { name: 'check-in' }
  | { name: 'admin'; tab: 'users' | 'tokens' | 'audit' | 'clinics' }
  | { name: 'not-found'; path: string };

const ADMIN_TABS = ['users', 'tokens', 'audit', 'clinics'] as const;

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
      if (parts.length === 1) return { name: 'dose-planner', patientId: null };
      break;
    case 'clinic':
      if (parts.length === 1) return { name: 'worklist', query };
      if (parts.length === 2 && parts[1] === 'settings') return { name: 'clinic-settings', clinicId: query.get('clinic') };
      break;
    case 'patients': {
      const id = parts[1];
      if (parts.length === 1) return { name: 'patients', query: query.get('q') ?? '' };
      if (!id) break;
      if (parts.length === 2) return id === 'new' ? { name: 'new-patient' } : { name: 'chart', id };
      if (parts[2] === 'record' && parts.length <= 4) return { name: 'record', id, type: parts[3] ?? null };
      if (parts[2] === 'checklist' && parts.length === 3) return { name: 'checklist', id };
      if (parts[2] === 'dose-planner' && parts.length === 3) return { name: 'dose-planner', patientId: id };
      if (parts[2] === 'print' && parts.length === 4) {
        if (parts[3] === 'visit') return { name: 'print-visit', id };
        if (parts[3] === 'schedule') return { name: 'print-schedule', id };
      }
      break;
    }
    case 'pharmacy':
      if (parts.length === 1) return { name: 'pharmacy', query: query.get('q') ?? '' };
      break;
    case 'portal':
      if (parts.length === 1) return { name: 'portal' };
      if (parts.length === 2 && parts[1] === 'check-in') return { name: 'check-in' };
      break;
    case 'admin': {
      const tab = (parts[1] ?? 'users') as (typeof ADMIN_TABS)[number];
      if (parts.length <= 2 && ADMIN_TABS.includes(tab)) return { name: 'admin', tab };
      break;
    }
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

export function patientHref(id: string, rest = ''): string {
  return href(`/patients/${encodeURIComponent(id)}${rest}`);
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
