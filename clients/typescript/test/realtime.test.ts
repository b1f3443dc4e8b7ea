import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeClient } from '../src/realtime.js';
import type { ConnectionState } from '../src/realtime.js';
import { ApiError } from '../src/errors.js';
import { FakeTransport, deferred, ev, joinResult, tick } from './fake.js';

function setup() {
  const transport = new FakeTransport();
  const client = new RealtimeClient({ transport, minRetryDelayMs: 1, maxRetryDelayMs: 5 });
  const seen: number[] = [];
  const states: ConnectionState[] = [];
  client.on('state', (s) => states.push(s));
  return { transport, client, seen, states };
}

test('live events are delivered in seq order and duplicates are dropped', async () => {
  const { transport, client, seen } = setup();
  transport.server = async (m) => (m === 'JoinSession' ? joinResult('s', [1, 2]) : undefined);
  await client.start();
  await client.join('s', { onEvent: (e) => seen.push(e.seq) });
  transport.push('sessionEvent', 's', ev(3));
  transport.push('sessionEvent', 's', ev(3));
  transport.push('sessionEvent', 's', ev(2));
  transport.push('sessionEvent', 's', ev(4));
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.equal(client.lastSeq('s'), 4);
});

test('events arriving before the join completes are buffered, merged and sorted', async () => {
  const { transport, client, seen } = setup();
  const answer = deferred<unknown>();
  transport.server = (m) => (m === 'JoinSession' ? answer.promise : Promise.resolve());
  await client.start();
  const joined = client.join('s', { onEvent: (e) => seen.push(e.seq) });
  transport.push('sessionEvent', 's', ev(7));
  transport.push('sessionEvent', 's', ev(5));
  transport.push('sessionEvent', 's', ev(6));
  assert.deepEqual(seen, []);
  answer.resolve(joinResult('s', [3, 4, 5]));
  await joined;
  assert.deepEqual(seen, [3, 4, 5, 6, 7]);
});

test('a hole in the live stream is held back and filled by a re-join from the last seq', async () => {
  const { transport, client, seen } = setup();
  transport.server = async (m, args) => {
    if (m !== 'JoinSession') return undefined;
    return args[1] === null ? joinResult('s', [1]) : joinResult('s', [2, 3], 3);
  };
  await client.start();
  await client.join('s', { onEvent: (e) => seen.push(e.seq) });
  transport.push('sessionEvent', 's', ev(3));
  transport.push('sessionEvent', 's', ev(4));
  assert.deepEqual(seen, [1]);
  await tick();
  assert.deepEqual(seen, [1, 2, 3, 4]);
  const joins = transport.calls.filter((c) => c.method === 'JoinSession').map((c) => c.args[1]);
  assert.deepEqual(joins, [null, 1]);
});

test('after a reconnect every session is re-joined with the last delivered seq, nothing lost or doubled', async () => {
  const { transport, client, seen, states } = setup();
  const log = [1, 2, 3, 4, 5, 6, 7, 8];
  transport.server = async (m, args) => {
    if (m !== 'JoinSession') return undefined;
    const after = (args[1] as number | null) ?? 0;
    return joinResult(args[0] as string, log.filter((s) => s > after), 8);
  };
  await client.start();
  await client.join('a', { afterSeq: 8, onEvent: (e) => seen.push(e.seq) });
  const other: number[] = [];
  await client.join('b', { onEvent: (e) => other.push(e.seq) });
  assert.deepEqual(other, log);
  transport.push('sessionEvent', 'a', ev(9));
  log.push(9, 10, 11);
  transport.dropAndReconnect();
  transport.push('sessionEvent', 'a', ev(11)); // arrives on the new connection while re-joining
  await tick();
  assert.deepEqual(seen, [9, 10, 11]);
  assert.deepEqual(other, log);
  const joins = transport.calls.filter((c) => c.method === 'JoinSession').map((c) => [c.args[0], c.args[1]]);
  assert.deepEqual(joins, [['a', 8], ['b', null], ['a', 9], ['b', 8]]);
  assert.deepEqual(states, ['connected', 'reconnecting', 'connected', 'resynced']);
});

test('resync re-joins from the last seq', async () => {
  const { transport, client, seen } = setup();
  transport.server = async (m, args) => (m === 'JoinSession' ? (args[1] === null ? joinResult('s', [1, 2]) : joinResult('s', [3, 4])) : undefined);
  await client.start();
  await client.join('s', { onEvent: (e) => seen.push(e.seq) });
  transport.push('resync', 's', { reason: 'slow_consumer', lastSeq: 4 });
  await tick();
  assert.deepEqual(seen, [1, 2, 3, 4]);
  assert.equal(transport.calls.at(-1)!.args[1], 2);
});

test('gap: true calls onGap and continues from the events returned', async () => {
  const { transport, client, seen } = setup();
  const gaps: number[] = [];
  transport.server = async (m) => (m === 'JoinSession' ? joinResult('s', [50, 51], 51, true) : undefined);
  await client.start();
  await client.join('s', { afterSeq: 10, onEvent: (e) => seen.push(e.seq), onGap: (g) => gaps.push(g.lastSeq) });
  assert.deepEqual(gaps, [51]);
  assert.deepEqual(seen, [50, 51]);
  transport.push('sessionEvent', 's', ev(52));
  assert.deepEqual(seen, [50, 51, 52]);
});

test('presence map: snapshot then joined/updated/left diffs', async () => {
  const { transport, client } = setup();
  const entry = (userId: string, meta: unknown = null) => ({ userId, displayName: userId, status: 'online', connections: 1, meta });
  transport.server = async (m) => (m === 'JoinSession' ? joinResult('s', [], 0, false, [entry('a')]) : undefined);
  await client.start();
  const handle = await client.join('s');
  assert.deepEqual([...handle.presence.keys()], ['a']);
  transport.push('presence', 's', { joined: [entry('b')], left: [], updated: [] });
  transport.push('presence', 's', { joined: [], left: [], updated: [entry('b', { x: 1 })] });
  assert.deepEqual(handle.presence.get('b')!.meta, { x: 1 });
  transport.push('presence', 's', { joined: [], left: ['a'], updated: [] });
  assert.deepEqual([...client.presence('s')!.keys()], ['b']);
});

test('hub errors become ApiError with the code', async () => {
  const { transport, client } = setup();
  transport.server = async () => { throw new Error("An unexpected error occurred invoking 'JoinSession' on the server. HubException: forbidden: you are not a member of this session"); };
  await client.start();
  await assert.rejects(client.join('s'), (e: unknown) => e instanceof ApiError && e.code === 'forbidden' && e.detail === 'you are not a member of this session');
  assert.equal(client.lastSeq('s'), undefined);
});

test('when SignalR gives up, a restart loop reconnects and re-joins', async () => {
  const { transport, client, seen, states } = setup();
  transport.server = async (m, args) => (m === 'JoinSession' ? (args[1] === null ? joinResult('s', [1]) : joinResult('s', [2])) : undefined);
  await client.start();
  await client.join('s', { onEvent: (e) => seen.push(e.seq) });
  transport.failStarts = 2;
  transport.close();
  for (let i = 0; i < 100 && client.state !== 'resynced'; i++) await tick();
  assert.equal(client.state, 'resynced');
  assert.equal(transport.starts, 4);
  assert.deepEqual(seen, [1, 2]);
  assert.deepEqual(states, ['connected', 'disconnected', 'reconnecting', 'connected', 'resynced']);
  await client.stop();
  assert.equal(client.state, 'disconnected');
});
