// End-to-end across processes: two Silo processes, two WebHost processes in Client mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWebHost, startSilo, newClusterSettings, stopAll } from './lib/harness.mjs';
import { register, createSession, addMember } from './lib/api.mjs';
import { connect, until } from './lib/realtime.mjs';

let nodeA;
let nodeB;

before(async () => {
  const settings = newClusterSettings();
  await Promise.all([startSilo(settings), startSilo(settings)]);
  [nodeA, nodeB] = await Promise.all([
    startWebHost(settings, { mode: 'Client' }),
    startWebHost(settings, { mode: 'Client' }),
  ]);
});

after(async () => {
  await stopAll();
});

test('a client on WebHost A receives, in order, what a client on WebHost B publishes', async () => {
  const alice = await register(nodeA.base, 'alice');
  const bob = await register(nodeB.base, 'bob');
  const session = await createSession(nodeA.base, alice);
  await addMember(nodeB.base, alice, session.id, bob);

  const a = await connect(nodeA.base, alice);
  const b = await connect(nodeB.base, bob);
  await a.connection.invoke('JoinSession', session.id, null);
  await b.connection.invoke('JoinSession', session.id, null);

  const acks = [];
  for (let i = 0; i < 50; i++) {
    acks.push(await b.connection.invoke('Publish', session.id, 'chat.message', { i }, `m-${i}`));
  }

  await until(() => a.inbox.events.filter((e) => e.type === 'chat.message').length === 50, { message: '50 events on node A' });
  const received = a.inbox.events.filter((e) => e.type === 'chat.message');
  assert.deepEqual(received.map((e) => e.payload.i), [...Array(50).keys()]);
  assert.deepEqual(received.map((e) => e.seq), acks.map((x) => x.seq));
  const all = a.inbox.events.map((e) => e.seq);
  for (let i = 1; i < all.length; i++) assert.equal(all[i], all[i - 1] + 1);

  // Presence crosses nodes too.
  await until(() => a.inbox.presence.some((d) => d.joined.some((p) => p.userId === bob.id)), { message: 'bob present on A' });

  await a.connection.stop();
  await b.connection.stop();
});
