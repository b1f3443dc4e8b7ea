// The page's one realtime connection (SDK RealtimeClient): started after sign-in, stopped on
// sign-out. Its connection state feeds the indicator in the top bar.
import { ApiError, RealtimeClient, type ConnectionState, type ResourceChange } from '@actors/sdk';
import { useEffect, useState } from 'preact/hooks';
import { errorCode, onAuthChange, rest } from '../shared/auth';

/** The SDK's states, plus 'connecting' before the first connection is up. */
export type UiConnectionState = ConnectionState | 'connecting';

let client: RealtimeClient | null = null;
let generation = 0;
let state: UiConnectionState = 'disconnected';
let lastError: string | null = null;
const listeners = new Set<(state: UiConnectionState) => void>();

function setState(next: UiConnectionState, error?: string | null): void {
  if (error !== undefined) lastError = error;
  if (state === next) return;
  state = next;
  for (const listener of [...listeners]) listener(state);
}

export function connectionState(): UiConnectionState { return state; }
export function connectionError(): string | null { return lastError; }

export function onConnectionState(listener: (state: UiConnectionState) => void): () => void {
  listeners.add(listener);
  return () => { listeners.delete(listener); };
}

export function useConnectionState(): UiConnectionState {
  const [value, setValue] = useState(state);
  useEffect(() => {
    setValue(state);
    return onConnectionState(setValue);
  }, []);
  return value;
}

/** The client, or null when signed out. */
export function realtime(): RealtimeClient | null { return client; }

const isUp = (s: UiConnectionState) => s === 'connected' || s === 'resynced';

/** Resolves with the client once it is connected (callers drop the result if they no longer care). */
export function whenConnected(): Promise<RealtimeClient> {
  if (client && isUp(state)) return Promise.resolve(client);
  return new Promise((resolve) => {
    const off = onConnectionState((s) => {
      if (client && isUp(s)) { off(); resolve(client); }
    });
  });
}

// Events of whichever client is current (views subscribe once; a new sign-in makes a new client).
type ChangeListener = (resourceId: string, change: ResourceChange) => void;
type ErrorListener = (error: ApiError, context: { sessionId?: string; resourceId?: string }) => void;
const changeListeners = new Set<ChangeListener>();
const errorListeners = new Set<ErrorListener>();

export function onResourceChanged(listener: ChangeListener): () => void {
  changeListeners.add(listener);
  return () => { changeListeners.delete(listener); };
}

export function onRealtimeError(listener: ErrorListener): () => void {
  errorListeners.add(listener);
  return () => { errorListeners.delete(listener); };
}

/** Starts the connection (idempotent). A failed first start is retried with backoff. */
export function startRealtime(): void {
  if (client) return;
  const mine = ++generation;
  const rt = new RealtimeClient({
    url: `${location.origin}/hubs/realtime`,
    accessTokenFactory: () => rest.getAccessToken(),
  });
  client = rt;
  rt.on('resourceChanged', (id, change) => { if (generation === mine) for (const l of [...changeListeners]) l(id, change); });
  rt.on('error', (error, context) => { if (generation === mine) for (const l of [...errorListeners]) l(error, context); });
  rt.on('state', (s, error) => {
    if (generation === mine) setState(s, error ? error.message : s === 'connected' || s === 'resynced' ? null : undefined);
  });
  setState('connecting', null);
  void (async () => {
    for (let attempt = 0; generation === mine; attempt++) {
      try {
        await rt.start();
        return;
      } catch (error) {
        if (generation !== mine) return;
        setState('disconnected', `${errorCode(error)}: could not connect`);
        if (!rest.isSignedIn) return;
        const delay = Math.min(10_000, 250 * 2 ** Math.min(attempt, 6));
        await new Promise((r) => setTimeout(r, delay));
        if (generation === mine) setState('connecting');
      }
    }
  })();
}

export async function stopRealtime(): Promise<void> {
  const rt = client;
  client = null;
  generation++;
  setState('disconnected', null);
  if (rt) {
    try { await rt.stop(); } catch { /* already stopped */ }
  }
}

// The connection lives exactly as long as the sign-in (started before any view renders).
onAuthChange((user) => {
  if (user) startRealtime();
  else void stopRealtime();
});
