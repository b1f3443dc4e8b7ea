// The operator dashboard (/dashboard) in headless chromium against real processes: two Silo
// processes and a WebHost in Client mode (an Embedded WebHost is a cluster of one).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startWebHost, startSilo, newClusterSettings, stopAll } from './lib/harness.mjs';
import { launchBrowser, newPage, screenshot } from './lib/browser.mjs';
import { call, register, createSession } from './lib/api.mjs';

const password = 'correct horse battery';
const operatorEmail = `ops-${randomUUID().slice(0, 8)}@example.test`;

let settings;
let node;
let browser;
let operator;

before(async () => {
  settings = newClusterSettings();
  await Promise.all([startSilo(settings), startSilo(settings)]);
  node = await startWebHost(settings, {
    mode: 'Client',
    env: {
      Actors__Bootstrap__OperatorEmails: operatorEmail,
      // The load in the call-rate test comes from one user: lift that user's REST budget.
      Actors__RateLimits__User__PermitLimit: '100000',
      Actors__RateLimits__User__TokensPerPeriod: '100000',
    },
  });
  const registered = await call(node.base, 'POST', '/api/auth/register', {
    body: { email: operatorEmail, password, displayName: 'Ops' },
  });
  operator = { id: registered.user.id, token: registered.accessToken, email: operatorEmail };
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stopAll();
});

/** Errors worth failing on: a failed resource load (an expected 403, say) is the network's business. */
function pageFailures(errors) {
  return errors.filter((e) => !e.includes('Failed to load resource'));
}

/** A fresh browser context on /dashboard, signed in through the form. */
async function signInOnDashboard(email) {
  const opened = await newPage(browser, node.base);
  await opened.page.goto('/dashboard');
  await opened.page.getByTestId('signin-email').fill(email);
  await opened.page.getByTestId('signin-password').fill(password);
  await opened.page.getByTestId('signin-submit').click();
  return opened;
}

async function waitUntilLive(page) {
  await page.locator('[data-testid="dash-connection-state"][data-state="live"]').waitFor({ timeout: 20_000 });
}

/** The number a tile shows (its raw value), or NaN before the first sample. */
function tileValue(page, testId) {
  return page.getByTestId(testId).getAttribute('data-value').then((v) => (v === '' || v === null ? NaN : Number(v)));
}

/**
 * GET /api/sessions/{id} with `concurrency` workers until `maxRequests` were sent, `maxMs` passed
 * or `stop.done` was set; returns the status counts.
 */
async function boundedLoad(base, user, sessionId, { maxRequests, maxMs, concurrency, stop }) {
  const deadline = Date.now() + maxMs;
  let sent = 0;
  const statuses = {};
  const worker = async () => {
    while (!stop.done && sent < maxRequests && Date.now() < deadline) {
      sent++;
      const response = await fetch(`${base}/api/sessions/${sessionId}`, { headers: { authorization: `Bearer ${user.token}` } });
      await response.arrayBuffer();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { sent, statuses };
}

test('an operator signs in and sees the silos', async () => {
  const { context, page, errors } = await signInOnDashboard(operatorEmail);
  try {
    await waitUntilLive(page);
    // The extra silo may still be joining: wait (bounded) until both are counted.
    await page.waitForFunction(
      () => document.querySelector('[data-testid="dash-silos-count"]')?.getAttribute('data-value') === '2',
      null, { timeout: 30_000 });
    assert.equal(await page.getByTestId('dash-silos-count').textContent(), '2');

    await page.getByTestId('tab-silos').click();
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="silo-row"]')].filter((r) => r.getAttribute('data-status') === 'Active').length === 2,
      null, { timeout: 15_000 });
    const rows = page.getByTestId('silo-row');
    assert.equal(await rows.count(), 2);
    const addresses = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-address')));
    assert.equal(new Set(addresses).size, 2, `two distinct silo addresses: ${addresses}`);
    assert.equal(await page.getByTestId('silo-drain').count(), 2, 'each silo row offers Drain');
    await screenshot(page, 'dashboard-silos');
    assert.deepEqual(pageFailures(errors), []);
  } finally {
    await context.close();
  }
});

