// userId → display name, learned from presence entries and the signed-in user, else fetched once
// per id over REST (GET /api/users/{id}).
import { useEffect, useState } from 'preact/hooks';
import { rest } from '../shared/auth';

const names = new Map<string, string>();
const requested = new Set<string>();
const listeners = new Set<() => void>();

function changed(): void {
  for (const listener of [...listeners]) listener();
}

export function rememberName(userId: string, displayName: string): void {
  if (!userId || !displayName || names.get(userId) === displayName) return;
  names.set(userId, displayName);
  changed();
}

/** The display name if known (starting a fetch otherwise); a short id until it arrives. */
export function nameOf(userId: string | null | undefined): string {
  if (!userId) return 'system';
  const known = names.get(userId);
  if (known) return known;
  if (!requested.has(userId)) {
    requested.add(userId);
    rest.getUser(userId).then((card) => rememberName(userId, card.displayName), () => undefined);
  }
  return userId.length > 10 ? `${userId.slice(0, 8)}…` : userId;
}

/** Re-renders the calling component when a name arrives. */
export function useNames(): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((t) => t + 1);
    listeners.add(listener);
    return () => { listeners.delete(listener); };
  }, []);
}
