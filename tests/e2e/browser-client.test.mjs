// End-to-end: the web client at `/` (WebHost/ClientApp, built into wwwroot) in headless chromium
// against the real WebHost process and a real PostgreSQL. One browser context per user.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, connect } from 'node:net';
import { startWebHost, newClusterSettings, stopAll } from './lib/harness.mjs';
import { launchBrowser, newPage, screenshot } from './lib/browser.mjs';
import { register, createSession, addMember, call } from './lib/api.mjs';

let host;
let browser;
const contexts = [];

before(async () => {
  host = await startWebHost(newClusterSettings());
  const index = await fetch(`${host.base}/`);
  const html = await index.text();
  assert.ok(html.includes('/assets/'), 'the web client is not built into the WebHost (cd WebHost/ClientApp && npm run build, then copy wwwroot next to WebHost.dll)');
  browser = await launchBrowser();
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await stopAll();
});

/**
 * A TCP proxy in front of the WebHost whose "network" the test can cut (every connection dropped,
 * new ones refused) and restore on the same port, so the page's origin stays the same.
 */
async function cuttableProxy(targetBase) {
  const target = new URL(targetBase);
  const sockets = new Set();
  let server = null;
  let port = 0;
  const listen = () => new Promise((resolve, reject) => {
    server = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      const pair = [client, upstream];
      for (const s of pair) sockets.add(s);
      const close = () => { for (const s of pair) { s.destroy(); sockets.delete(s); } };
      for (const s of pair) { s.on('error', close); s.on('close', close); }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { port = server.address().port; resolve(); });
  });
  await listen();
  return {
    get base() { return `http://127.0.0.1:${port}`; },
    async cut() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      sockets.clear();
      await closed;
    },
    restore: listen,
    close() { return this.cut(); },
  };
}

async function openPage() {
  const opened = await newPage(browser, host.base);
  contexts.push(opened.context);
  return opened;
}

/** Page errors, minus the console lines chromium writes for HTTP answers a test provokes on purpose. */
function unexpected(errors, allowedStatuses = [], { websocketFailures = false } = {}) {
  return errors.filter((e) => !allowedStatuses.some((s) => e.includes(`the server responded with a status of ${s}`))
    && !(websocketFailures && /WebSocket connection to .* failed|net::ERR_CONNECTION_REFUSED/.test(e)));
}

async function registerInUi(page, name) {
  const email = `${name}-${randomUUID().slice(0, 8)}@example.test`;
  await page.goto('/#/login');
  await page.getByTestId('signin-mode-toggle').click();
  await page.getByTestId('signin-email').fill(email);
  await page.getByTestId('signin-displayname').fill(name);
  await page.getByTestId('signin-password').fill('correct horse battery');
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('current-user').filter({ hasText: name }).waitFor();
  return email;
}

async function signInInUi(page, user, hash = '#/sessions') {
  await page.goto(`/${hash}`);
  await page.getByTestId('signin-email').fill(user.email);
  await page.getByTestId('signin-password').fill('correct horse battery');
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('current-user').filter({ hasText: user.name }).waitFor();
}

async function waitForState(page, states) {
  await page.waitForFunction(
    (wanted) => wanted.includes(document.querySelector('[data-testid="connection-state"]')?.getAttribute('data-state')),
    states);
}

async function sendMessage(page, text) {
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('composer-send').click();
  // Sent once the composer is cleared (the publish was acknowledged).
  await page.waitForFunction(() => document.querySelector('[data-testid="composer-input"]')?.value === '');
}

async function chatTexts(page) {
  return page.locator('[data-testid="event"][data-type="chat.message"] [data-testid="event-text"]').allInnerTexts();
}

async function waitForChat(page, expected) {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="event"][data-type="chat.message"]').length >= n, expected.length);
  assert.deepEqual(await chatTexts(page), expected);
}

async function presenceNames(page) {
  return page.locator('[data-testid="presence-entry"] .name').allInnerTexts();
}

