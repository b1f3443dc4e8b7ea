// End-to-end: the real WebHost process, the npm SignalR client, a real PostgreSQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebHost, newClusterSettings, stopAll } from './lib/harness.mjs';
import { register, createSession, addMember, publish } from './lib/api.mjs';
import { connect, rawConnect, until } from './lib/realtime.mjs';

let host;

before(async () => {
  host = await startWebHost(newClusterSettings(), { env: { Actors__Realtime__OutboxCapacity: '64' } });
});

after(async () => {
  await stopAll();
});

function seqsOf(inbox, sessionId, types) {
  return inbox.events.filter((e) => e.sessionId === sessionId && (!types || types.includes(e.type))).map((e) => e.seq);
}

function assertConsecutive(seqs) {
  for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1, `gap or reorder at ${i}: ${seqs.slice(Math.max(0, i - 3), i + 2)}`);
}

test('two users in a session exchange events in order', async () => {
  const alice = await register(host.base, 'alice');
  const bob = await register(host.base, 'bob');
  const session = await createSession(host.base, alice);
  await addMember(host.base, alice, session.id, bob);
  const a = await connect(host.base, alice);
  const b = await connect(host.base, bob);
  const joinA = await a.connection.invoke('JoinSession', session.id, null);
  await b.connection.invoke('JoinSession', session.id, null);

  const sends = [];
  for (let i = 0; i < 40; i++) {
    sends.push(a.connection.invoke('Publish', session.id, 'chat.message', { from: 'alice', i }, `a-${i}`));
    sends.push(b.connection.invoke('Publish', session.id, 'chat.message', { from: 'bob', i }, `b-${i}`));
  }
  const acks = await Promise.all(sends);
  const last = Math.max(...acks.map((x) => x.seq));

  for (const client of [a, b]) {
    await until(() => seqsOf(client.inbox, session.id).at(-1) === last, { message: 'all events' });
    const seqs = seqsOf(client.inbox, session.id);
    assertConsecutive(seqs);
    assert.ok(seqs[0] > joinA.lastSeq - 1);
    const chat = client.inbox.events.filter((e) => e.type === 'chat.message');
    assert.equal(chat.length, 80);
    // Each sender's messages arrive in the order they were sent.
    for (const from of ['alice', 'bob']) {
      const mine = chat.filter((e) => e.payload.from === from).map((e) => e.payload.i);
      assert.deepEqual(mine, [...Array(40).keys()]);
    }
  }

  await a.connection.stop();
  await b.connection.stop();
});

test('a client that reconnects with afterSeq receives exactly the 100 events it missed, in order', async () => {
  const alice = await register(host.base, 'alice');
  const bob = await register(host.base, 'bob');
  const session = await createSession(host.base, alice);
  await addMember(host.base, alice, session.id, bob);
  const first = await connect(host.base, bob);
  const joined = await first.connection.invoke('JoinSession', session.id, null);
  const seen = joined.lastSeq;
  await first.connection.stop();

  const published = [];
  for (let i = 0; i < 100; i++) {
    published.push((await publish(host.base, alice, session.id, 'doc.edit', { i })).seq);
  }

  const again = await connect(host.base, bob);
  const resumed = await again.connection.invoke('JoinSession', session.id, seen);
  assert.equal(resumed.gap, false);
  assert.deepEqual(resumed.events.map((e) => e.seq), published);
  assert.deepEqual(resumed.events.map((e) => e.payload.i), [...Array(100).keys()]);
  assert.equal(resumed.lastSeq, published.at(-1));

  // Live delivery continues right after the resumed events.
  const next = await publish(host.base, alice, session.id, 'doc.edit', { i: 100 });
  await until(() => seqsOf(again.inbox, session.id).includes(next.seq), { message: 'live event after resume' });
  assert.deepEqual(seqsOf(again.inbox, session.id), [next.seq]);
  await again.connection.stop();
});

test('a client that stops reading does not delay the others and later gets resync', async () => {
  const alice = await register(host.base, 'alice');
  const slow = await register(host.base, 'slow');
  const session = await createSession(host.base, alice);
  await addMember(host.base, alice, session.id, slow);
  const fast = await connect(host.base, alice);
  await fast.connection.invoke('JoinSession', session.id, null);
  const stalled = await rawConnect(host.base, slow);
  const stalledJoin = await stalled.invoke('JoinSession', session.id, null);
  stalled.pause();

  const big = 'x'.repeat(15000);
  const started = Date.now();
  let last = 0;
  // ~15 MB: more than the kernel's socket buffers hold, so the stalled connection's writes block.
  for (let i = 0; i < 1000; i++) {
    last = (await fast.connection.invoke('Publish', session.id, 'bulk.data', { i, big }, null)).seq;
  }
  await until(() => seqsOf(fast.inbox, session.id).at(-1) === last, { message: 'fast client received everything' });
  const elapsed = Date.now() - started;
  assertConsecutive(seqsOf(fast.inbox, session.id));

  stalled.resume();
  await until(() => stalled.received.some((m) => m.target === 'resync'), { message: 'resync to the stalled client' });
  const resync = stalled.received.find((m) => m.target === 'resync');
  assert.equal(resync.args[0], session.id);
  assert.equal(resync.args[1].reason, 'slow_consumer');

  // What it did get is in order with no gap, and re-joining from there loses nothing.
  const got = stalled.received.filter((m) => m.target === 'sessionEvent').map((m) => m.args[1].seq);
  assertConsecutive(got);
  const from = got.length ? got.at(-1) : stalledJoin.lastSeq;
  const rejoin = await stalled.invoke('JoinSession', session.id, from);
  assert.equal(rejoin.events.at(-1)?.seq ?? from, last);
  assertConsecutive([from, ...rejoin.events.map((e) => e.seq)]);
  assert.ok(elapsed < 30_000, `fast client took ${elapsed} ms`);
  stalled.close();
  await fast.connection.stop();
});

test('presence shows joins and an explicit leave at once', async () => {
  const alice = await register(host.base, 'alice');
  const bob = await register(host.base, 'bob');
  const session = await createSession(host.base, alice);
  await addMember(host.base, alice, session.id, bob);
  const a = await connect(host.base, alice);
  await a.connection.invoke('JoinSession', session.id, null);
  const b = await connect(host.base, bob);
  const joinB = await b.connection.invoke('JoinSession', session.id, null);
  assert.ok(joinB.presence.items.some((p) => p.userId === alice.id));

  await until(() => a.inbox.presence.some((d) => d.joined.some((p) => p.userId === bob.id)), { message: 'bob joined' });
  await b.connection.invoke('SetPresence', session.id, { cursor: { x: 1, y: 2 } });
  await until(() => a.inbox.presence.some((d) => d.updated.some((p) => p.userId === bob.id && p.meta?.cursor?.x === 1)), { message: 'bob moved' });
  await b.connection.invoke('LeaveSession', session.id);
  await until(() => a.inbox.presence.some((d) => d.left.includes(bob.id)), { timeoutMs: 3000, message: 'bob left at once' });

  await a.connection.stop();
  await b.connection.stop();
});

test('hub errors carry a code', async () => {
  const alice = await register(host.base, 'alice');
  const stranger = await register(host.base, 'stranger');
  const session = await createSession(host.base, alice);
  const s = await connect(host.base, stranger);
  await assert.rejects(s.connection.invoke('JoinSession', session.id, null), /HubException: not_found: /);
  await assert.rejects(s.connection.invoke('JoinSession', 'bad id!', null), /HubException: validation_failed: /);
  await s.connection.stop();
});
