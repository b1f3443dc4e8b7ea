#!/usr/bin/env bash
# Builds the benchmarks in Release and runs one suite (or all), printing Markdown tables.
#
#   scripts/bench.sh [calls|throughput|activation|memory|storage|all] [options passed to the program]
#
# The storage suite runs against a PostgreSQL with default durability (fsync and synchronous_commit
# on): this script starts one in <repo>/.data/bench-postgres (never the tests' instance, never
# ACTORS_PG_FAST) and stops it on exit. Set ACTORS_BENCH_POSTGRES to use an existing server instead.
# Output is also saved under .data/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

suite="${1:-all}"
shift || true
case "$suite" in
  calls|throughput|activation|memory|storage|all) ;;
  *) echo "usage: scripts/bench.sh [calls|throughput|activation|memory|storage|all] [options]" >&2; exit 2 ;;
esac

echo "== build (Release)"
dotnet build bench/Actors.Benchmarks/Actors.Benchmarks.csproj -c Release -nologo -clp:ErrorsOnly

started_pg=0
bench_pg_dir="$root/.data/bench-postgres"
stop_pg() {
  if [ "$started_pg" = 1 ]; then
    env -u ACTORS_POSTGRES -u ACTORS_PG_FAST ACTORS_PG_DIR="$bench_pg_dir" scripts/postgres.sh stop >/dev/null 2>&1 || true
  fi
}
trap stop_pg EXIT

if [ "$suite" = storage ] || [ "$suite" = all ]; then
  if [ -z "${ACTORS_BENCH_POSTGRES:-}" ]; then
    echo "== PostgreSQL for benchmarks (default durability, $bench_pg_dir)"
    if [ ! -x /usr/lib/postgresql/15/bin/pg_ctl ] && [ -z "${ACTORS_PG_BIN:-}" ]; then
      echo "PostgreSQL 15 server binaries not found (install postgresql-15 or set ACTORS_PG_BIN)" >&2
      exit 1
    fi
    # Never the fast (fsync off) settings, never an external server: this measures durable writes.
    ACTORS_BENCH_POSTGRES=$(env -u ACTORS_POSTGRES -u ACTORS_PG_FAST ACTORS_PG_DIR="$bench_pg_dir" scripts/postgres.sh start | tail -n 1)
    started_pg=1
  fi
  export ACTORS_BENCH_POSTGRES
  echo "using $ACTORS_BENCH_POSTGRES"
fi

mkdir -p .data/bench
out=".data/bench/$suite-$(date -u +%Y%m%dT%H%M%SZ).md"
export ACTORS_BENCH_ARTIFACTS="$root/.data/bench"
echo "== $suite (commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown); output also in $out)"
set +e
bench/Actors.Benchmarks/bin/Release/net10.0/Actors.Benchmarks "$suite" "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
set -e
exit "$status"
