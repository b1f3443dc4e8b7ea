import * as signalR from '@microsoft/signalr';
import { ApiError, hubErrorToApiError } from './errors.js';
import type {
  Json, PresenceDiff, PresenceEntry, PublishAck, Resource, ResourceChange, ResyncNotice, Session, SessionEvent, SessionJoin,
} from './types.js';

/** The part of a SignalR HubConnection the realtime client uses (a fake implements it in tests). */
export interface HubTransport {
  start(): Promise<void>;
  stop(): Promise<void>;
  invoke<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  on(method: string, handler: (...args: any[]) => void): void;
  onreconnecting(callback: (error?: Error) => void): void;
  onreconnected(callback: (connectionId?: string) => void): void;
  onclose(callback: (error?: Error) => void): void;
}

export type ConnectionState = 'connected' | 'reconnecting' | 'resynced' | 'disconnected';

export interface RealtimeClientOptions {
  /** Hub URL, e.g. `http://127.0.0.1:5000/hubs/realtime` (or `/hubs/realtime` in a browser). */
  url?: string;
  /** Called on every (re)connect; return a fresh access token (e.g. `() => rest.getAccessToken()`). */
  accessTokenFactory?: () => string | Promise<string>;
  /** Replaces the SignalR connection (tests). */
  transport?: HubTransport;
  /** Extra SignalR HTTP options; default WebSockets without negotiation. */
  httpOptions?: signalR.IHttpConnectionOptions;
  /** Reconnect backoff: first retry delay, growth cap (ms). Defaults 250 / 10 000. */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** How long SignalR's own automatic reconnect keeps trying before our restart loop takes over. Default 60 000. */
  signalRGiveUpMs?: number;
  logLevel?: signalR.LogLevel;
}

export interface JoinOptions {
  /** Resume after this seq (e.g. from a REST load); default: the last seq delivered, or all retained events on a first join. */
  afterSeq?: number;
  onEvent?: (event: SessionEvent) => void;
  onPresence?: (presence: ReadonlyMap<string, PresenceEntry>, diff: PresenceDiff | null) => void;
  /** Events were lost (past retention or the 1000-event cap): reload the session's state over REST. */
  onGap?: (info: { sessionId: string; lastSeq: number }) => void;
  onClosed?: () => void;
}

type Listener<A extends unknown[]> = (...args: A) => void;
interface ClientEvents {
  state: [state: ConnectionState, error?: Error];
  sessionEvent: [sessionId: string, event: SessionEvent];
  presence: [sessionId: string, presence: ReadonlyMap<string, PresenceEntry>, diff: PresenceDiff | null];
  gap: [sessionId: string, info: { sessionId: string; lastSeq: number }];
  sessionClosed: [sessionId: string];
  resourceChanged: [resourceId: string, change: ResourceChange];
  error: [error: ApiError, context: { sessionId?: string; resourceId?: string }];
}

interface SessionState {
  id: string;
  options: JoinOptions;
  /** Highest seq delivered to subscribers; null before the first join completes. */
  lastSeq: number | null;
  /** Events received but not yet deliverable (during a join, or after a hole). */
  buffer: SessionEvent[];
  presence: Map<string, PresenceEntry>;
  /** Presence diffs that arrive while a join is in flight; applied on top of its snapshot. */
  pendingPresence: PresenceDiff[];
  session: Session | null;
  joining: Promise<void> | null;
  joinAgain: boolean;
  left: boolean;
}

/** Joined session as seen by the app. */
export interface SessionHandle {
  readonly id: string;
  readonly lastSeq: number | null;
  readonly presence: ReadonlyMap<string, PresenceEntry>;
  readonly session: Session | null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const closingCodes = new Set(['not_found', 'forbidden', 'unauthorized', 'validation_failed']);

/**
 * The realtime client (DESIGN §6). Reconnects by itself, re-joins every joined session with the
 * last seq it delivered, and delivers each session's events exactly once, in seq order.
 */
export class RealtimeClient {
  private readonly transport: HubTransport;
  private readonly sessions = new Map<string, SessionState>();
  private readonly watched = new Set<string>();
  private readonly listeners = new Map<keyof ClientEvents, Set<Listener<any>>>();
  private readonly minDelay: number;
  private readonly maxDelay: number;
  private stopping = false;
  private restarting = false;
  private stateValue: ConnectionState = 'disconnected';