test('two users join one session in two browsers, see each other present and exchange messages in order', async () => {
  const a = await openPage();
  const b = await openPage();
  await registerInUi(a.page, 'Alice');
  await registerInUi(b.page, 'Bob');

  // Alice creates a public session in the UI and lands in it.
  await a.page.getByTestId('session-create-title').fill('Design review');
  await a.page.getByTestId('session-create-visibility').selectOption('public');
  await a.page.getByTestId('session-create-submit').click();
  await a.page.getByTestId('session-title').filter({ hasText: 'Design review' }).waitFor();
  await a.page.getByTestId('join-state').and(a.page.locator('[data-phase="joined"]')).waitFor();
  const sessionId = (await a.page.getByTestId('session-id').innerText()).trim();
  assert.match(sessionId, /^[A-Za-z0-9_-]{1,64}$/);

  // Bob joins it by id in the UI.
  await b.page.getByTestId('join-session-id').fill(sessionId);
  await b.page.getByTestId('join-session-submit').click();
  await b.page.getByTestId('session-title').filter({ hasText: 'Design review' }).waitFor();
  await b.page.getByTestId('join-state').and(b.page.locator('[data-phase="joined"]')).waitFor();

  // Each sees the other's live presence (with a connection count) and membership.
  for (const { page } of [a, b]) {
    await page.locator('[data-testid="presence-entry"]').nth(1).waitFor();
    const names = (await presenceNames(page)).map((n) => n.replace(' (you)', '')).sort();
    assert.deepEqual(names, ['Alice', 'Bob']);
    assert.equal(await page.locator('[data-testid="presence-entry"][data-connections="1"]').count(), 2);
    await page.locator('[data-testid="member-entry"]').nth(1).waitFor();
  }

  // They exchange messages; both pages show both in the same order.
  await sendMessage(a.page, 'Hello Bob, shall we start?');
  await waitForChat(b.page, ['Hello Bob, shall we start?']);
  // Bob typing shows in Alice's presence list (presence meta), and stops once he has sent.
  await b.page.getByTestId('composer-input').fill('Hi Alice, ready when you are.');
  await a.page.locator(`[data-testid="presence-entry"]:has([data-testid="presence-typing"])`).filter({ hasText: 'Bob' }).waitFor();
  await sendMessage(b.page, 'Hi Alice, ready when you are.');
  await a.page.getByTestId('presence-typing').waitFor({ state: 'detached' });
  const expected = ['Hello Bob, shall we start?', 'Hi Alice, ready when you are.'];
  await waitForChat(a.page, expected);
  await waitForChat(b.page, expected);

  // Seqs in the feed increase strictly, and the authors are shown by name.
  for (const { page } of [a, b]) {
    const seqs = (await page.locator('[data-testid="event"]').evaluateAll((els) => els.map((e) => Number(e.dataset.seq))));
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `feed out of order: ${seqs}`);
    const authors = await page.locator('[data-testid="event"][data-type="chat.message"] [data-testid="event-author"]').allInnerTexts();
    assert.deepEqual(authors, ['Alice', 'Bob']);
  }

  await screenshot(a.page, 'browser-client-session-alice');
  await screenshot(b.page, 'browser-client-session-bob');
  assert.deepEqual(unexpected(a.errors), []);
  assert.deepEqual(unexpected(b.errors), []);
});

