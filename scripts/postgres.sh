#!/usr/bin/env bash
# A throwaway local PostgreSQL 15 cluster for development and tests.
#
#   scripts/postgres.sh start    initialise (first time) and start; prints the connection string last
#   scripts/postgres.sh stop     stop (fine when already stopped)
#   scripts/postgres.sh url      print the Npgsql connection string
#   scripts/postgres.sh status   print whether it runs; exit 0 when running, 3 when not
#
# Environment:
#   ACTORS_POSTGRES  an existing server's connection string: start/url just print it, nothing runs
#   ACTORS_PG_DIR    data directory (default <repo>/.data/postgres); lets a test run its own instance
#   ACTORS_PG_FAST=1 start with fsync and synchronous_commit off (tests only, never benchmarks)
#   ACTORS_PG_BIN    server binaries (default /usr/lib/postgresql/15/bin)
#
# Listens on 127.0.0.1 only, on a free port picked at first start and remembered in the data dir.
# initdb refuses to run as root: as root the cluster belongs to the 'postgres' user.
set -euo pipefail

cmd="${1:-}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${ACTORS_PG_BIN:-/usr/lib/postgresql/15/bin}"
requested_dir="${ACTORS_PG_DIR:-$repo/.data/postgres}"

die() { echo "postgres.sh: $*" >&2; exit 1; }

usage() {
  echo "usage: scripts/postgres.sh start|stop|url|status" >&2
  exit 2
}

[[ -n "$cmd" ]] || usage

if [[ -n "${ACTORS_POSTGRES:-}" ]]; then
  case "$cmd" in
    start|url) echo "$ACTORS_POSTGRES"; exit 0 ;;
    stop) echo "ACTORS_POSTGRES is set: nothing to stop" >&2; exit 0 ;;
    status) echo "external server (ACTORS_POSTGRES)"; exit 0 ;;
    *) usage ;;
  esac
fi

[[ -x "$bin/pg_ctl" ]] || die "PostgreSQL server binaries not found in $bin (set ACTORS_PG_BIN)"

# Absolute path of the requested data dir (it may not exist yet).
mkdir -p "$(dirname "$requested_dir")"
requested_dir="$(cd "$(dirname "$requested_dir")" && pwd)/$(basename "$requested_dir")"

as_root=0
[[ "$(id -u)" == 0 ]] && as_root=1
if (( as_root )); then
  id -u postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user (initdb refuses root)"
fi

# Runs a command as the cluster's owner.
run_pg() {
  if (( as_root )); then
    runuser -u postgres -- "$@" 9>&-
  else
    "$@" 9>&-
  fi
}

# As root, the postgres user must be able to reach the data dir. When a parent directory is not
# traversable by it (a repo under /root, say), the cluster lives under /var/tmp instead, at a path
# derived from the requested one, and the requested path becomes a symlink to it.
data_dir="$requested_dir"
if (( as_root )); then
  if [[ -L "$requested_dir" ]]; then
    data_dir="$(readlink "$requested_dir")"
  elif ! runuser -u postgres -- test -x "$(dirname "$requested_dir")" 2>/dev/null; then
    hash="$(printf '%s' "$requested_dir" | sha1sum | cut -c1-16)"
    data_dir="/var/tmp/actors-postgres/$hash"
  fi
fi

port_file="$data_dir/actors_port"
log_file="$data_dir/postgres.log"
lock_file="$data_dir.lock"

is_running() {
  [[ -f "$data_dir/PG_VERSION" ]] || return 1
  run_pg "$bin/pg_ctl" -D "$data_dir" status >/dev/null 2>&1
}

url() {
  [[ -f "$port_file" ]] || die "no cluster at $data_dir (run: scripts/postgres.sh start)"
  echo "Host=127.0.0.1;Port=$(cat "$port_file");Username=postgres;Database=postgres"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
  local p i
  p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 20000 ))
  for (( i = 0; i < 500; i++ )); do
    if ! port_in_use "$p"; then
      echo "$p"
      return 0
    fi
    p=$(( p + 1 ))
    (( p < 40000 )) || p=20000
  done
  die "no free port found"
}

init_cluster() {
  if (( as_root )); then
    mkdir -p "$(dirname "$data_dir")"
    chmod o+x "$(dirname "$data_dir")" 2>/dev/null || true
  fi
  rm -rf "$data_dir"
  mkdir -p "$data_dir"
  if (( as_root )); then
    chown postgres:postgres "$data_dir"
    if [[ "$data_dir" != "$requested_dir" ]]; then
      rm -rf "$requested_dir"
      ln -s "$data_dir" "$requested_dir"
    fi
  fi
  chmod 700 "$data_dir"
  run_pg "$bin/initdb" -D "$data_dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 -N \
    >"$data_dir.initdb.log" 2>&1 || { cat "$data_dir.initdb.log" >&2; die "initdb failed"; }
  rm -f "$data_dir.initdb.log"
}

start() {
  if [[ ! -f "$data_dir/PG_VERSION" ]]; then
    init_cluster
  fi
  if is_running; then
    url
    return 0
  fi

  local port attempt
  local -a opts=(-c listen_addresses=127.0.0.1 -c max_connections=400)
  # Unix socket paths are limited to ~107 bytes; everything connects over TCP anyway.
  if (( ${#data_dir} < 90 )); then
    opts+=(-k "'$data_dir'")
  else
    opts+=(-c "unix_socket_directories=''")
  fi
  if [[ "${ACTORS_PG_FAST:-}" == 1 ]]; then
    opts+=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off)
  fi

  for attempt in 1 2 3; do
    if [[ -f "$port_file" ]]; then
      port="$(cat "$port_file")"
      if port_in_use "$port"; then
        echo "postgres.sh: remembered port $port is taken by another process; picking a new one" >&2
        port="$(pick_port)"
      fi
    else
      port="$(pick_port)"
    fi
    echo "$port" >"$port_file"
    (( as_root )) && chown postgres:postgres "$port_file"

    if run_pg "$bin/pg_ctl" -D "$data_dir" -l "$log_file" -w -t 60 \
        -o "${opts[*]} -p $port" start >/dev/null; then
      url
      return 0
    fi
    # Lost a race for the port (or another failure): show the log tail and try a fresh port.
    tail -n 5 "$log_file" >&2 || true
    rm -f "$port_file"
  done
  die "could not start PostgreSQL (log: $log_file)"
}

stop() {
  if is_running; then
    run_pg "$bin/pg_ctl" -D "$data_dir" -m fast -w -t 60 stop >/dev/null
  fi
  echo "stopped" >&2
}

status() {
  if is_running; then
    echo "running: $(url) (data: $data_dir)"
    return 0
  fi
  echo "stopped (data: $data_dir)"
  return 3
}

# One start/stop at a time per data dir (parallel test runs share the default cluster).
mkdir -p "$(dirname "$lock_file")"
exec 9>"$lock_file"
flock -w 120 9 || die "timed out waiting for $lock_file"

case "$cmd" in
  start) start ;;
  stop) stop ;;
  url) url ;;
  status) status ;;
  *) usage ;;
esac
