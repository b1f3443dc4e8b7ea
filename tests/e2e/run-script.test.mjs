// End-to-end: scripts/run.sh builds, migrates, starts two silos and the WebHost, and stops exactly
// what it started. Runs on the test PostgreSQL (ACTORS_POSTGRES) in a state directory of its own
// (ACTORS_RUN_DIR), so a developer's running instance is left alone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, freePort, postgresConnectionString } from './lib/harness.mjs';
import { call, register, createSession, publish } from './lib/api.mjs';

const script = join(repoRoot, 'scripts', 'run.sh');
const START_MS = 600_000; // a Release publish of two projects, on a busy 2-core machine
const STOP_MS = 180_000;

let runDir;
let started = false;

/** Runs scripts/run.sh; resolves {code, stdout, stderr}; SIGTERM (run.sh then stops what it started) on timeout. */
function runScript(args, env, timeoutMs, { unset = [] } = {}) {
  const childEnv = { ...process.env, ...env };
  for (const name of unset) delete childEnv[name];
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], {
      cwd: repoRoot,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`run.sh ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    // 'exit', not 'close': the processes run.sh leaves running must not hold its pipes (asserted below).
    child.on('exit', (code) => {
      setTimeout(() => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, output: stdout + stderr });
      }, 200);
    });
    child.on('error', reject);
  });
}

function baseEnv(extra = {}) {
  return { ACTORS_RUN_DIR: runDir, ACTORS_START_TIMEOUT: '180', ...extra };
}

/** {name: {pid, start}} from <state>/run/*.pid ("PID STARTTIME"). */
function recordedPids() {
  const dir = join(runDir, 'run');
  const result = {};
  for (const file of existsSync(dir) ? readdirSync(dir) : []) {
    if (!file.endsWith('.pid')) continue;
    const [pid, start] = readFileSync(join(dir, file), 'utf8').trim().split(/\s+/);
    result[file.slice(0, -4)] = { pid: Number(pid), start };
  }
  return result;
}

/** The recorded process still runs (same PID and start time, not a zombie). */
function running({ pid, start }) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] !== 'Z' && fields[19] === start;
}

async function until(predicate, message, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${message}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function urlOf(output) {
  const match = output.match(/API page\s+(http:\/\/127\.0\.0\.1:\d+)\/api-docs/);
  assert.ok(match, `run.sh printed no API page URL:\n${output}`);
  return match[1];
}

/** Runs body, then always stopAndAssertGone; a failure of the body wins over one of the cleanup. */
async function withStop(body) {
  const state = { pids: {} };
  let failure;
  try {
    started = true;
    await body(state);
  } catch (error) {
    failure = error;
  }
  try {
    await stopAndAssertGone(state.pids);
    started = false;
  } catch (error) {
    if (!failure) throw error;
    console.error('cleanup failed too:', error);
  }
  if (failure) throw failure;
}

async function stopAndAssertGone(pids) {
  const stop = await runScript(['stop'], baseEnv(), STOP_MS);
  assert.equal(stop.code, 0, stop.output);
  for (const [name, entry] of Object.entries(pids)) {
    await until(() => !running(entry), `${name} (pid ${entry.pid}) still runs after run.sh stop`);
  }
  assert.deepEqual(Object.keys(recordedPids()), [], 'no PID file is left');
  const status = await runScript(['status'], baseEnv(), 30_000);
  assert.equal(status.code, 3, status.output);
}

before(() => {
  runDir = mkdtempSync(join(tmpdir(), 'actors-run-'));
});

after(async () => {
  if (started) {
    // A failed test left something running: stop it (run.sh stop is safe to repeat).
    await runScript(['stop'], baseEnv(), STOP_MS).catch(() => {});
  }
  rmSync(runDir, { recursive: true, force: true });
});

test('run.sh starts two silos and the WebHost, serves the REST API, and stop leaves nothing behind', { timeout: 1_200_000 }, async () => {
  const port = await freePort();
  const env = baseEnv({ ACTORS_POSTGRES: postgresConnectionString(), ACTORS_PORT: String(port) });
  await withStop(async (state) => {
    const run = await runScript([], env, START_MS);
    const pids = recordedPids();
    state.pids = pids;
    assert.equal(run.code, 0, run.output);
    const base = urlOf(run.output);
    assert.equal(base, `http://127.0.0.1:${port}`);
    for (const url of ['/dashboard', '/metrics', '/openapi/v1.json', '/readyz']) {
      assert.ok(run.stdout.includes(`${base}${url}`), `${url} is printed`);
    }
    assert.match(run.stdout, /operator@actors\.localhost/);

    assert.deepEqual(Object.keys(pids).sort(), ['silo1', 'silo2', 'webhost']);
    for (const [name, entry] of Object.entries(pids)) {
      assert.ok(running(entry), `${name} runs`);
      assert.match(readFileSync(`/proc/${entry.pid}/cmdline`, 'utf8'), name === 'webhost' ? /WebHost\.dll/ : /Silo\.dll/);
    }
    const ready = await call(base, 'GET', '/readyz');
    assert.equal(ready.silos, 2);
    for (const path of ['/api-docs', '/metrics', '/healthz']) {
      assert.equal((await fetch(`${base}${path}`)).status, 200, `${path} answers`);
    }
    // run.sh builds the front ends: the web client and the dashboard are served, with their bundles.
    for (const path of ['/', '/dashboard']) {
      const page = await fetch(`${base}${path}`);
      assert.equal(page.status, 200, `${path} answers`);
      const html = await page.text();
      const bundle = html.match(/src="(\/assets\/[^"]+\.js)"/);
      assert.ok(bundle, `${path} names its bundle: ${html.slice(0, 300)}`);
      assert.equal((await fetch(`${base}${bundle[1]}`)).status, 200, `${bundle[1]} answers`);
    }
    assert.doesNotMatch(run.stdout, /not built/);
    assert.ok((await call(base, 'GET', '/openapi/v1.json')).openapi);

    // The REST API, through the WebHost in Client mode to the silos.
    const alice = await register(base, 'alice');
    const session = await createSession(base, alice);
    const published = await publish(base, alice, session.id, 'chat.message', { text: 'hello from run.sh' }, 'm-1');
    const events = await call(base, 'GET', `/api/sessions/${session.id}/events?after=0`, { token: alice.token });
    const event = events.items.find((e) => e.seq === published.seq);
    assert.ok(event, `event ${published.seq} is read back: ${JSON.stringify(events)}`);
    assert.equal(event.type, 'chat.message');
    assert.deepEqual(event.payload, { text: 'hello from run.sh' });

    // The bootstrap operator email gets the operator role (the database may already know it).
    const operator = { email: 'operator@actors.localhost', password: 'operator password' };
    let signedIn;
    try {
      signedIn = await call(base, 'POST', '/api/auth/register', { body: { ...operator, displayName: 'Operator' } });
    } catch (error) {
      if (error.status !== 409) throw error;
      signedIn = await call(base, 'POST', '/api/auth/login', { body: operator });
    }
    assert.ok(signedIn.user.roles.includes('operator'), JSON.stringify(signedIn.user));
    const cluster = await call(base, 'GET', '/api/admin/cluster', { token: signedIn.accessToken });
    assert.equal(cluster.silos.filter((s) => s.status === 'Active').length, 2);

    // Idempotent: a second run only prints the URLs.
    const again = await runScript([], env, 60_000);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /already running/);
    assert.equal(urlOf(again.output), base);
    assert.deepEqual(recordedPids(), pids);

    const status = await runScript(['status'], env, 30_000);
    assert.equal(status.code, 0, status.output);
    for (const name of ['silo1', 'silo2', 'webhost']) assert.match(status.stdout, new RegExp(`${name}\\s+running`));

    // Stop, start again without rebuilding: the kept signing key still accepts the old token, and the
    // events are still there (PostgreSQL).
    await stopAndAssertGone(pids);
    state.pids = {};
    const restart = await runScript([], { ...env, ACTORS_SKIP_BUILD: '1' }, START_MS);
    state.pids = recordedPids();
    assert.equal(restart.code, 0, restart.output);
    assert.notDeepEqual(state.pids, pids);
    const after = await call(base, 'GET', `/api/sessions/${session.id}/events?after=0`, { token: alice.token });
    assert.ok(after.items.some((e) => e.seq === published.seq && e.payload.text === 'hello from run.sh'));
  });
});

