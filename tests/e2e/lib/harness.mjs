// Starts the real WebHost (and Silo) processes on 127.0.0.1 for end-to-end tests, and stops them.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes, randomUUID } from 'node:crypto';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The test PostgreSQL: ACTORS_TEST_POSTGRES (set by scripts/test.sh) or a throwaway one started here. */
export function postgresConnectionString() {
  if (process.env.ACTORS_TEST_POSTGRES) return process.env.ACTORS_TEST_POSTGRES;
  const out = execFileSync('bash', [join(repoRoot, 'scripts', 'postgres.sh'), 'start'], {
    env: { ...process.env, ACTORS_PG_FAST: '1' },
    encoding: 'utf8',
  });
  const url = out.trim().split('\n').pop();
  process.env.ACTORS_TEST_POSTGRES = url;
  return url;
}

function built(project) {
  const explicit = process.env[`ACTORS_${project.toUpperCase()}_DLL`];
  if (explicit) return explicit;
  for (const configuration of ['Release', 'Debug']) {
    const dll = join(repoRoot, project, 'bin', configuration, 'net10.0', `${project}.dll`);
    if (existsSync(dll)) return dll;
  }
  throw new Error(`${project}.dll is not built; run scripts/test.sh or dotnet build first`);
}

export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Settings every node of one test cluster shares. */
export function newClusterSettings(overrides = {}) {
  return {
    clusterId: `e2e-${randomUUID().slice(0, 8)}`,
    signingKey: randomBytes(48).toString('base64'),
    connectionString: postgresConnectionString(),
    ...overrides,
  };
}

const running = new Set();

async function waitForHttp(url, child, logs, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}:\n${logs.join('')}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready in ${timeoutMs} ms:\n${logs.join('')}`);
}

function launch(dll, args, env, readyUrl) {
  const logs = [];
  const child = spawn('dotnet', [dll, ...args], {
    env: { ...process.env, DOTNET_NOLOGO: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => logs.push(d.toString()));
  child.stderr.on('data', (d) => logs.push(d.toString()));
  const node = {
    child,
    logs,
    async stop() {
      running.delete(node);
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const exited = new Promise((r) => child.once('exit', r));
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(node);
  return waitForHttp(readyUrl, child, logs).then(() => node);
}

/** A WebHost process. mode: 'Embedded' (its own silo) or 'Client' (external silos). */
export async function startWebHost(settings, { mode = 'Embedded', env = {} } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const node = await launch(built('WebHost'), [], {
    ASPNETCORE_URLS: base,
    ASPNETCORE_ENVIRONMENT: 'Production',
    ConnectionStrings__Postgres: settings.connectionString,
    Actors__Cluster__Mode: mode,
    Actors__Cluster__ClusterId: settings.clusterId,
    Actors__Auth__SigningKey: settings.signingKey,
    Actors__Cluster__GatewayPort: '0',
    Actors__Cluster__SiloPort: '0',
    ...env,
  }, `${base}/healthz`);
  return { ...node, base };
}

/** A standalone Silo process. */
export async function startSilo(settings, { env = {} } = {}) {
  const httpPort = await freePort();
  const node = await launch(built('Silo'), [], {
    ConnectionStrings__Postgres: settings.connectionString,
    Actors__Cluster__ClusterId: settings.clusterId,
    Actors__Cluster__SiloPort: '0',
    Actors__Cluster__GatewayPort: '0',
    Actors__Cluster__HttpPort: String(httpPort),
    Actors__Cluster__ListenAddress: '127.0.0.1',
    Actors__Cluster__AdvertisedHost: '127.0.0.1',
    ...env,
  }, `http://127.0.0.1:${httpPort}/readyz`);
  return { ...node, base: `http://127.0.0.1:${httpPort}` };
}

export async function stopAll() {
  await Promise.all([...running].map((n) => n.stop()));
}

process.on('exit', () => {
  for (const node of running) {
    try { node.child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});
