import type { HubTransport } from '../src/realtime.js';

/** An in-memory HubTransport: the test plays the server. */
export class FakeTransport implements HubTransport {
  handlers = new Map<string, ((...args: any[]) => void)[]>();
  calls: { method: string; args: unknown[] }[] = [];
  /** Answers an invocation; default: resolves undefined. */
  server: (method: string, args: unknown[]) => Promise<unknown> = async () => undefined;
  private reconnecting: ((e?: Error) => void)[] = [];
  private reconnected: ((id?: string) => void)[] = [];
  private closed: ((e?: Error) => void)[] = [];
  starts = 0;
  failStarts = 0;

  async start(): Promise<void> {
    this.starts++;
    if (this.failStarts > 0) { this.failStarts--; throw new Error('connect failed'); }
  }
  async stop(): Promise<void> { for (const cb of this.closed) cb(); }
  invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    this.calls.push({ method, args });
    return this.server(method, args) as Promise<T>;
  }
  on(method: string, handler: (...args: any[]) => void): void {
    this.handlers.set(method, [...(this.handlers.get(method) ?? []), handler]);
  }
  onreconnecting(cb: (e?: Error) => void): void { this.reconnecting.push(cb); }
  onreconnected(cb: (id?: string) => void): void { this.reconnected.push(cb); }
  onclose(cb: (e?: Error) => void): void { this.closed.push(cb); }

  push(method: string, ...args: unknown[]): void { for (const h of this.handlers.get(method) ?? []) h(...args); }
  dropAndReconnect(): void {
    for (const cb of this.reconnecting) cb(new Error('dropped'));
    for (const cb of this.reconnected) cb('new');
  }
  close(error = new Error('gave up')): void { for (const cb of this.closed) cb(error); }
}

export const ev = (seq: number) => ({ seq, type: 't', authorId: 'u', payload: { seq }, at: '2025-01-01T00:00:00Z' });

export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

export const session = (id: string, lastSeq: number) => ({
  id, title: 't', visibility: 'private', status: 'open', ownerId: 'o', createdAt: '', lastSeq, members: [],
});

export function joinResult(id: string, seqs: number[], lastSeq = seqs.at(-1) ?? 0, gap = false, presence: any[] = []) {
  return { session: session(id, lastSeq), presence: { items: presence }, events: seqs.map(ev), lastSeq, gap };
}

export const tick = () => new Promise((r) => setTimeout(r, 5));