  constructor(options: RealtimeClientOptions) {
    this.minDelay = options.minRetryDelayMs ?? 250;
    this.maxDelay = options.maxRetryDelayMs ?? 10_000;
    if (options.transport) {
      this.transport = options.transport;
    } else {
      if (!options.url) throw new Error('RealtimeClient needs url (or transport)');
      const giveUp = options.signalRGiveUpMs ?? 60_000;
      this.transport = new signalR.HubConnectionBuilder()
        .withUrl(options.url, {
          transport: signalR.HttpTransportType.WebSockets,
          skipNegotiation: true,
          ...(options.accessTokenFactory ? { accessTokenFactory: options.accessTokenFactory } : {}),
          ...options.httpOptions,
        })
        .withAutomaticReconnect({
          nextRetryDelayInMilliseconds: (ctx) =>
            ctx.elapsedMilliseconds > giveUp ? null : ctx.previousRetryCount === 0 ? 0 : this.backoff(ctx.previousRetryCount - 1),
        })
        .configureLogging(options.logLevel ?? signalR.LogLevel.None)
        .build();
    }
    const t = this.transport;
    t.on('sessionEvent', (sessionId: string, event: SessionEvent) => this.onSessionEvent(sessionId, event));
    t.on('presence', (sessionId: string, diff: PresenceDiff) => this.onPresence(sessionId, diff));
    t.on('resync', (sessionId: string, notice: ResyncNotice) => this.onResync(sessionId, notice));
    t.on('sessionClosed', (sessionId: string) => this.onSessionClosed(sessionId));
    t.on('resourceChanged', (resourceId: string, change: ResourceChange) => this.emit('resourceChanged', resourceId, change));
    t.onreconnecting((error) => this.setState('reconnecting', error));
    t.onreconnected(() => { void this.resumeAll(); });
    t.onclose((error) => this.onClosed(error));
  }

  get state(): ConnectionState { return this.stateValue; }

  on<K extends keyof ClientEvents>(event: K, listener: Listener<ClientEvents[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  async start(): Promise<void> {
    this.stopping = false;
    try {
      await this.transport.start();
    } catch (error) {
      throw hubErrorToApiError(error);
    }
    this.setState('connected');
    if (this.sessions.size || this.watched.size) await this.resumeAll();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.transport.stop();
    this.setState('disconnected');
  }

  /** Joins (or, if already joined, returns) a session; resolves once its first join has completed. */
  async join(sessionId: string, options: JoinOptions = {}): Promise<SessionHandle> {
    let s = this.sessions.get(sessionId);
    if (!s) {
      s = {
        id: sessionId, options, lastSeq: options.afterSeq ?? null, buffer: [], presence: new Map(), pendingPresence: [],
        session: null, joining: null, joinAgain: false, left: false,
      };
      this.sessions.set(sessionId, s);
      try {
        await this.rejoin(s, true);
      } catch (error) {
        this.sessions.delete(sessionId);
        throw error;
      }
    } else if (s.joining) {
      await s.joining;
    }
    return this.handle(s);
  }

  async leave(sessionId: string): Promise<void> {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    s.left = true;
    this.sessions.delete(sessionId);
    try { await this.transport.invoke('LeaveSession', sessionId); } catch { /* gone anyway */ }
  }

  /** Presence of a joined session (userId → entry). */
  presence(sessionId: string): ReadonlyMap<string, PresenceEntry> | undefined {
    return this.sessions.get(sessionId)?.presence;
  }

  /** Last seq delivered for a joined session. */
  lastSeq(sessionId: string): number | null | undefined {
    return this.sessions.get(sessionId)?.lastSeq;
  }

  async publish(sessionId: string, type: string, payload: Json, clientMsgId?: string): Promise<PublishAck> {
    return this.invoke<PublishAck>('Publish', sessionId, type, payload, clientMsgId ?? null);
  }

  async setPresence(sessionId: string, meta: Json): Promise<void> {
    await this.invoke('SetPresence', sessionId, meta);
  }

  /** Watches a resource (re-watched after reconnects); `resourceChanged` delivers changes. */
  async watchResource(resourceId: string): Promise<Resource> {
    this.watched.add(resourceId);
    try {
      return await this.invoke<Resource>('WatchResource', resourceId);
    } catch (error) {
      this.watched.delete(resourceId);
      throw error;
    }
  }

  async unwatchResource(resourceId: string): Promise<void> {
    this.watched.delete(resourceId);
    await this.invoke('UnwatchResource', resourceId);
  }

  async updateResource(resourceId: string, expectedVersion: number, data: Json): Promise<{ version: number }> {
    return this.invoke<{ version: number }>('UpdateResource', resourceId, expectedVersion, data);
  }

  /** Any hub method; failures become ApiError with the hub error's code. */
  async invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    try {
      return await this.transport.invoke<T>(method, ...args);
    } catch (error) {
      throw hubErrorToApiError(error);
    }
  }

  // ---- internals

  private handle(s: SessionState): SessionHandle {
    return {
      id: s.id,
      get lastSeq() { return s.lastSeq; },
      get presence() { return s.presence; },
      get session() { return s.session; },
    };
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.maxDelay, this.minDelay * 2 ** Math.min(attempt, 20));
    return Math.round(exp / 2 + Math.random() * exp / 2);
  }

