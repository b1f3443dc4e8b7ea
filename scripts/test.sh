#!/usr/bin/env bash
# Builds everything, provisions a throwaway PostgreSQL, runs every test suite (dotnet and node) and
# prints one closing line "N passed, N failed". Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
results="$root/.data/test-results"
rm -rf "$results"
mkdir -p "$results"

passed=0
failed=0
finish() {
  echo "$passed passed, $failed failed"
  if [ "$failed" -gt 0 ]; then exit 1; fi
  exit 0
}

echo "== web client and dashboard (WebHost/ClientApp → WebHost/wwwroot)"
if [ -f WebHost/ClientApp/package.json ]; then
  # npm install, not npm ci: the package mirror lacks rollup's binaries for other platforms, so the lockfile cannot list them and npm ci refuses it; install keeps the lockfile's versions.
  if ! (cd WebHost/ClientApp && npm install --no-audit --no-fund >/dev/null && npm run build --silent >/dev/null); then
    echo "the web client build failed"
    failed=1
    finish
  fi
fi

echo "== restore and build"
if ! dotnet build Actors.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "build failed"
  failed=1
  finish
fi

echo "== PostgreSQL"
if [ -z "${ACTORS_POSTGRES:-}" ] && [ ! -x /usr/lib/postgresql/15/bin/pg_ctl ] && [ "$(id -u)" = 0 ]; then
  echo "installing PostgreSQL 15 server binaries"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15) >/dev/null
fi
# Debian's docker-compose validates docker-compose.yml (tests/e2e/compose.test.mjs); no engine needed.
if ! command -v docker-compose >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing docker-compose (to validate docker-compose.yml)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose) >/dev/null \
    || echo "could not install docker-compose: tests/e2e/compose.test.mjs will fail"
fi
# Debian's chromium for the browser tests (tests/e2e/browser-*.test.mjs, driven by playwright-core).
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing chromium (browser tests)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
    || echo "could not install chromium: the browser tests will fail"
fi
export ACTORS_PG_FAST=1
started_pg=0
if [ -z "${ACTORS_POSTGRES:-}" ]; then
  if ! pg_url=$(scripts/postgres.sh start | tail -n 1); then
    echo "could not start PostgreSQL"
    failed=1
    finish
  fi
  started_pg=1
else
  pg_url="$ACTORS_POSTGRES"
fi
stop_pg() { if [ "$started_pg" = 1 ]; then scripts/postgres.sh stop >/dev/null 2>&1 || true; fi; }
trap stop_pg EXIT
export ACTORS_TEST_POSTGRES="$pg_url"
echo "using $pg_url"

echo "== dotnet tests"
for project in tests/*/*.csproj; do
  name=$(basename "$project" .csproj)
  echo "-- $name"
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --logger "console;verbosity=minimal"
done

# Count from the TRX files so the closing line covers every project.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0}))
done
expected=$(ls tests/*/*.csproj | wc -l)
got=$(ls "$results"/*.trx 2>/dev/null | wc -l)
if [ "$got" -lt "$expected" ]; then
  echo "only $got of $expected test projects produced results (a test host crashed?)"
  failed=$((failed + expected - got))
fi

# Runs a node package's tests and adds its "# pass N" / "# fail N" to the totals.
node_suite() {
  local dir=$1 name=$2 out="$results/$2.txt"
  (cd "$dir" && npm ci --no-audit --no-fund >/dev/null && npm test --silent) 2>&1 | tee "$out"
  local p f
  p=$(sed -n 's/^# pass \([0-9]*\)/\1/p' "$out" | tail -n 1)
  f=$(sed -n 's/^# fail \([0-9]*\)/\1/p' "$out" | tail -n 1)
  if [ -z "$p" ]; then f=1; fi
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
}

if [ -f tests/e2e/package.json ]; then
  echo "== node tests (e2e)"
  node_suite tests/e2e e2e
fi

if [ -f clients/typescript/package.json ]; then
  echo "== node tests (TypeScript SDK)"
  node_suite clients/typescript sdk
fi

finish