test('a resource edit conflict is shown to the second editor, who reloads and saves', async () => {
  const alice = await register(host.base, 'Alice');
  const bob = await register(host.base, 'Bob');
  const session = await createSession(host.base, alice, { title: 'Board' });
  await addMember(host.base, alice, session.id, bob);
  const resource = await call(host.base, 'POST', `/api/sessions/${session.id}/resources`, {
    token: alice.token, body: { name: 'plan', kind: 'doc', data: { step: 1 } },
  });
  const hash = `#/sessions/${session.id}/resources/${resource.id}`;

  const a = await openPage();
  const b = await openPage();
  await signInInUi(a.page, alice, hash);
  await signInInUi(b.page, bob, hash);
  for (const { page } of [a, b]) {
    await page.locator('[data-testid="resource-version"][data-version="1"]').waitFor();
    await waitForState(page, ['connected', 'resynced']);
  }

  // Bob starts editing version 1; Alice saves version 2 meanwhile.
  await b.page.getByTestId('resource-editor').fill('{ "step": 2, "by": "bob" }');
  await a.page.getByTestId('resource-editor').fill('{ "step": 2, "by": "alice" }');
  await a.page.getByTestId('resource-save').click();
  await a.page.locator('[data-testid="resource-version"][data-version="2"]').waitFor();

  // Bob's editor learns of version 2 live, keeps his edit, and his save is refused with a clear message.
  await b.page.getByTestId('resource-remote-change').waitFor();
  assert.equal(await b.page.getByTestId('resource-editor').inputValue(), '{ "step": 2, "by": "bob" }');
  await b.page.getByTestId('resource-save').click();
  const conflict = b.page.getByTestId('resource-conflict');
  await conflict.waitFor();
  assert.equal(await conflict.getAttribute('data-current-version'), '2');
  assert.match(await conflict.innerText(), /Version conflict[\s\S]*based on version 1[\s\S]*version 2/);
  await screenshot(b.page, 'browser-client-resource-conflict');

  // Bob reloads (version 2, Alice's data), edits again and saves version 3.
  await b.page.getByTestId('resource-reload').click();
  await b.page.locator('[data-testid="resource-version"][data-version="2"]').waitFor();
  assert.equal(JSON.parse(await b.page.getByTestId('resource-editor').inputValue()).by, 'alice');
  assert.equal(await b.page.getByTestId('resource-conflict').count(), 0);
  await b.page.getByTestId('resource-editor').fill('{ "step": 3, "by": "bob" }');
  await b.page.getByTestId('resource-save').click();
  await b.page.locator('[data-testid="resource-version"][data-version="3"]').waitFor();

  // Alice (no pending edits) follows live to version 3.
  await a.page.locator('[data-testid="resource-version"][data-version="3"]').waitFor();
  assert.deepEqual(JSON.parse(await a.page.getByTestId('resource-editor').inputValue()), { step: 3, by: 'bob' });

  const current = await call(host.base, 'GET', `/api/resources/${resource.id}`, { token: alice.token });
  assert.equal(current.version, 3);
  assert.deepEqual(current.data, { step: 3, by: 'bob' });

  assert.deepEqual(unexpected(a.errors), []);
  assert.deepEqual(unexpected(b.errors, [412]), []);
});

test('an edit lock held by another user is shown to the editor, and saving works once it is released', async () => {
  const alice = await register(host.base, 'Alice');
  const bob = await register(host.base, 'Bob');
  const session = await createSession(host.base, alice, { title: 'Locks' });
  await addMember(host.base, alice, session.id, bob);
  const resource = await call(host.base, 'POST', `/api/sessions/${session.id}/resources`, {
    token: alice.token, body: { name: 'config', kind: 'json', data: { on: false } },
  });
  const hash = `#/sessions/${session.id}/resources/${resource.id}`;
  const a = await openPage();
  const b = await openPage();
  await signInInUi(a.page, alice, hash);
  await signInInUi(b.page, bob, hash);
  await a.page.locator('[data-testid="resource-version"][data-version="1"]').waitFor();
  await b.page.locator('[data-testid="resource-version"][data-version="1"]').waitFor();

  await a.page.getByTestId('resource-lock').click();
  await a.page.locator(`[data-testid="resource-lock-status"][data-locked-by="${alice.id}"]`).waitFor();

  await b.page.getByTestId('resource-editor').fill('{ "on": true }');
  await b.page.getByTestId('resource-save').click();
  const locked = b.page.getByTestId('resource-locked');
  await locked.waitFor();
  assert.match(await locked.innerText(), /locked/);
  await b.page.locator(`[data-testid="resource-lock-status"][data-locked-by="${alice.id}"]`).waitFor();
  assert.match(await b.page.getByTestId('resource-lock-status').innerText(), /Locked by Alice/);

  await a.page.getByTestId('resource-unlock').click();
  await a.page.locator('[data-testid="resource-lock-status"][data-locked-by=""]').waitFor();
  await b.page.getByTestId('resource-save').click();
  await b.page.locator('[data-testid="resource-version"][data-version="2"]').waitFor();
  assert.equal(await b.page.getByTestId('resource-locked').count(), 0);

  assert.deepEqual(unexpected(a.errors), []);
  assert.deepEqual(unexpected(b.errors, [409]), []);
});

