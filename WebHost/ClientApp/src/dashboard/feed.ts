// The live feed from the operator hub (/hubs/dashboard): 5 minutes of history on connect, then a
// snapshot every second and batches of new warnings/errors. Reconnects on its own; after a
// reconnect it reloads the history and the recent logs (pushes missed meanwhile are gone).
import { HubConnectionBuilder, HubConnectionState, LogLevel, type HubConnection } from '@microsoft/signalr';
import type { RestClient } from '@actors/sdk';
import type { DashboardPoint, DashboardSnapshot, LogEntry } from './types';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'disconnected' | 'forbidden' | 'unauthorized';

export interface FeedState {
  connection: ConnectionState;
  /** Why the connection is down, when it is. */
  error: string | null;
  /** Oldest first, at most 5 minutes. */
  history: DashboardPoint[];
  snapshot: DashboardSnapshot | null;
  /** Newest first. */
  logs: LogEntry[];
}

const historySeconds = 300;
const maxLogs = 500;

/** Retries forever: 0 s, 1 s, 2 s, 4 s … capped at 10 s. */
const retryForever = {
  nextRetryDelayInMilliseconds: (context: { previousRetryCount: number }) =>
    context.previousRetryCount === 0 ? 0 : Math.min(10_000, 1000 * 2 ** (context.previousRetryCount - 1)),
};

export function statusOf(error: unknown): number | undefined {
  if (error && typeof error === 'object' && 'statusCode' in error && typeof error.statusCode === 'number') return error.statusCode;
  const message = error instanceof Error ? error.message : String(error);
  const match = /Status code '(\d{3})'/.exec(message) ?? /status code (\d{3})/i.exec(message);
  return match ? Number(match[1]) : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Ids increase per process, and two processes may report the same source name (silos on one host
 * share a machine name): the time keeps their entries apart.
 */
export const logKey = (e: LogEntry) => `${e.source}\u0000${e.id}\u0000${e.at}`;

/** Merges points by time (later copies win), oldest first, trimmed to the history window. */
function mergePoints(a: DashboardPoint[], b: DashboardPoint[]): DashboardPoint[] {
  const byAt = new Map<number, DashboardPoint>();
  for (const p of a) byAt.set(Date.parse(p.at), p);
  for (const p of b) byAt.set(Date.parse(p.at), p);
  const sorted = [...byAt.entries()].sort((x, y) => x[0] - y[0]);
  if (sorted.length === 0) return [];
  const newest = sorted[sorted.length - 1]![0];
  return sorted.filter(([t]) => t > newest - historySeconds * 1000 - 500).map(([, p]) => p);
}

export class DashboardFeed {
  private readonly connection: HubConnection;
  private readonly listeners = new Set<(state: FeedState) => void>();
  private readonly seenLogs = new Set<string>();
  private stopped = false;
  state: FeedState = { connection: 'connecting', error: null, history: [], snapshot: null, logs: [] };

  constructor(private readonly rest: RestClient) {
    this.connection = new HubConnectionBuilder()
      .withUrl(`${location.origin}/hubs/dashboard`, { accessTokenFactory: () => this.rest.getAccessToken() })
      .withAutomaticReconnect(retryForever)
      .configureLogging(LogLevel.None)
      .build();

    this.connection.on('snapshot', (snapshot: DashboardSnapshot) => {
      const history = this.state.history;
      const last = history[history.length - 1];
      const next = last && Date.parse(last.at) >= Date.parse(snapshot.point.at)
        ? mergePoints(history, [snapshot.point])
        : trimHistory([...history, snapshot.point]);
      this.update({ snapshot, history: next });
    });
    this.connection.on('logs', (entries: LogEntry[]) => this.addLogs(entries));
    this.connection.onreconnecting((error) => this.update({ connection: 'reconnecting', error: error ? messageOf(error) : null }));
    this.connection.onreconnected(() => {
      this.update({ connection: 'live', error: null });
      void this.loadInitial();
    });
    this.connection.onclose((error) => {
      if (this.stopped) return;
      this.update({ connection: 'disconnected', error: error ? messageOf(error) : 'the connection closed' });
    });
  }

  subscribe(listener: (state: FeedState) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  /** Connects (again). Resolves once connected or failed; the state says which. */
  async start(): Promise<void> {
    if (this.stopped || this.connection.state !== HubConnectionState.Disconnected) return;
    this.update({ connection: 'connecting', error: null });
    try {
      await this.connection.start();
    } catch (error) {
      if (this.stopped) return;
      const status = statusOf(error);
      if (status === 403) this.update({ connection: 'forbidden', error: 'operators only' });
      else if (status === 401) this.update({ connection: 'unauthorized', error: 'sign in again' });
      else this.update({ connection: 'disconnected', error: messageOf(error) });
      return;
    }
    this.update({ connection: 'live', error: null });
    await this.loadInitial();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.listeners.clear();
    await this.connection.stop();
  }

  private async loadInitial(): Promise<void> {
    try {
      const [history, logs] = await Promise.all([
        this.connection.invoke<DashboardPoint[]>('GetHistory'),
        this.connection.invoke<LogEntry[]>('GetRecentLogs'),
      ]);
      // Snapshots may have arrived while the history was on its way: keep both.
      this.update({ history: mergePoints(history ?? [], this.state.history) });
      this.addLogs(logs ?? []);
    } catch (error) {
      if (this.connection.state === HubConnectionState.Connected) this.update({ error: `history: ${messageOf(error)}` });
    }
  }

  private addLogs(entries: LogEntry[]): void {
    const fresh = entries.filter((e) => {
      const key = logKey(e);
      if (this.seenLogs.has(key)) return false;
      this.seenLogs.add(key);
      return true;
    });
    if (fresh.length === 0) return;
    const logs = [...fresh.reverse(), ...this.state.logs]
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
      .slice(0, maxLogs);
    if (this.seenLogs.size > maxLogs * 4) {
      this.seenLogs.clear();
      for (const e of logs) this.seenLogs.add(logKey(e));
    }
    this.update({ logs });
  }

  private update(changes: Partial<FeedState>): void {
    this.state = { ...this.state, ...changes };
    for (const listener of this.listeners) listener(this.state);
  }
}

function trimHistory(points: DashboardPoint[]): DashboardPoint[] {
  if (points.length === 0) return points;
  const newest = Date.parse(points[points.length - 1]!.at);
  const first = points.findIndex((p) => Date.parse(p.at) > newest - historySeconds * 1000 - 500);
  return first <= 0 ? points : points.slice(first);
}
