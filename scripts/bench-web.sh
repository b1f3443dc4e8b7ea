#!/usr/bin/env bash
# WebHost benchmarks (docs/BENCHMARKS.md, "WebHost: REST and realtime fan-out"): the real WebHost
# process (Embedded mode on PostgreSQL) beside bare ASP.NET Core baselines in the same run.
#
#   scripts/bench-web.sh [options passed to the program]     e.g. --suites rest,fanout --rest-repeats 5
#   scripts/bench-web.sh --help                              every option
#
# Builds WebHost and bench/WebHost.Benchmarks in Release, installs wrk when missing (Debian package),
# starts a PostgreSQL with default durability in <repo>/.data/bench-postgres (never the tests'
# instance, never ACTORS_PG_FAST; set ACTORS_BENCH_POSTGRES to use an existing server instead),
# raises the open files limit for 10,000 connections and runs the program, which starts and stops
# every server it measures (all on 127.0.0.1). On exit, whatever it started and is still running is
# stopped, and PostgreSQL too if this script started it. The Markdown report goes to stdout and to
# .data/bench/web-<time>.md; server logs to .data/bench/web-logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  exec dotnet run -c Release --project bench/WebHost.Benchmarks -- --help
fi

mkdir -p .data/bench
pids_file="$root/.data/bench/web-bench.pids"
: > "$pids_file"
bench_pg_dir="$root/.data/bench-postgres"
started_pg=0

# A pid from the file, if it still is one of ours (a WebHost, a bare server or wrk): pids get reused.
ours() {
  local cmdline
  [ -r "/proc/$1/cmdline" ] || return 1
  cmdline=$(tr '\0' ' ' 2>/dev/null < "/proc/$1/cmdline") || return 1
  case "$cmdline" in
    *WebHost.dll*|*WebHost.Benchmarks.dll\ bare*|wrk\ *) return 0 ;;
    *) return 1 ;;
  esac
}

bench_pid=
cleanup() {
  local status=$?
  if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
    kill -TERM "$bench_pid" 2>/dev/null || true
    wait "$bench_pid" 2>/dev/null || true
  fi
  # What the program started and did not stop itself (servers, wrk; it removes the ones it stops): TERM, then KILL.
  if [ -s "$pids_file" ]; then
    local pid
    for pid in $(cat "$pids_file"); do
      ours "$pid" && kill -TERM "$pid" 2>/dev/null || true
    done
    sleep 2
    for pid in $(cat "$pids_file"); do
      ours "$pid" && kill -KILL "$pid" 2>/dev/null || true
    done
  fi
  if [ "$started_pg" = 1 ]; then
    env -u ACTORS_POSTGRES -u ACTORS_PG_FAST ACTORS_PG_DIR="$bench_pg_dir" scripts/postgres.sh stop >/dev/null 2>&1 || true
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! command -v wrk >/dev/null 2>&1; then
  echo "== installing wrk (Debian package)"
  apt-get install -y wrk >/dev/null
fi

echo "== build (Release)"
dotnet build WebHost/WebHost.csproj -c Release -nologo -clp:ErrorsOnly
dotnet build bench/WebHost.Benchmarks/WebHost.Benchmarks.csproj -c Release -nologo -clp:ErrorsOnly

if [ -z "${ACTORS_BENCH_POSTGRES:-}" ]; then
  echo "== PostgreSQL for benchmarks (default durability, $bench_pg_dir)"
  # Another run (scripts/bench.sh) may be using it: then leave it running at the end.
  if ! env -u ACTORS_POSTGRES ACTORS_PG_DIR="$bench_pg_dir" scripts/postgres.sh status >/dev/null 2>&1; then
    started_pg=1
  fi
  ACTORS_BENCH_POSTGRES=$(env -u ACTORS_POSTGRES -u ACTORS_PG_FAST ACTORS_PG_DIR="$bench_pg_dir" scripts/postgres.sh start | tail -n 1)
fi
export ACTORS_BENCH_POSTGRES
echo "using $ACTORS_BENCH_POSTGRES"

# 10,000 client sockets here and as many in the server (which inherits the limit).
hard=$(ulimit -Hn)
want=30000
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then want=$hard; fi
ulimit -n "$want" || true
echo "open files limit: $(ulimit -n)"

out=".data/bench/web-$(date -u +%Y%m%dT%H%M%SZ).md"
export ACTORS_BENCH_ARTIFACTS="$root/.data/bench"
echo "== WebHost benchmarks (commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown); report also in $out)"
set +e
# The load process runs with workstation GC; the servers it starts get the Web SDK's default (server GC).
# In the background, so a TERM to this script runs the trap at once (it stops the program too).
DOTNET_gcServer=0 dotnet bench/WebHost.Benchmarks/bin/Release/net10.0/WebHost.Benchmarks.dll run --pids-file "$pids_file" "$@" > >(tee "$out") &
bench_pid=$!
wait "$bench_pid"
status=$?
bench_pid=
set -e
exit "$status"
