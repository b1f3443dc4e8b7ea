// docker-compose.yml is valid for Debian's docker-compose (no Docker engine here: `config` only) and
// wires postgres → migrate → two silos → the WebHost in Client mode. The Dockerfiles are checked for
// what they must hold (multi-stage, non-root, HEALTHCHECK, build context = the repository root).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/harness.mjs';

const composeFile = join(repoRoot, 'docker-compose.yml');
let config;

function hasDockerCompose() {
  return spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0;
}

function compose(args, env = {}) {
  return spawnSync('docker-compose', ['-f', composeFile, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

before(() => {
  // scripts/test.sh installs it; this covers running the suite on its own as root.
  if (!hasDockerCompose() && process.getuid?.() === 0) {
    execFileSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose'], {
      stdio: 'ignore',
      timeout: 600_000,
    });
  }
  assert.ok(hasDockerCompose(), 'docker-compose is not installed (apt-get install docker-compose)');
  const result = compose(['config']);
  assert.equal(result.status, 0, result.stderr);
  // docker-compose needs python3-yaml, so python3 can turn its normalised YAML into JSON.
  const json = execFileSync('python3', ['-c', 'import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], {
    input: result.stdout,
    encoding: 'utf8',
  });
  config = JSON.parse(json);
});

test('docker-compose config -q accepts docker-compose.yml', () => {
  const result = compose(['config', '-q']);
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
  assert.equal(result.stderr.trim(), '', 'no warnings (an unset variable without a default, say)');
});

test('the services are postgres, migrate, silo1, silo2 and webhost, started in that order', () => {
  const services = config.services;
  assert.deepEqual(Object.keys(services).sort(), ['migrate', 'postgres', 'silo1', 'silo2', 'webhost']);

  assert.equal(services.postgres.image, 'postgres:15');
  assert.ok(services.postgres.healthcheck?.test, 'postgres has a healthcheck');
  assert.ok(services.postgres.volumes.some((v) => String(v.source ?? v).startsWith('postgres-data')), 'a named volume');
  assert.ok('postgres-data' in config.volumes);

  assert.deepEqual(services.migrate.command, ['migrate']);
  assert.equal(services.migrate.depends_on.postgres.condition, 'service_healthy');
  assert.equal(services.migrate.build.dockerfile, 'Silo/Dockerfile');

  for (const name of ['silo1', 'silo2']) {
    const silo = services[name];
    assert.equal(silo.image, services.migrate.image, `${name} runs the Silo image`);
    assert.equal(silo.depends_on.migrate.condition, 'service_completed_successfully');
    assert.equal(silo.environment.Actors__Cluster__AdvertisedHost, name);
    assert.equal(silo.environment.Actors__Cluster__ListenAddress, '0.0.0.0');
    assert.match(silo.environment.ConnectionStrings__Postgres, /Host=postgres;/);
    assert.equal(silo.environment.Actors__Cluster__ClusterId, services.webhost.environment.Actors__Cluster__ClusterId);
    assert.match(silo.healthcheck.test.join(' '), /\/readyz/);
  }

  const webhost = services.webhost;
  assert.deepEqual(Object.keys(webhost.depends_on).sort(), ['silo1', 'silo2']);
  for (const silo of ['silo1', 'silo2']) assert.equal(webhost.depends_on[silo].condition, 'service_healthy');
  assert.equal(webhost.environment.Actors__Cluster__Mode, 'Client');
  assert.match(webhost.environment.ConnectionStrings__Postgres, /Host=postgres;/);
  assert.ok(webhost.environment.Actors__Auth__SigningKey.length >= 32, 'a dev signing key placeholder of at least 32 characters');
  assert.equal(webhost.build.dockerfile, 'WebHost/Dockerfile');
});

test('the signing key, cluster id and WebHost port come from the environment', () => {
  const result = compose(['config'], { ACTORS_SIGNING_KEY: 'k'.repeat(40), ACTORS_CLUSTER_ID: 'prod-1', ACTORS_PORT: '9090' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`Actors__Auth__SigningKey: ${'k'.repeat(40)}`));
  assert.equal((result.stdout.match(/Actors__Cluster__ClusterId: prod-1/g) ?? []).length, 3);
  assert.match(result.stdout, /127\.0\.0\.1:9090:8080/);
});

test('the Dockerfiles are multi-stage, run as a non-root user and check /healthz', () => {
  for (const [project, ports] of [['Silo', ['11111', '30000', '8081']], ['WebHost', ['8080']]]) {
    const file = readFileSync(join(repoRoot, project, 'Dockerfile'), 'utf8');
    assert.match(file, /^FROM \S*dotnet\/sdk:10\.0 AS build$/m, `${project}: sdk build stage`);
    assert.match(file, /^FROM \S*dotnet\/aspnet:10\.0 AS runtime$/m, `${project}: aspnet runtime stage`);
    assert.match(file, /^USER \$APP_UID$/m, `${project}: non-root`);
    assert.match(file, /^HEALTHCHECK [\s\S]*\/healthz/m, `${project}: HEALTHCHECK on /healthz`);
    assert.match(file, /apt-get install -y --no-install-recommends curl/, `${project}: the health check's client is installed`);
    const exposed = file.match(/^EXPOSE (.*)$/m)[1].split(/\s+/);
    assert.deepEqual(exposed, ports);
    assert.match(file, new RegExp(`dotnet publish ${project}/${project}\\.csproj -c Release`));
    // Every path the build stage copies exists in the build context (the repository root).
    for (const line of file.match(/^COPY (?!--from)(.*)$/gm)) {
      const sources = line.slice(5).trim().split(/\s+/).slice(0, -1);
      for (const source of sources) assert.ok(existsSync(join(repoRoot, source)), `${project}/Dockerfile copies ${source}, which exists`);
    }
  }
  // The WebHost image carries the web client and the dashboard, built by a node stage.
  const webhostFile = readFileSync(join(repoRoot, 'WebHost', 'Dockerfile'), 'utf8');
  assert.match(webhostFile, /^FROM node:20\S* AS web$/m, 'WebHost: a node stage builds the front ends');
  assert.match(webhostFile, /npm install[\s\S]*npm run build/, 'WebHost: npm install then npm run build');
  assert.match(webhostFile, /^COPY --from=web \S*WebHost\/wwwroot\/ WebHost\/wwwroot\/$/m, 'WebHost: the built pages join the publish');
  const ignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const pattern of ['**/bin/', '**/obj/', '.data/', '**/node_modules/']) assert.ok(ignore.includes(pattern), `.dockerignore has ${pattern}`);
});
