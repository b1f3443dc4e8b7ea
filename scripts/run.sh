#!/usr/bin/env bash
# Runs the platform on this machine: PostgreSQL, two silos and the WebHost (Client mode), every
# listener on 127.0.0.1, in the background, with logs under the state directory.
#
#   scripts/run.sh          build (Release), provision PostgreSQL, migrate, start two silos and the
#                           WebHost, wait until each /readyz answers, print the URLs.
#                           When everything already runs it only prints the URLs.
#   scripts/run.sh stop     stop exactly what run.sh started (SIGTERM, then SIGKILL after a bound),
#                           and the local PostgreSQL only if run.sh started it
#   scripts/run.sh status   print what runs; exit 0 when everything runs, 3 when nothing does,
#                           1 when only part of it does
#
# Environment:
#   ACTORS_PORT             WebHost port (default 8080; when taken, a free one is picked and named)
#   ACTORS_POSTGRES         an existing server's Npgsql connection string: no local PostgreSQL starts
#   ACTORS_RUN_DIR          state directory (default <repo>/.data): run/ (PIDs, ports), logs/,
#                           app/ (published binaries), postgres-run/ (the local cluster),
#                           signing-key and cluster-id (kept across restarts)
#   ACTORS_CLUSTER_ID       cluster id (default: generated once, kept in <state>/cluster-id)
#   ACTORS_SIGNING_KEY      token signing key (default: generated once, kept in <state>/signing-key,
#                           so tokens stay valid across restarts)
#   ACTORS_OPERATOR_EMAILS  emails that register as operators (default operator@actors.localhost; operator@localhost
#                           itself is refused by the domain's email rule, which wants a dotted domain)
#   ACTORS_START_TIMEOUT    seconds to wait for each /readyz (default 120)
#   ACTORS_STOP_TIMEOUT     seconds between SIGTERM and SIGKILL on stop (default 45)
#   ACTORS_SKIP_BUILD=1     start the binaries already published under <state>/app
#   ACTORS_PG_BIN           PostgreSQL server binaries (default /usr/lib/postgresql/15/bin). Without
#                           them and without ACTORS_POSTGRES, one WebHost runs in Embedded mode on
#                           in-memory storage (nothing is persisted).
set -euo pipefail

cmd="${1:-start}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${ACTORS_RUN_DIR:-$repo/.data}"
mkdir -p "$state"
state="$(cd "$state" && pwd)"
run="$state/run"
logs="$state/logs"
app="$state/app"
pg_dir="$state/postgres-run"
pg_bin="${ACTORS_PG_BIN:-/usr/lib/postgresql/15/bin}"
start_timeout="${ACTORS_START_TIMEOUT:-120}"
stop_timeout="${ACTORS_STOP_TIMEOUT:-45}"
operator_emails="${ACTORS_OPERATOR_EMAILS:-operator@actors.localhost}"
components=(webhost silo2 silo1)   # stop order: the WebHost first, then the silos

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { echo "run.sh: $*"; }
warn() { echo "run.sh: $*" >&2; }
die() { warn "$*"; exit 1; }

usage() {
  echo "usage: scripts/run.sh [start|stop|status]" >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------
# Processes: a PID file holds "PID STARTTIME" (start time in clock ticks since boot, from
# /proc/PID/stat), so a PID reused by an unrelated process is never mistaken for ours.

proc_start_time() {
  local stat fields
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  fields="${stat##*) }"            # the command name may hold spaces: cut after its ')'
  # shellcheck disable=SC2086
  set -- $fields                   # $1 = state (field 3), so field 22 (starttime) is ${20}
  [[ "$1" != Z ]] || return 1      # a zombie has exited
  echo "${20}"
}

# Prints the PID recorded for a component when that very process still runs.
live_pid() {
  local file="$run/$1.pid" pid start now
  [[ -f "$file" ]] || return 1
  read -r pid start <"$file" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  now="$(proc_start_time "$pid")" || return 1
  [[ "$now" == "$start" ]] || return 1
  echo "$pid"
}

record_pid() {
  local start
  start="$(proc_start_time "$2")" || start=gone
  echo "$2 $start" >"$run/$1.pid"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

chosen_ports=" "

# Sets variable $1 to a free port: $2 when it is free, else a random one below the ephemeral range.
# (Ports picked in this run count as taken: their processes may not have bound them yet.)
pick_port() {
  local var="$1" preferred="${2:-}" p i
  if [[ -n "$preferred" && "$chosen_ports" != *" $preferred "* ]] && ! port_in_use "$preferred"; then
    chosen_ports+="$preferred "
    printf -v "$var" '%s' "$preferred"
    return 0
  fi
  for (( i = 0; i < 500; i++ )); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12000 ))
    if [[ "$chosen_ports" != *" $p "* ]] && ! port_in_use "$p"; then
      chosen_ports+="$p "
      printf -v "$var" '%s' "$p"
      return 0
    fi
  done
  die "no free port found"
}

