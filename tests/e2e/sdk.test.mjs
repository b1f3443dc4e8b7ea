// End-to-end: the TypeScript SDK (clients/typescript, built by `npm ci` through its prepare script)
// against the real WebHost. B's realtime connection runs through a TCP proxy that the test cuts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect as tcpConnect } from 'node:net';
import { RestClient, RealtimeClient, ApiError } from '@actors/sdk';
import { startWebHost, newClusterSettings, stopAll } from './lib/harness.mjs';
import { until } from './lib/realtime.mjs';

let host;
let proxy;

/** A TCP proxy on 127.0.0.1 in front of the WebHost; cut() destroys every connection through it. */
function startProxy(targetPort) {
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}); }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    base: `http://127.0.0.1:${server.address().port}`,
    get open() { return sockets.size; },
    cut() { for (const s of sockets) s.destroy(); },
    close() { this.cut(); return new Promise((r) => server.close(r)); },
  })));
}

before(async () => {
  host = await startWebHost(newClusterSettings());
  proxy = await startProxy(Number(new URL(host.base).port));
});

after(async () => {
  await proxy?.close();
  await stopAll();
});

async function signUp(name) {
  const rest = new RestClient({ baseUrl: host.base });
  const { user } = await rest.register(`${name}-${Math.random().toString(36).slice(2, 10)}@example.test`, 'correct horse battery', name);
  return { rest, user };
}

test('SDK: reconnect-and-resume delivers every event exactly once, in seq order, across a forced disconnect', async () => {
  const alice = await signUp('alice');
  const bob = await signUp('bob');
  const session = await alice.rest.createSession('sdk e2e');
  await alice.rest.setMember(session.id, bob.user.id, 'member');

  const b = new RealtimeClient({
    url: `${proxy.base}/hubs/realtime`,
    accessTokenFactory: () => bob.rest.getAccessToken(),
    minRetryDelayMs: 50,
    maxRetryDelayMs: 500,
  });
  const states = [];
  b.on('state', (s) => states.push(s));
  const delivered = [];
  const gaps = [];
  try {
    await b.start();
    const handle = await b.join(session.id, { onEvent: (e) => delivered.push(e), onGap: (g) => gaps.push(g) });
    const initial = handle.lastSeq; // membership changes are events too
    assert.deepEqual(delivered.map((e) => e.seq), [...Array(initial).keys()].map((k) => k + 1));
    delivered.length = 0;
    assert.ok(handle.presence.has(bob.user.id), 'own presence in the snapshot');

    // Publish continuously over REST while B's connection is cut twice mid-stream.
    const acks = [];
    let publishing = true;
    const publisher = (async () => {
      for (let i = 0; publishing || i < 60; i++) {
        const ack = await alice.rest.publish(session.id, 'doc.edit', { i }, `p-${i}`);
        acks.push({ seq: ack.seq, i });
        if (i >= 400) break;
      }
    })();
    for (const cutAt of [20, 80]) {
      await until(() => delivered.length >= cutAt, { message: `${cutAt} events before the cut` });
      const before = states.length;
      proxy.cut();
      await until(() => states.slice(before).includes('reconnecting'), { message: 'reconnecting after the cut' });
      await until(() => states.slice(before).includes('resynced'), { message: 'resynced after the cut' });
    }
    publishing = false;
    await publisher;

    const last = acks.at(-1).seq;
    await until(() => delivered.at(-1)?.seq === last, { message: `all events up to seq ${last}` });
    const seqs = delivered.map((e) => e.seq);
    assert.equal(seqs[0], initial + 1);
    for (let k = 1; k < seqs.length; k++) assert.equal(seqs[k], seqs[k - 1] + 1, `gap or duplicate at ${k}: ${seqs.slice(Math.max(0, k - 3), k + 2)}`);
    assert.deepEqual(seqs, acks.map((a) => a.seq), 'exactly the published events, each once, in seq order');
    assert.deepEqual(delivered.map((e) => e.payload.i), acks.map((a) => a.i));
    assert.deepEqual(gaps, []);
    assert.ok(states.filter((s) => s === 'resynced').length >= 2, `states: ${states.join(',')}`);

    // Live delivery keeps working after the resumes, and SDK publishes go through the hub.
    const ack = await b.publish(session.id, 'chat.message', { text: 'back' });
    await until(() => delivered.at(-1)?.seq === ack.seq, { message: 'own hub publish delivered' });
    assert.equal(delivered.filter((e) => e.seq === ack.seq).length, 1);
  } finally {
    await b.stop();
  }
});

test('SDK: REST resources with ETags and hub errors as ApiError codes', async () => {
  const alice = await signUp('alice');
  const stranger = await signUp('stranger');
  const session = await alice.rest.createSession('sdk resources');
  const created = await alice.rest.createResource(session.id, 'doc', 'text.doc', { title: 'a' });
  assert.equal(created.version, 1);
  const patched = await alice.rest.patchResource(created.id, { body: 'x' }, 1);
  assert.equal(patched.version, 2);
  assert.deepEqual(patched.data, { title: 'a', body: 'x' });
  await assert.rejects(alice.rest.replaceResource(created.id, { title: 'b' }, 1),
    (e) => e instanceof ApiError && e.status === 412 && e.code === 'version_conflict' && e.currentVersion === 2);
  assert.equal(await alice.rest.getResource(created.id, { ifNoneMatch: 2 }), null);
  const history = await alice.rest.resourceHistory(created.id);
  assert.deepEqual(history.items.map((v) => v.version), [2, 1]);
  await assert.rejects(stranger.rest.getSession(session.id), (e) => e instanceof ApiError && e.code === 'not_found');

  const s = new RealtimeClient({ url: `${host.base}/hubs/realtime`, accessTokenFactory: () => stranger.rest.getAccessToken() });
  try {
    await s.start();
    await assert.rejects(s.join(session.id), (e) => e instanceof ApiError && e.code === 'not_found');
    const a = new RealtimeClient({ url: `${host.base}/hubs/realtime`, accessTokenFactory: () => alice.rest.getAccessToken() });
    await a.start();
    try {
      const changes = [];
      a.on('resourceChanged', (id, change) => changes.push({ id, ...change }));
      const watched = await a.watchResource(created.id);
      assert.equal(watched.version, 2);
      const updated = await a.updateResource(created.id, 2, { title: 'c' });
      assert.equal(updated.version, 3);
      await until(() => changes.some((c) => c.version === 3), { message: 'resourceChanged' });
      await assert.rejects(a.updateResource(created.id, 2, { title: 'd' }), (e) => e instanceof ApiError && e.code === 'version_conflict');
    } finally {
      await a.stop();
    }
  } finally {
    await s.stop();
  }
});