test('the connection state shows connected after load, a wrong password shows invalid_credentials, and sign-out returns to the sign-in form', async () => {
  const carol = await register(host.base, 'Carol');
  const { page, errors } = await openPage();

  await page.goto('/#/login');
  await page.getByTestId('signin-email').fill(carol.email);
  await page.getByTestId('signin-password').fill('not the password');
  await page.getByTestId('signin-submit').click();
  const error = page.getByTestId('signin-error');
  await error.waitFor();
  assert.match(await error.innerText(), /invalid_credentials/);

  await page.getByTestId('signin-password').fill('correct horse battery');
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('current-user').filter({ hasText: 'Carol' }).waitFor();
  await waitForState(page, ['connected']);
  assert.equal(await page.getByTestId('connection-state').innerText(), 'connected');
  assert.ok(await page.evaluate(() => JSON.parse(localStorage.getItem('actors.tokens')).refreshToken));

  // A reload keeps the sign-in (tokens in localStorage) and reconnects.
  await page.reload();
  await page.getByTestId('current-user').filter({ hasText: 'Carol' }).waitFor();
  await waitForState(page, ['connected']);

  // An unknown session id is a readable error, not a blank page.
  await page.goto('/#/sessions/no-such-session');
  assert.match(await page.getByTestId('session-error').innerText(), /not_found/);

  await page.getByTestId('sign-out').click();
  await page.getByTestId('signin-form').waitFor();
  assert.equal(await page.evaluate(() => localStorage.getItem('actors.tokens')), null);

  assert.deepEqual(unexpected(errors, [401, 404]), []);
});

test('the connection state shows reconnecting while the network is cut and resynced once it is back, and the feed resumes without losses', async () => {
  const proxy = await cuttableProxy(host.base);
  try {
    const dave = await register(host.base, 'Dave');
    const session = await createSession(host.base, dave, { title: 'Flaky network' });
    const opened = await newPage(browser, proxy.base);
    contexts.push(opened.context);
    const { page, errors } = opened;
    await signInInUi(page, dave, `#/sessions/${session.id}`);
    await page.getByTestId('join-state').and(page.locator('[data-phase="joined"]')).waitFor();
    await waitForState(page, ['connected']);
    await sendMessage(page, 'before the cut');
    await waitForChat(page, ['before the cut']);

    await proxy.cut();
    await waitForState(page, ['reconnecting']);
    assert.equal(await page.getByTestId('connection-state').innerText(), 'reconnecting…');
    // Published while the page is away: the re-join (afterSeq) delivers it.
    await call(host.base, 'POST', `/api/sessions/${session.id}/events`, {
      token: dave.token, body: { type: 'chat.message', payload: { text: 'while you were away' } },
    });
    await screenshot(page, 'browser-client-reconnecting');

    await proxy.restore();
    await waitForState(page, ['resynced']);
    assert.equal(await page.getByTestId('connection-state').innerText(), 'resynced');
    await waitForChat(page, ['before the cut', 'while you were away']);
    await sendMessage(page, 'after the cut');
    await waitForChat(page, ['before the cut', 'while you were away', 'after the cut']);
    const seqs = await page.locator('[data-testid="event"]').evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
    assert.deepEqual(seqs, [...Array(seqs.length).keys()].map((i) => i + 1), 'no gaps or duplicates');

    assert.deepEqual(unexpected(errors, [], { websocketFailures: true }), []);
  } finally {
    await proxy.close();
  }
});