http_ok() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -m 3 -o /dev/null "$1" 2>/dev/null
  else
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"
  fi
}

http_status() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -m 3 -o /dev/null -w '%{http_code}' "$1" 2>/dev/null || true
  else
    node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) }).then((r) => console.log(r.status), () => console.log(0))' "$1"
  fi
}

# ---------------------------------------------------------------------------------------------
# State of the running instance: run/state.env (sourced), written once everything is started.

load_state() {
  MODE="" CLUSTER_ID="" OPERATOR_EMAILS="$operator_emails" WEBHOST_URL="" SILO1_URL="" SILO2_URL="" POSTGRES="" POSTGRES_STARTED=0 PG_DATA=""
  # shellcheck disable=SC1091
  [[ -f "$run/state.env" ]] && source "$run/state.env"
  return 0
}

write_state() {
  {
    printf 'MODE=%q\n' "$MODE"
    printf 'CLUSTER_ID=%q\n' "$CLUSTER_ID"
    printf 'OPERATOR_EMAILS=%q\n' "$OPERATOR_EMAILS"
    printf 'WEBHOST_URL=%q\n' "$WEBHOST_URL"
    printf 'SILO1_URL=%q\n' "$SILO1_URL"
    printf 'SILO2_URL=%q\n' "$SILO2_URL"
    printf 'POSTGRES=%q\n' "$POSTGRES"
    printf 'POSTGRES_STARTED=%q\n' "$POSTGRES_STARTED"
    printf 'PG_DATA=%q\n' "$PG_DATA"
  } >"$run/state.env.tmp"
  mv "$run/state.env.tmp" "$run/state.env"
}

# Components recorded for this instance (the WebHost, and the silos in cluster mode).
recorded() {
  local c
  for c in "${components[@]}"; do
    [[ -f "$run/$c.pid" ]] && echo "$c"
  done
  return 0
}

# ---------------------------------------------------------------------------------------------
# stop

postgres_sh() {
  # Our own lock (fd 8) must not leak into the postmaster, or it would hold it forever.
  env -u ACTORS_POSTGRES -u ACTORS_PG_FAST ACTORS_PG_DIR="$pg_dir" ACTORS_PG_BIN="$pg_bin" \
    bash "$repo/scripts/postgres.sh" "$@" 8>&-
}