test('the call rate shown rises while a bounded load runs', async () => {
  const user = await register(node.base, 'loader');
  const session = await createSession(node.base, user, { title: 'dashboard load' });
  const { context, page, errors } = await signInOnDashboard(operatorEmail);
  const stop = { done: false };
  try {
    await waitUntilLive(page);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="dash-calls-per-second"]')?.getAttribute('data-value') !== '',
      null, { timeout: 15_000 });
    const idle = await tileValue(page, 'dash-calls-per-second');
    const threshold = Math.max(50, idle * 3 + 20);

    const load = boundedLoad(node.base, user, session.id, { maxRequests: 20_000, maxMs: 25_000, concurrency: 8, stop });
    let result;
    try {
      await page.waitForFunction(
        (t) => Number(document.querySelector('[data-testid="dash-calls-per-second"]')?.getAttribute('data-value')) > t,
        threshold, { timeout: 25_000 });
    } finally {
      stop.done = true;
      result = await load;
    }
    const shown = await tileValue(page, 'dash-calls-per-second');
    assert.ok(shown > threshold, `calls/s shown ${shown} > ${threshold} (idle ${idle})`);
    assert.ok((result.statuses[200] ?? 0) > 0 && Object.keys(result.statuses).every((s) => s === '200'),
      `the load succeeded: ${JSON.stringify(result)}`);

    const points = Number(await page.getByTestId('calls-chart').getAttribute('data-points'));
    assert.ok(points >= 2, `the calls chart has points (${points})`);
    assert.equal(await page.locator('[data-testid="calls-chart"] canvas').count(), 1);
    await screenshot(page, 'dashboard-overview-under-load');
    assert.deepEqual(pageFailures(errors), []);
  } finally {
    stop.done = true;
    await context.close();
  }
});

test('a non-operator gets no dashboard', async () => {
  const user = await register(node.base, 'plain');
  const { context, page, errors } = await signInOnDashboard(user.email);
  try {
    await page.getByTestId('operators-only').waitFor();
    assert.match(await page.getByTestId('operators-only').textContent(), /operators only/i);
    assert.equal(await page.getByTestId('silo-row').count(), 0);
    assert.equal(await page.getByTestId('dash-silos-count').count(), 0);
    await screenshot(page, 'dashboard-operators-only');
    assert.deepEqual(pageFailures(errors), []);
  } finally {
    await context.close();
  }

  const cluster = await fetch(`${node.base}/api/admin/cluster`, { headers: { authorization: `Bearer ${user.token}` } });
  assert.equal(cluster.status, 403);
  assert.equal((await cluster.json()).code, 'forbidden');

  const negotiate = await fetch(`${node.base}/hubs/dashboard/negotiate?negotiateVersion=1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${user.token}` },
  });
  assert.equal(negotiate.status, 403);
  const anonymous = await fetch(`${node.base}/hubs/dashboard/negotiate?negotiateVersion=1`, { method: 'POST' });
  assert.equal(anonymous.status, 401);
});

