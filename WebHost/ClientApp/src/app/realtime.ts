// The page's one realtime connection (SDK RealtimeClient): started after sign-in, stopped on
// sign-out. Its connection state feeds the indicator in the top bar.
import { RealtimeClient, type ConnectionState } from '@actors/sdk';
import { useEffect, useState } from 'preact/hooks';
import { errorCode, rest } from '../shared/auth';

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

/** Resolves with the client once it is connected (rejects if the connection is stopped meanwhile). */
export function whenConnected(): Promise<RealtimeClient> {
  const mine = generation;
  if (client && isUp(state)) return Promise.resolve(client);
  return new Promise((resolve, reject) => {
    const off = onConnectionState((s) => {
      if (generation !== mine || !client) { off(); reject(new Error('signed out')); return; }
      if (isUp(s)) { off(); resolve(client); }
    });
    if (generation !== mine || !client) { off(); reject(new Error('signed out')); }
  });
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
