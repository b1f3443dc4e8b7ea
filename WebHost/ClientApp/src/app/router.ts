// Hash routes: #/login, #/sessions, #/sessions/{id}, #/sessions/{id}/resources/{resourceId}.
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'login' }
  | { name: 'sessions' }
  | { name: 'session'; sessionId: string; resourceId: string | null }
  | { name: 'unknown'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const parts = path.split('/').filter((p) => p.length > 0).map((p) => {
    try { return decodeURIComponent(p); } catch { return p; }
  });
  if (parts.length === 0 || (parts[0] === 'sessions' && parts.length === 1)) return { name: 'sessions' };
  if (parts[0] === 'login' && parts.length === 1) return { name: 'login' };
  if (parts[0] === 'sessions' && parts.length === 2) return { name: 'session', sessionId: parts[1]!, resourceId: null };
  if (parts[0] === 'sessions' && parts.length === 4 && parts[2] === 'resources') {
    return { name: 'session', sessionId: parts[1]!, resourceId: parts[3]! };
  }
  return { name: 'unknown', path };
}

export function sessionHref(sessionId: string, resourceId?: string | null): string {
  const base = `#/sessions/${encodeURIComponent(sessionId)}`;
  return resourceId ? `${base}/resources/${encodeURIComponent(resourceId)}` : base;
}

export function navigate(hash: string): void {
  if (location.hash !== hash) location.hash = hash;
}

export function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const update = () => setHash(location.hash);
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return parseRoute(hash);
}