  private setState(state: ConnectionState, error?: Error): void {
    if (this.stateValue === state) return;
    this.stateValue = state;
    this.emit('state', state, error);
  }

  private emit<K extends keyof ClientEvents>(event: K, ...args: ClientEvents[K]): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        listener(...args);
      } catch (error) {
        if (event !== 'error') this.emit('error', hubErrorToApiError(error), {});
      }
    }
  }

  /** (Re-)joins with afterSeq = last delivered seq; serialised per session (a request during a join runs once more after it). */
  private rejoin(s: SessionState, throwErrors = false): Promise<void> {
    if (s.joining) {
      s.joinAgain = true;
      return s.joining;
    }
    const run = async (): Promise<void> => {
      do {
        s.joinAgain = false;
        await this.joinOnce(s);
      } while (s.joinAgain && !s.left);
    };
    s.joining = run().finally(() => { s.joining = null; });
    if (throwErrors) return s.joining;
    return s.joining.catch((error: ApiError) => this.joinFailed(s, error));
  }

  private async joinOnce(s: SessionState): Promise<void> {
    s.pendingPresence = [];
    const afterSeq = s.lastSeq;
    const result = await this.invoke<SessionJoin>('JoinSession', s.id, afterSeq);
    if (s.left) return;
    s.session = result.session;

    // Presence: the snapshot, then diffs that arrived while joining.
    s.presence = new Map(result.presence.items.map((p) => [p.userId, p]));
    for (const diff of s.pendingPresence) applyDiff(s.presence, diff);
    s.pendingPresence = [];
    this.notifyPresence(s, null);

    const events = [...result.events].sort((a, b) => a.seq - b.seq);
    if (result.gap) {
      const info = { sessionId: s.id, lastSeq: result.lastSeq };
      s.options.onGap?.(info);
      this.emit('gap', s.id, info);
    }
    if (s.lastSeq === null || result.gap) {
      // Baseline: just before the first event the server gave us (or its lastSeq if none).
      const first = events[0]?.seq;
      const baseline = first !== undefined ? first - 1 : result.lastSeq;
      s.lastSeq = s.lastSeq === null ? baseline : Math.max(s.lastSeq, baseline);
    }
    const buffered = s.buffer;
    s.buffer = [];
    this.accept(s, [...events, ...buffered], true);
  }

  private joinFailed(s: SessionState, error: ApiError): void {
    if (s.left) return;
    this.emit('error', error, { sessionId: s.id });
    if (closingCodes.has(error.code)) {
      // Access is gone: stop tracking this session.
      this.sessions.delete(s.id);
      return;
    }
    // network_error: the reconnect path re-joins; anything else (rate_limited, unavailable): retry.
    if (error.code !== 'network_error' && this.stateValue !== 'disconnected' && this.stateValue !== 'reconnecting') {
      setTimeout(() => { if (this.sessions.get(s.id) === s) void this.rejoin(s); }, this.backoff(2));
    }
  }

  /** Delivers what can be delivered in order; keeps events beyond a hole, and re-joins to fill it. */
  private accept(s: SessionState, incoming: SessionEvent[], fromJoin = false): void {
    const all = [...s.buffer, ...incoming].sort((a, b) => a.seq - b.seq);
    const rest: SessionEvent[] = [];
    for (const event of all) {
      if (s.lastSeq !== null && event.seq <= s.lastSeq) continue; // duplicate
      if (s.lastSeq !== null && event.seq !== s.lastSeq + 1) {
        if (!rest.some((e) => e.seq === event.seq)) rest.push(event);
        continue;
      }
      s.lastSeq = event.seq;
      this.deliver(s, event);
    }
    s.buffer = rest;
    if (rest.length && !s.joining) {
      void this.rejoin(s);
    } else if (rest.length && fromJoin) {
      // The join itself did not fill the hole (should not happen): try again shortly.
      setTimeout(() => { if (this.sessions.get(s.id) === s && s.buffer.length) void this.rejoin(s); }, this.backoff(1));
    }
  }

  private deliver(s: SessionState, event: SessionEvent): void {
    try {
      s.options.onEvent?.(event);
    } catch (error) {
      this.emit('error', hubErrorToApiError(error), { sessionId: s.id });
    }
    this.emit('sessionEvent', s.id, event);
  }

  private onSessionEvent(sessionId: string, event: SessionEvent): void {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    if (s.joining) {
      s.buffer.push(event);
      return;
    }
    this.accept(s, [event]);
  }

  private onPresence(sessionId: string, diff: PresenceDiff): void {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    if (s.joining) s.pendingPresence.push(diff);
    applyDiff(s.presence, diff);
    this.notifyPresence(s, diff);
  }

  private notifyPresence(s: SessionState, diff: PresenceDiff | null): void {
    try {
      s.options.onPresence?.(s.presence, diff);
    } catch (error) {
      this.emit('error', hubErrorToApiError(error), { sessionId: s.id });
    }
    this.emit('presence', s.id, s.presence, diff);
  }

  private onResync(sessionId: string, _notice: ResyncNotice): void {
    const s = this.sessions.get(sessionId);
    if (s) void this.rejoin(s);
  }

  private onSessionClosed(sessionId: string): void {
    const s = this.sessions.get(sessionId);
    if (s?.session) s.session = { ...s.session, status: 'closed' };
    s?.options.onClosed?.();
    this.emit('sessionClosed', sessionId);
  }

  /** After a (re)connect: re-join every session from its last seq and re-watch resources. */
  private async resumeAll(): Promise<void> {
    this.setState('connected');
    const joins = [...this.sessions.values()].map((s) => {
      if (s.joining) s.joinAgain = true; // a join that raced the disconnect runs again on this connection
      return this.rejoin(s);
    });
    const watches = [...this.watched].map((id) =>
      this.invoke('WatchResource', id).catch((error: ApiError) => this.emit('error', error, { resourceId: id })));
    await Promise.all([...joins, ...watches]);
    if (this.stateValue === 'connected') this.setState('resynced');
  }

  private onClosed(error?: Error): void {
    this.setState('disconnected', error);
    if (this.stopping || this.restarting) return;
    void this.restartLoop();
  }

  /** SignalR gave up (or the connection closed without its automatic reconnect): keep trying with bounded backoff. */
  private async restartLoop(): Promise<void> {
    this.restarting = true;
    try {
      for (let attempt = 0; !this.stopping; attempt++) {
        this.setState('reconnecting');
        await sleep(this.backoff(attempt));
        if (this.stopping) return;
        try {
          await this.transport.start();
        } catch {
          continue;
        }
        this.restarting = false;
        await this.resumeAll();
        return;
      }
    } finally {
      this.restarting = false;
    }
  }
}

function applyDiff(presence: Map<string, PresenceEntry>, diff: PresenceDiff): void {
  for (const entry of diff.joined ?? []) presence.set(entry.userId, entry);
  for (const entry of diff.updated ?? []) presence.set(entry.userId, entry);
  for (const userId of diff.left ?? []) presence.delete(userId);
}