# SIGTERM to the named components that still run, up to $stop_timeout s for them to exit, then
# SIGKILL and up to 10 s more.
terminate() {
  local c pid deadline killed=0
  local -a waiting=()
  for c in "$@"; do
    if pid="$(live_pid "$c")"; then
      say "stopping $c (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      waiting+=("$c")
    fi
  done
  deadline=$(( SECONDS + stop_timeout ))
  while (( ${#waiting[@]} )); do
    local -a still=()
    for c in "${waiting[@]}"; do
      live_pid "$c" >/dev/null && still+=("$c")
    done
    waiting=("${still[@]+"${still[@]}"}")
    (( ${#waiting[@]} )) || break
    if (( SECONDS >= deadline )); then
      (( killed )) && break
      for c in "${waiting[@]}"; do
        pid="$(live_pid "$c")" || continue
        warn "$c (pid $pid) did not stop within ${stop_timeout} s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
      done
      killed=1
      deadline=$(( SECONDS + 10 ))
    fi
    sleep 0.2
  done
}

# Stops the recorded components: the WebHost first, then both silos together.
stop_components() {
  local c failed=0
  terminate webhost
  terminate silo2 silo1
  for c in "${components[@]}"; do
    if live_pid "$c" >/dev/null; then
      warn "$c is still running (pid $(live_pid "$c"))"
      failed=1
    else
      rm -f "$run/$c.pid"
    fi
  done
  return "$failed"
}

stop_all() {
  load_state
  local any=0
  [[ -n "$(recorded)" || -f "$run/state.env" ]] && any=1
  stop_components || die "could not stop everything (see above)"
  if [[ "$POSTGRES_STARTED" == 1 ]]; then
    say "stopping the PostgreSQL run.sh started ($PG_DATA)"
    postgres_sh stop >/dev/null 2>&1 || warn "could not stop PostgreSQL (scripts/postgres.sh stop with ACTORS_PG_DIR=$pg_dir)"
    rm -f "$run/postgres.pid"
  fi
  rm -f "$run/state.env"
  if (( any )); then say "stopped"; else say "nothing was running"; fi
}

# ---------------------------------------------------------------------------------------------
# status

status() {
  load_state
  local c pid url running=0 total=0
  if [[ ! -f "$run/state.env" && -z "$(recorded)" ]]; then
    echo "not running (state: $state)"
    return 3
  fi
  echo "mode: ${MODE:-?}   cluster id: ${CLUSTER_ID:-?}   state: $state"
  if [[ "$MODE" == cluster ]]; then
    if [[ "$POSTGRES_STARTED" == 1 ]]; then
      if postgres_sh status >/dev/null 2>&1; then
        printf '  %-9s running   started by run.sh (%s)\n' postgres "$PG_DATA"
      else
        printf '  %-9s STOPPED   (%s)\n' postgres "$PG_DATA"
      fi
    else
      printf '  %-9s external  (ACTORS_POSTGRES)\n' postgres
    fi
  fi
  for c in silo1 silo2 webhost; do
    case "$c" in
      silo1) url="$SILO1_URL" ;;
      silo2) url="$SILO2_URL" ;;
      webhost) url="$WEBHOST_URL" ;;
    esac
    [[ -f "$run/$c.pid" ]] || continue
    total=$(( total + 1 ))
    if pid="$(live_pid "$c")"; then
      running=$(( running + 1 ))
      local ready="not ready"
      http_ok "$url/readyz" && ready="ready"
      printf '  %-9s running   pid %-7s %s  (%s)\n' "$c" "$pid" "$url" "$ready"
    else
      printf '  %-9s STOPPED   %s  (log: %s)\n' "$c" "$url" "$logs/$c.log"
    fi
  done
  if (( total > 0 && running == total )); then return 0; fi
  if (( running == 0 )); then return 3; fi
  return 1
}

# ---------------------------------------------------------------------------------------------
# start

print_urls() {
  local base="$WEBHOST_URL" note_root="" note_dash="" first_operator="${OPERATOR_EMAILS%%,*}"
  # 503: the WebHost was built without its front end (WebHost/ClientApp), e.g. npm was unavailable.
  [[ "$(http_status "$base/")" != 200 ]] && note_root="   (not built: npm install && npm run build in WebHost/ClientApp)"
  [[ "$(http_status "$base/dashboard")" != 200 ]] && note_dash="   (not built)"
  [[ -z "$note_dash" ]] && note_dash="   (operators: sign in as ${first_operator:-an operator email})"
  echo
  if [[ "$MODE" == cluster ]]; then
    echo "Actors runs: 2 silos + the WebHost (Client mode), cluster id $CLUSTER_ID"
  else
    echo "Actors runs: one WebHost in Embedded mode, IN MEMORY (nothing is persisted)"
  fi
  echo "  web client   $base/$note_root"
  echo "  dashboard    $base/dashboard$note_dash"
  echo "  API page     $base/api-docs   (OpenAPI document: $base/openapi/v1.json)"
  echo "  metrics      $base/metrics"
  echo "  health       $base/healthz   $base/readyz"
  if [[ "$MODE" == cluster ]]; then
    echo "  silo 1       $SILO1_URL/readyz   $SILO1_URL/metrics"
    echo "  silo 2       $SILO2_URL/readyz   $SILO2_URL/metrics"
    if [[ "$POSTGRES_STARTED" == 1 ]]; then
      echo "  PostgreSQL   $POSTGRES   (local cluster in $PG_DATA)"
    else
      echo "  PostgreSQL   external (ACTORS_POSTGRES)"
    fi
  fi
  echo "  logs         $logs/"
  echo
  echo "Operator: whoever registers with the email ${first_operator} gets the operator role"
  echo "(Actors__Bootstrap__OperatorEmails=$OPERATOR_EMAILS). Register once, then sign in with it:"
  echo "  curl -s -X POST $base/api/auth/register -H 'content-type: application/json' \\"
  echo "    -d '{\"email\":\"${first_operator}\",\"password\":\"choose-a-password\",\"displayName\":\"Operator\"}'"
  echo "  curl -s -X POST $base/api/auth/login -H 'content-type: application/json' \\"
  echo "    -d '{\"email\":\"${first_operator}\",\"password\":\"choose-a-password\"}'"
  echo
  echo "Stop: scripts/run.sh stop    Status: scripts/run.sh status"
}

# The persisted secret and id, generated on first use.
signing_key() {
  if [[ -n "${ACTORS_SIGNING_KEY:-}" ]]; then
    echo "$ACTORS_SIGNING_KEY"
    return 0
  fi
  if [[ ! -s "$state/signing-key" ]]; then
    (umask 077 && head -c 48 /dev/urandom | base64 -w0 >"$state/signing-key")
  fi
  cat "$state/signing-key"
}

cluster_id() {
  if [[ -n "${ACTORS_CLUSTER_ID:-}" ]]; then
    echo "$ACTORS_CLUSTER_ID"
    return 0
  fi
  if [[ ! -s "$state/cluster-id" ]]; then
    echo "local-$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$state/cluster-id"
  fi
  cat "$state/cluster-id"
}

rotate_log() {
  [[ -f "$logs/$1.log" ]] && mv -f "$logs/$1.log" "$logs/$1.previous.log"
  : >"$logs/$1.log"
}

# Starts `dotnet DLL` in its own session (Ctrl+C on run.sh's terminal does not reach it), with
# stdin from /dev/null and output to its log, and records its PID.
launch() {
  local name="$1" dir="$2" dll="$3"
  shift 3
  rotate_log "$name"
  (cd "$dir" && exec setsid env "$@" dotnet "$dll") </dev/null >>"$logs/$name.log" 2>&1 8>&- &
  local pid=$!
  record_pid "$name" "$pid"
  say "started $name (pid $pid, log $logs/$name.log)"
}

fail_start() {
  local name="$1" message="$2"
  warn "$message"
  if [[ -n "$name" && -s "$logs/$name.log" ]]; then
    warn "---- last 40 lines of $logs/$name.log ----"
    tail -n 40 "$logs/$name.log" >&2 || true
    warn "----"
  elif [[ -n "$name" ]]; then
    warn "($logs/$name.log is empty so far)"
  fi
  warn "stopping what this run started"
  stop_all >&2 || true
  exit 1
}

wait_ready() {
  local name="$1" url="$2" deadline=$(( SECONDS + start_timeout )) begun=$SECONDS
  while true; do
    if ! live_pid "$name" >/dev/null; then
      fail_start "$name" "$name exited before $url answered"
    fi
    if http_ok "$url"; then
      say "$name is ready ($url, $(( SECONDS - begun )) s)"
      return 0
    fi
    if (( SECONDS >= deadline )); then
      fail_start "$name" "$name: $url did not answer 200 within ${start_timeout} s (ACTORS_START_TIMEOUT)"
    fi
    sleep 0.5
  done
}

build() {
  local log="$logs/build.log" t0=$SECONDS
  : >"$log"
  say "building (Release) into $app ... (log: $log)"

  # ---- web client hook ------------------------------------------------------------------------
  # When a web client exists (WebHost/ClientApp/package.json), build its assets before the WebHost
  # is published, so that they are part of the published output.
  if [[ -f "$repo/WebHost/ClientApp/package.json" ]]; then
    # npm install, not npm ci: the package mirror lacks rollup's binaries for other platforms, so the lockfile cannot list them and npm ci refuses it; install keeps the lockfile's versions.
    say "building the web client (WebHost/ClientApp: npm install && npm run build)"
    (cd "$repo/WebHost/ClientApp" && npm install --no-audit --no-fund && npm run build) </dev/null >>"$log" 2>&1 8>&- \
      || { tail -n 40 "$log" >&2; die "the web client build failed (log: $log)"; }
  fi
  # ---------------------------------------------------------------------------------------------

  rm -rf "$app"
  local project
  for project in Silo WebHost; do
    # Build servers may outlive this command: they get the log, never our stdout or our lock.
    if ! dotnet publish "$repo/$project/$project.csproj" -c Release -o "$app/${project,,}" -nologo \
        </dev/null >>"$log" 2>&1 8>&-; then
      grep -E 'error|Error' "$log" | tail -n 20 >&2 || tail -n 40 "$log" >&2
      die "the build of $project failed (log: $log)"
    fi
  done
  say "built in $(( SECONDS - t0 )) s"
}

start() {
  load_state
  local c live=() dead=()
  for c in $(recorded); do
    if live_pid "$c" >/dev/null; then live+=("$c"); else dead+=("$c"); fi
  done
  if (( ${#live[@]} && ! ${#dead[@]} )) && [[ -f "$run/state.env" ]]; then
    say "already running (pids: $(for c in "${live[@]}"; do printf '%s ' "$(live_pid "$c")"; done))"
    http_ok "$WEBHOST_URL/readyz" || warn "but $WEBHOST_URL/readyz does not answer 200: see $logs/ (or: scripts/run.sh stop && scripts/run.sh)"
    print_urls
    return 0
  fi
  if (( ${#live[@]} || ${#dead[@]} )) || [[ -f "$run/state.env" ]]; then
    warn "a previous start is only partly running (${dead[*]:-} exited): stopping the rest and starting again"
    stop_all >&2
    load_state
  fi

  trap 'trap - INT TERM; warn "interrupted"; stop_all >&2 || true; exit 130' INT TERM

  if [[ "${ACTORS_SKIP_BUILD:-}" == 1 ]]; then
    [[ -f "$app/silo/Silo.dll" && -f "$app/webhost/WebHost.dll" ]] || die "ACTORS_SKIP_BUILD=1 but nothing is published under $app"
    say "ACTORS_SKIP_BUILD=1: starting the binaries in $app"
  else
    build
  fi

  CLUSTER_ID="$(cluster_id)"
  OPERATOR_EMAILS="$operator_emails"
  local key
  key="$(signing_key)"
  POSTGRES="" POSTGRES_STARTED=0 PG_DATA=""

  # WebHost port: ACTORS_PORT (default 8080), or a free one when it is taken.
  local requested="${ACTORS_PORT:-8080}" web_port
  [[ "$requested" =~ ^[0-9]+$ ]] && (( requested > 0 && requested < 65536 )) || die "ACTORS_PORT must be a port number (got '$requested')"
  pick_port web_port "$requested"
  if [[ "$web_port" != "$requested" ]]; then
    warn "port $requested is busy: the WebHost uses port $web_port instead"
  fi
  WEBHOST_URL="http://127.0.0.1:$web_port"

  if [[ -n "${ACTORS_POSTGRES:-}" ]]; then
    MODE=cluster
    POSTGRES="$ACTORS_POSTGRES"
    say "PostgreSQL: external (ACTORS_POSTGRES)"
  elif [[ -x "$pg_bin/pg_ctl" ]]; then
    MODE=cluster
    PG_DATA="$pg_dir"
    if postgres_sh status >/dev/null 2>&1; then
      say "PostgreSQL in $pg_dir already runs (not started by this run: run.sh stop leaves it)"
    else
      say "starting PostgreSQL in $pg_dir"
      POSTGRES_STARTED=1
    fi
    POSTGRES="$(postgres_sh start | tail -n 1)" || die "could not start PostgreSQL (scripts/postgres.sh with ACTORS_PG_DIR=$pg_dir)"
  else
    MODE=embedded
  fi

  mkdir -p "$run"
  write_state   # from here on, `run.sh stop` knows what to stop

  if [[ "$MODE" == embedded ]]; then
    warn ""
    warn "##########################################################################################"
    warn "WARNING: no PostgreSQL server binaries in $pg_bin and ACTORS_POSTGRES is not set."
    warn "WARNING: starting ONE WebHost in Embedded mode on IN-MEMORY storage: nothing is persisted,"
    warn "WARNING: everything is lost when it stops. For the full setup install PostgreSQL 15"
    warn "WARNING: (apt-get install postgresql-15) or set ACTORS_POSTGRES to a server's connection string."
    warn "##########################################################################################"
    warn ""
    launch webhost "$app/webhost" WebHost.dll -u ConnectionStrings__Postgres \
      ASPNETCORE_URLS="$WEBHOST_URL" \
      Actors__Cluster__Mode=Embedded \
      Actors__Cluster__ClusterId="$CLUSTER_ID" \
      Actors__Cluster__ListenAddress=127.0.0.1 \
      Actors__Cluster__AdvertisedHost=127.0.0.1 \
      Actors__Cluster__SiloPort=0 \
      Actors__Cluster__GatewayPort=0 \
      Actors__Auth__SigningKey="$key" \
      Actors__Bootstrap__OperatorEmails="$OPERATOR_EMAILS"
    wait_ready webhost "$WEBHOST_URL/readyz"
    print_urls
    return 0
  fi

  say "applying migrations (dotnet Silo.dll migrate)"
  rotate_log migrate
  if ! (cd "$app/silo" && ConnectionStrings__Postgres="$POSTGRES" dotnet Silo.dll migrate) </dev/null >>"$logs/migrate.log" 2>&1 8>&-; then
    fail_start migrate "migrations failed"
  fi

  local n silo_port gateway_port http_port
  for n in 1 2; do
    pick_port silo_port $(( 11110 + n ))
    pick_port gateway_port $(( 29999 + n ))
    pick_port http_port $(( 8080 + n ))
    printf -v "SILO${n}_URL" '%s' "http://127.0.0.1:$http_port"
    launch "silo$n" "$app/silo" Silo.dll \
      ConnectionStrings__Postgres="$POSTGRES" \
      Actors__Cluster__ClusterId="$CLUSTER_ID" \
      Actors__Cluster__ListenAddress=127.0.0.1 \
      Actors__Cluster__AdvertisedHost=127.0.0.1 \
      Actors__Cluster__SiloPort="$silo_port" \
      Actors__Cluster__GatewayPort="$gateway_port" \
      Actors__Cluster__HttpPort="$http_port" \
      Actors__Silo__SiloName="silo-$n"
  done
  write_state
  wait_ready silo1 "$SILO1_URL/readyz"
  wait_ready silo2 "$SILO2_URL/readyz"

  # The client looks up the silos' gateways when it starts: only once they are Active.
  launch webhost "$app/webhost" WebHost.dll \
    ASPNETCORE_URLS="$WEBHOST_URL" \
    ConnectionStrings__Postgres="$POSTGRES" \
    Actors__Cluster__Mode=Client \
    Actors__Cluster__ClusterId="$CLUSTER_ID" \
    Actors__Auth__SigningKey="$key" \
    Actors__Bootstrap__OperatorEmails="$OPERATOR_EMAILS"
  wait_ready webhost "$WEBHOST_URL/readyz"
  if [[ "$POSTGRES_STARTED" == 1 && -f "$PG_DATA/postmaster.pid" ]]; then
    record_pid postgres "$(head -n 1 "$PG_DATA/postmaster.pid")"
  fi
  trap - INT TERM
  print_urls
}

# ---------------------------------------------------------------------------------------------

mkdir -p "$run" "$logs"
chmod 700 "$run"

case "$cmd" in
  start|stop)
    # One start or stop at a time per state directory.
    exec 8>"$run/lock"
    flock -w 900 8 || die "another scripts/run.sh holds $run/lock"
    if [[ "$cmd" == start ]]; then start; else stop_all; fi
    ;;
  status) status ;;
  -h|--help|help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//' ;;
  *) usage ;;
esac