test('without PostgreSQL binaries run.sh falls back to one Embedded WebHost in memory, and picks another port when ACTORS_PORT is busy', { timeout: 900_000 }, async () => {
  const busy = createServer();
  await new Promise((r) => busy.listen(0, '127.0.0.1', r));
  const busyPort = busy.address().port;
  const env = {
    ...baseEnv({ ACTORS_PG_BIN: join(runDir, 'no-postgres-here'), ACTORS_PORT: String(busyPort) }),
    // Reuse the binaries the first test published, when it got that far.
    ...(existsSync(join(runDir, 'app', 'webhost', 'WebHost.dll')) ? { ACTORS_SKIP_BUILD: '1' } : {}),
  };
  await withStop(async (state) => {
    let run;
    try {
      run = await runScript([], env, START_MS, { unset: ['ACTORS_POSTGRES'] });
    } finally {
      busy.close();
    }
    const pids = recordedPids();
    state.pids = pids;
    assert.equal(run.code, 0, run.output);
    assert.match(run.stderr, /WARNING: .*Embedded mode on IN-MEMORY storage/);
    assert.match(run.stderr, new RegExp(`port ${busyPort} is busy`));
    const base = urlOf(run.output);
    assert.notEqual(base, `http://127.0.0.1:${busyPort}`);
    assert.deepEqual(Object.keys(pids), ['webhost']);

    const ready = await call(base, 'GET', '/readyz');
    assert.equal(ready.postgres, 'not configured');
    const bob = await register(base, 'bob');
    const session = await createSession(base, bob);
    const published = await publish(base, bob, session.id, 'note', { n: 1 });
    const events = await call(base, 'GET', `/api/sessions/${session.id}/events`, { token: bob.token });
    assert.ok(events.items.some((e) => e.seq === published.seq && e.payload.n === 1));
  });
});