test("the grain-state view shows a session's persisted state as JSON, and its reminder is listed", async () => {
  const title = `inspect me ${randomUUID().slice(0, 8)}`;
  const session = await createSession(node.base, operator, { title });
  const { context, page, errors } = await signInOnDashboard(operatorEmail);
  try {
    await waitUntilLive(page);
    await page.getByTestId('tab-state').click();
    await page.getByTestId('grain-state-type').fill('session');
    await page.getByTestId('grain-state-key').fill(session.id);
    await page.getByTestId('grain-state-load').click();
    const json = page.getByTestId('grain-state-json').first();
    await json.waitFor();
    const text = await json.textContent();
    assert.ok(text.includes(title), `the stored state names the title: ${text.slice(0, 400)}`);
    JSON.parse(text); // pretty, but still JSON

    await page.getByTestId('grain-deactivate').click();
    await page.getByTestId('grain-deactivate-result').waitFor();
    assert.match(await page.getByTestId('grain-deactivate-result').textContent(), /Deactivated session\//);
    await screenshot(page, 'dashboard-grain-state');

    // An unknown grain type is reported, not shown as empty state.
    await page.getByTestId('grain-state-type').fill('no-such-type');
    await page.getByTestId('grain-state-load').click();
    await page.getByTestId('grain-state-error').waitFor();
    assert.match(await page.getByTestId('grain-state-error').textContent(), /not_found/);

    // The session keeps a durable retention reminder: the reminders view lists it.
    await page.getByTestId('tab-reminders').click();
    await page.getByTestId('reminders-filter').fill(session.id);
    const reminder = page.getByTestId('reminder-row').filter({ hasText: session.id });
    await reminder.first().waitFor();
    assert.match(await reminder.first().textContent(), /^session/);
    assert.deepEqual(pageFailures(errors), []);
  } finally {
    await context.close();
  }
});

test('a silo that dies is shown dead and its warnings stream into the logs, newest first', async () => {
  const { context, page, errors } = await signInOnDashboard(operatorEmail);
  try {
    await waitUntilLive(page);
    await page.getByTestId('tab-silos').click();
    const activeRows = () => page.locator('[data-testid="silo-row"][data-status="Active"]');
    const before = await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('[data-testid="silo-row"][data-status="Active"]')];
      return rows.length === 2 && rows.map((r) => r.getAttribute('data-address'));
    }, null, { timeout: 15_000 }).then((h) => h.jsonValue());

    const third = await startSilo(settings);
    const joined = await page.waitForFunction((known) => {
      const rows = [...document.querySelectorAll('[data-testid="silo-row"][data-status="Active"]')];
      const added = rows.map((r) => r.getAttribute('data-address')).filter((a) => !known.includes(a));
      return rows.length === 3 && added.length === 1 && added[0];
    }, before, { timeout: 30_000 }).then((h) => h.jsonValue());
    assert.equal(await activeRows().count(), 3);

    // Declared dead, it leaves the live silo list (or shows a status other than Active).
    third.child.kill('SIGKILL');
    await page.waitForFunction(
      (dead) => ![...document.querySelectorAll('[data-testid="silo-row"]')]
        .some((r) => r.getAttribute('data-address') === dead && r.getAttribute('data-status') === 'Active'),
      joined, { timeout: 30_000 });
    assert.equal(await activeRows().count(), 2);

    await page.getByTestId('tab-logs').click();
    await page.waitForFunction(
      (dead) => [...document.querySelectorAll('[data-testid="log-entry"]')]
        .some((e) => e.getAttribute('data-level') === 'Warning' && e.textContent.includes(dead)),
      joined, { timeout: 20_000 });
    const times = await page.locator('[data-testid="log-entry"] time').evaluateAll(
      (els) => els.map((e) => Date.parse(e.getAttribute('datetime'))));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), 'newest first');
    assert.ok(await page.locator('[data-testid="log-entry"].level-warning').count() > 0, 'warnings carry their level colour');
    await screenshot(page, 'dashboard-logs');
    assert.deepEqual(pageFailures(errors), []);
  } finally {
    await context.close();
  }
});

// Last: it leaves the cluster with one silo.
test('an operator drains a silo from the silo table and the cluster shows one silo', async () => {
  const { context, page, errors } = await signInOnDashboard(operatorEmail);
  try {
    await waitUntilLive(page);
    await page.getByTestId('tab-silos').click();
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-testid="silo-row"]')].filter((r) => r.getAttribute('data-status') === 'Active').length === 2,
      null, { timeout: 15_000 });
    const row = page.locator('[data-testid="silo-row"][data-status="Active"]').first();
    const address = await row.getAttribute('data-address');

    // Drain asks first; Cancel does nothing.
    await row.getByTestId('silo-drain').click();
    await row.getByTestId('silo-drain-cancel').click();
    assert.equal(await page.getByTestId('silo-drain-result').count(), 0);

    await row.getByTestId('silo-drain').click();
    await row.getByTestId('silo-drain-yes').click();
    await page.getByTestId('silo-drain-result').waitFor();
    assert.ok((await page.getByTestId('silo-drain-result').textContent()).includes(address));

    await page.waitForFunction(
      (drained) => ![...document.querySelectorAll('[data-testid="silo-row"]')]
        .some((r) => r.getAttribute('data-address') === drained && r.getAttribute('data-status') === 'Active'),
      address, { timeout: 30_000 });
    await screenshot(page, 'dashboard-silo-drained');

    // The last active silo is refused, and the refusal is shown.
    const remaining = page.locator('[data-testid="silo-row"][data-status="Active"]');
    await remaining.getByTestId('silo-drain').click();
    await remaining.getByTestId('silo-drain-yes').click();
    await page.getByTestId('silo-drain-error').waitFor();
    assert.match(await page.getByTestId('silo-drain-error').textContent(), /validation_failed/);

    await page.getByTestId('tab-overview').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="dash-silos-count"]')?.getAttribute('data-value') === '1',
      null, { timeout: 10_000 });
    assert.deepEqual(pageFailures(errors), []);
  } finally {
    await context.close();
  }
});
