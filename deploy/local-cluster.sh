#!/usr/bin/env bash
# Runs a Warren cluster of N nodes plus its own PostgreSQL on this machine, for trying failover by hand.
#
#   deploy/local-cluster.sh up N [--base-port P] [--remote-base R] [--management-base H]
#                                [--pekko-management-base K] [--min-members M] [--supervise] [--build]
#   deploy/local-cluster.sh status
#   deploy/local-cluster.sh kill I        # kill -9 node I (a crash, not a graceful leave); supervised: its JVM only
#   deploy/local-cluster.sh start I       # restart node I with the settings of the last `up`
#   deploy/local-cluster.sh stop I        # graceful stop of node I (SIGTERM, then -9 after a timeout)
#   deploy/local-cluster.sh down          # stop every node and PostgreSQL
#   deploy/local-cluster.sh logs I [-f]   # show node I's log
#   deploy/local-cluster.sh psql          # psql shell on the cluster's database
#   deploy/local-cluster.sh up N --pg-standby   # PostgreSQL primary + synchronous standby (port 5500)
#   deploy/local-cluster.sh pg-failover   # kill -9 the PostgreSQL primary and promote the standby
#
# Node i (1-based) listens on AMQP P-1+i (P=5672 by default), Pekko remoting R+i (R=25520), management HTTP
# H+i-1 (H=15672) and Pekko Management (/ready, /alive) K+i-1 (K=7626); its data and log live in
# deploy/work/node-i. --supervise runs each node under a supervisor that starts it again whenever it exits with a
# non-zero code (a crash, or downed by the cluster), as Kubernetes or compose's restart: on-failure do; a node
# that exits with 0 (stop I, down) stays down.
# PostgreSQL is a private cluster under deploy/work/pg on 127.0.0.1:5499 (database, user and password
# "warren"), started with the Debian `postgresql` binaries; no other PostgreSQL on the machine is touched.
# All state lives under deploy/work; PIDs are in deploy/work/*.pid. Every command is idempotent.
#
# Environment overrides:
#   WARREN_LAUNCH_CMD     command that starts one node in the foreground (default: bin/warren start if it
#                         exists, else java -cp <module classes + Maven dependency classpath> io.warren.server.Main)
#   WARREN_JAVA_OPTS      JVM options per node (default: -Xms64m -Xmx512m)
#   WARREN_START_TIMEOUT  seconds to wait for a node's AMQP port (default 90)
#   WARREN_MGMT_USER / WARREN_MGMT_PASSWORD   management API credentials for `status` (default guest/guest)
#   WARREN_PG_PORT        PostgreSQL port (default 5499)
#   WARREN_LOCAL_WORK     state directory (default deploy/work; the tests use their own)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${WARREN_LOCAL_WORK:-$ROOT/deploy/work}"
SETTINGS="$WORK/cluster.env"
SCHEMA="$ROOT/deploy/postgres/schema.sql"

PG_PORT="${WARREN_PG_PORT:-5499}"
PG_DIR="$WORK/pg"
PG_DATA="$PG_DIR/data"
PG_SOCKET_DIR="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"
PG_PIDFILE="$WORK/postgres.pid"
PG_DB=warren PG_USER=warren PG_PASSWORD=warren
# --pg-standby: a streaming-replication standby of the primary, synchronous (synchronous_commit = on,
# synchronous_standby_names = 'standby1'); the nodes use a multi-host URL that finds whichever is primary.
PG_STANDBY_PORT=$(( PG_PORT + 1 ))
PG_STANDBY_DIR="$WORK/pg-standby"
PG_STANDBY=0

REMOTE_BASE=25520 MGMT_BASE=15672 PEKKO_MGMT_BASE=7626 SUPERVISE=0
START_TIMEOUT="${WARREN_START_TIMEOUT:-90}"
STOP_TIMEOUT=30

say()  { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- ports of node i

amqp_port()       { echo $(( BASE_PORT - 1 + $1 )); }
remote_port()     { echo $(( REMOTE_BASE + $1 )); }
mgmt_port()       { echo $(( MGMT_BASE + $1 - 1 )); }
pekko_mgmt_port() { echo $(( PEKKO_MGMT_BASE + $1 - 1 )); }

is_listening() {
  if command -v ss >/dev/null; then
    [[ -n "$(ss -ltnH "sport = :$1" 2>/dev/null)" ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# ---------------------------------------------------------------- settings of the last `up`

load_settings() {
  [[ -f "$SETTINGS" ]] || return 1
  # shellcheck disable=SC1090
  source "$SETTINGS"
}

save_settings() {
  mkdir -p "$WORK"
  printf 'NODES=%s\nBASE_PORT=%s\nMIN_MEMBERS=%s\nREMOTE_BASE=%s\nMGMT_BASE=%s\nPEKKO_MGMT_BASE=%s\nSUPERVISE=%s\n' \
    "$NODES" "$BASE_PORT" "$MIN_MEMBERS" "$REMOTE_BASE" "$MGMT_BASE" "$PEKKO_MGMT_BASE" "$SUPERVISE" > "$SETTINGS"
  printf 'PG_STANDBY=%s\n' "$PG_STANDBY" >> "$SETTINGS"
}

require_settings() {
  load_settings || die "no cluster has been set up yet: run '$0 up N' first"
}

check_node_index() {
  [[ "$1" =~ ^[1-9][0-9]*$ ]] || die "node index must be a positive number, got '$1'"
  (( $1 <= NODES )) || die "node $1 does not exist: the cluster has $NODES node(s) (nodes 1..$NODES)"
}

# ---------------------------------------------------------------- processes

node_pidfile() { echo "$WORK/node-$1.pid"; }
node_dir()     { echo "$WORK/node-$1"; }

# A PID file holds "PID STARTTIME": a node is ours if that PID still runs and started at that time (field 22 of
# /proc/PID/stat, which an exec does not change), so a PID file left over from a previous boot never makes us
# signal an unrelated process that reused the PID. (The environment is no proof: a node's process shows its
# parent's environment until it has exec'd, which on a loaded host can take seconds.)
start_time() {
  local stat; stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  local fields; read -ra fields <<< "$stat"
  echo "${fields[19]}"
}

node_pid() {
  local f; f="$(node_pidfile "$1")"
  [[ -f "$f" ]] || return 1
  local pid started
  read -r pid started < "$f" || true
  [[ "$pid" =~ ^[0-9]+$ ]] && pid_alive "$pid" || return 1
  [[ -z "${started:-}" || "$(start_time "$pid")" == "$started" ]] || return 1
  echo "$pid"
}

# The node's JVM (or launcher) under a supervisor, as the supervisor last wrote it; else the node itself.
node_child_pid() {
  local pid; pid="$(node_pid "$1")" || return 1
  local child; child="$(cat "$(node_dir "$1")/child.pid" 2>/dev/null || true)"
  if [[ "$child" =~ ^[0-9]+$ ]] && pid_alive "$child"; then echo "$child"; else echo "$pid"; fi
}

# Nodes are started with setsid, so the PID is also the process group: signalling the group also reaches
# a JVM that a wrapper script (bin/warren) started as its child.
signal_group() { kill "-$1" -- "-$2" 2>/dev/null || kill "-$1" "$2" 2>/dev/null || true; }

# kill -0 also succeeds on zombies, which a container's PID 1 may never reap: those count as gone.
pid_alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat%% *}" != Z ]]
}

group_alive() {
  pid_alive "$1" && return 0
  local f stat fields
  for f in /proc/[0-9]*/stat; do
    stat="$(cat "$f" 2>/dev/null)" || continue
    read -ra fields <<< "${stat##*) }"   # state ppid pgrp ...
    [[ "${fields[2]}" == "$1" && "${fields[0]}" != Z ]] && return 0
  done
  return 1
}

# Signals a process and its descendants (bin/warren runs the JVM by exec, so usually one process).
pkill_tree() {
  local sig=$1 pid=$2 kid
  for kid in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do pkill_tree "$sig" "$kid"; done
  kill "-$sig" "$pid" 2>/dev/null || true
}

wait_group_gone() {
  local pid=$1 seconds=$2 waited=0
  while group_alive "$pid"; do
    (( waited >= seconds * 10 )) && return 1
    sleep 0.1; waited=$(( waited + 1 ))
  done
}

# ---------------------------------------------------------------- PostgreSQL

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [[ -x "$d/pg_ctl" ]] && { echo "$d"; return 0; }
  done
  return 1
}

ensure_pg_installed() {
  pg_bindir >/dev/null && return 0
  [[ "$(id -u)" == 0 ]] || die "PostgreSQL is not installed; install Debian's 'postgresql' package (apt-get install postgresql)"
  say "PostgreSQL is not installed: installing Debian's postgresql package..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null || {
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; } \
    || die "apt-get install postgresql failed"
  pg_bindir >/dev/null || die "postgresql installed but no /usr/lib/postgresql/*/bin/pg_ctl found"
}

# PostgreSQL refuses to run as root: as root we run it as the 'postgres' system user.
as_pg_owner() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running() {
  [[ -f "$PG_DATA/postmaster.pid" ]] && as_pg_owner "$(pg_bindir)/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

pg_pid() { head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null; }

pg_psql() { # pg_psql USER DB ARGS...
  local user=$1 db=$2; shift 2
  as_pg_owner "$(pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$user" -d "$db" "$@"
}

pg_up() {
  ensure_pg_installed
  local bin; bin="$(pg_bindir)"
  mkdir -p "$PG_DIR" "$PG_SOCKET_DIR"
  if [[ "$(id -u)" == 0 ]]; then
    id postgres >/dev/null 2>&1 || die "no 'postgres' system user to run PostgreSQL as"
    chown -R postgres: "$PG_DIR"
  fi
  if pg_running; then
    say "PostgreSQL already running (pid $(pg_pid), 127.0.0.1:$PG_PORT)"
  else
    if is_listening "$PG_PORT"; then
      die "port $PG_PORT is taken by another process; set WARREN_PG_PORT to a free port (this script never touches another PostgreSQL)"
    fi
    if [[ ! -s "$PG_DATA/PG_VERSION" ]]; then
      say "initialising PostgreSQL cluster in $PG_DATA"
      as_pg_owner "$bin/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 \
        || die "initdb failed, see $PG_DIR/initdb.log"
    fi
    say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_pg_owner "$bin/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
      -o "-p $PG_PORT -k $PG_SOCKET_DIR -c listen_addresses=127.0.0.1" >/dev/null \
      || die "PostgreSQL did not start, see $PG_LOG"
  fi
  pg_pid > "$PG_PIDFILE"
  if [[ -z "$(pg_psql postgres postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" ]]; then
    pg_psql postgres postgres -c "CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD'"
  fi
  if [[ -z "$(pg_psql postgres postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" ]]; then
    pg_psql postgres postgres -c "CREATE DATABASE $PG_DB OWNER $PG_USER"
    say "created database $PG_DB (user $PG_USER / $PG_PASSWORD)"
  fi
  # Fed on stdin so the postgres user needs no read access to the checkout.
  pg_psql "$PG_USER" "$PG_DB" -c "SET client_min_messages = warning" -f - < "$SCHEMA" \
    || die "applying $SCHEMA failed"
}

pg_url() {
  if (( PG_STANDBY )); then
    echo "jdbc:postgresql://127.0.0.1:$PG_PORT,127.0.0.1:$PG_STANDBY_PORT/$PG_DB?targetServerType=primary"
  else
    echo "jdbc:postgresql://127.0.0.1:$PG_PORT/$PG_DB"
  fi
}

# The standby: a pg_basebackup of the primary, streaming from it; the primary then waits for it on every commit.
pg_standby_up() {
  local bin; bin="$(pg_bindir)"
  local data="$PG_STANDBY_DIR/data" run="$PG_STANDBY_DIR/run"
  mkdir -p "$run"; [[ "$(id -u)" == 0 ]] && chown -R postgres: "$PG_STANDBY_DIR"
  if [[ -f "$data/postmaster.pid" ]] && as_pg_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1; then
    say "PostgreSQL standby already running (127.0.0.1:$PG_STANDBY_PORT)"; return 0
  fi
  if [[ ! -s "$data/PG_VERSION" ]]; then
    say "cloning the primary into the standby ($data)"
    as_pg_owner "$bin/pg_basebackup" -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -D "$data" -R -X stream \
      >"$PG_STANDBY_DIR/basebackup.log" 2>&1 || die "pg_basebackup failed, see $PG_STANDBY_DIR/basebackup.log"
    printf "primary_conninfo = 'host=%s port=%s user=postgres application_name=standby1'\n" "$PG_SOCKET_DIR" "$PG_PORT" \
      | as_pg_owner tee -a "$data/postgresql.auto.conf" >/dev/null
  fi
  as_pg_owner "$bin/pg_ctl" start -D "$data" -l "$PG_STANDBY_DIR/postgres.log" -w -t 60 \
    -o "-p $PG_STANDBY_PORT -k $run -c listen_addresses=127.0.0.1" >/dev/null \
    || die "the standby did not start, see $PG_STANDBY_DIR/postgres.log"
  pg_psql postgres postgres -c "ALTER SYSTEM SET synchronous_standby_names = 'standby1'" \
    -c "ALTER SYSTEM SET synchronous_commit = on" -c "SELECT pg_reload_conf()" >/dev/null
  say "PostgreSQL standby on 127.0.0.1:$PG_STANDBY_PORT, synchronous"
}

cmd_pg_failover() {
  require_settings
  (( PG_STANDBY )) || die "no standby: start the cluster with '$0 up N --pg-standby'"
  local pid; pid="$(pg_pid)"; [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null && say "killed the PostgreSQL primary (pid $pid)"
  as_pg_owner "$(pg_bindir)/pg_ctl" promote -D "$PG_STANDBY_DIR/data" -w >/dev/null || die "promoting the standby failed"
  say "promoted the standby on 127.0.0.1:$PG_STANDBY_PORT: it is the primary now (nodes find it through the multi-host URL)"
}

pg_down() {
  if [[ -f "$PG_STANDBY_DIR/data/postmaster.pid" ]]; then
    as_pg_owner "$(pg_bindir)/pg_ctl" stop -D "$PG_STANDBY_DIR/data" -m fast -w >/dev/null 2>&1 || true
  fi
  if ! pg_bindir >/dev/null || ! pg_running; then
    say "PostgreSQL is not running"
    rm -f "$PG_PIDFILE"
    return 0
  fi
  local pid; pid="$(pg_pid)"
  say "stopping PostgreSQL (pid $pid)"
  if ! as_pg_owner "$(pg_bindir)/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "$STOP_TIMEOUT" >/dev/null 2>&1; then
    warn "PostgreSQL did not stop in ${STOP_TIMEOUT}s: kill -9 $pid"
    kill -9 "$pid" 2>/dev/null || true
    # Backends exit by themselves once the postmaster is gone.
    wait_group_gone "$pid" 10 || true
  fi
  rm -f "$PG_PIDFILE"
}

# ---------------------------------------------------------------- how a node is launched

# Module classes straight from target/classes plus the Maven-resolved dependency jars, so that a
# `mvn compile` is enough to try a change; cached until a pom.xml changes.
java_classpath() {
  local cache="$WORK/classpath.txt" m
  local poms; poms="$(find "$ROOT" -name pom.xml -not -path '*/target/*' -not -path "$WORK/*")"
  if [[ ! -s "$cache" ]] || [[ -n "$(find $poms -newer "$cache" 2>/dev/null)" ]]; then
    say "resolving the server's dependency classpath with Maven (cached in $cache)..." >&2
    (cd "$ROOT" && mvn -B -q -Dstyle.color=never -o -pl src/server -am dependency:build-classpath \
        -Dmdep.outputFile="$cache.tmp" -Dmdep.includeScope=runtime -DexcludeGroupIds=io.warren >&2) \
      || (cd "$ROOT" && mvn -B -q -Dstyle.color=never -pl src/server -am dependency:build-classpath \
        -Dmdep.outputFile="$cache.tmp" -Dmdep.includeScope=runtime -DexcludeGroupIds=io.warren >&2) \
      || die "mvn dependency:build-classpath failed"
    mv "$cache.tmp" "$cache"
  fi
  local cp=""
  for m in server broker core amqp; do
    [[ -d "$ROOT/src/$m/target/classes" ]] \
      || die "src/$m is not compiled: run 'mvn -B -q -DskipTests -pl src/server -am package' (or '$0 up N --build')"
    cp+="$ROOT/src/$m/target/classes:"
  done
  echo "$cp$(<"$cache")"
}

# Sets LAUNCH_CMD to the command that runs one node in the foreground.
set_launch_command() {
  if [[ -n "${WARREN_LAUNCH_CMD:-}" ]]; then
    read -ra LAUNCH_CMD <<< "$WARREN_LAUNCH_CMD"
  elif [[ -x "$ROOT/bin/warren" ]]; then
    # bin/warren turns -D arguments into system properties and reads WARREN_JAVA_OPTS.
    LAUNCH_CMD=("$ROOT/bin/warren" start "${NODE_SYSPROPS[@]}")
  else
    [[ -n "${CLASSPATH_CACHE:-}" ]] || CLASSPATH_CACHE="$(java_classpath)" || exit 1
    # shellcheck disable=SC2206
    LAUNCH_CMD=(java $JAVA_HEAP_OPTS "${NODE_SYSPROPS[@]}" -cp "$CLASSPATH_CACHE" io.warren.server.Main)
  fi
}

seed_nodes() {
  local n=$(( NODES < 3 ? NODES : 3 )) i seeds=()
  for (( i = 1; i <= n; i++ )); do seeds+=("pekko://warren@127.0.0.1:$(remote_port "$i")"); done
  (IFS=,; echo "${seeds[*]}")
}

uses_bin_warren() { [[ -z "${WARREN_LAUNCH_CMD:-}" && -x "$ROOT/bin/warren" ]]; }

# bin/warren builds on first use; N nodes starting at once must not run N Maven builds in one checkout,
# so build (if stale) once, up front: `start --help` builds when needed, then only prints the options.
prepare_bin_warren() {
  uses_bin_warren || return 0
  mkdir -p "$WORK"
  if ! "$ROOT/bin/warren" start --help > "$WORK/build.log" 2>&1; then
    tail -n 20 "$WORK/build.log" | sed 's/^/    /' >&2
    die "bin/warren could not build or run the server (full output in $WORK/build.log)"
  fi
}

build_modules() {
  if uses_bin_warren; then
    say "building: bin/warren build"
    "$ROOT/bin/warren" build || die "build failed"
    return
  fi
  say "building: mvn -B -q -DskipTests -pl src/server -am package"
  (cd "$ROOT" && mvn -B -q -Dstyle.color=never -o -DskipTests -pl src/server -am package) \
    || (cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -pl src/server -am package) || die "build failed"
}

# ---------------------------------------------------------------- nodes

start_node() {
  local i=$1 pid
  if pid="$(node_pid "$i")"; then
    say "node $i already running (pid $pid, amqp $(amqp_port "$i"))"
    return 0
  fi
  local p
  for p in "$(amqp_port "$i")" "$(remote_port "$i")" "$(mgmt_port "$i")" "$(pekko_mgmt_port "$i")"; do
    is_listening "$p" && die "node $i: port $p is already in use by another process"
  done
  local dir; dir="$(node_dir "$i")"
  mkdir -p "$dir/data"
  local seeds; seeds="$(seed_nodes)"

  # Settings go in twice: as the WARREN_* environment the server documents, and as -D system properties
  # (HOCON paths), which also reach the Pekko settings that have no WARREN_* variable.
  NODE_SYSPROPS=(
    "-Dwarren.node-name=node-$i"
    "-Dwarren.data-dir=$dir/data"
    "-Dwarren.amqp.port=$(amqp_port "$i")"
    "-Dwarren.management.port=$(mgmt_port "$i")"
    "-Dwarren.persistence.backend=postgres"
    "-Dwarren.persistence.postgres.url=$(pg_url)"
    "-Dwarren.persistence.postgres.user=$PG_USER"
    "-Dwarren.persistence.postgres.password=$PG_PASSWORD"
    "-Dwarren.cluster.remote-host=127.0.0.1"
    "-Dwarren.cluster.remote-port=$(remote_port "$i")"
    "-Dwarren.cluster.min-nr-of-members=$MIN_MEMBERS"
    "-Dpekko.management.http.hostname=127.0.0.1"
    "-Dpekko.management.http.port=$(pekko_mgmt_port "$i")"
    "-Dpekko.management.http.bind-hostname=127.0.0.1"
  )
  local k=0 s
  IFS=, read -ra s <<< "$seeds"
  for (( k = 0; k < ${#s[@]}; k++ )); do NODE_SYSPROPS+=("-Dwarren.cluster.seed-nodes.$k=${s[$k]}"); done
  JAVA_HEAP_OPTS="${WARREN_JAVA_OPTS:--Xms64m -Xmx512m}"

  set_launch_command
  local cmd=("${LAUNCH_CMD[@]}")

  local log="$dir/node.log"
  printf '\n===== %s: starting node %s: %s\n' "$(date -Is)" "$i" "${cmd[*]}" >> "$log"
  (
    cd "$dir"
    export WARREN_LOCAL_CLUSTER_NODE="$dir"
    export WARREN_NODE_NAME="node-$i"
    export WARREN_DATA_DIR="$dir/data"
    export WARREN_AMQP_PORT="$(amqp_port "$i")"
    export WARREN_MANAGEMENT_PORT="$(mgmt_port "$i")"
    export WARREN_PERSISTENCE_BACKEND=postgres
    export WARREN_POSTGRES_URL="$(pg_url)"
    export WARREN_POSTGRES_USER="$PG_USER"
    export WARREN_POSTGRES_PASSWORD="$PG_PASSWORD"
    export WARREN_SEED_NODES="$seeds"
    export WARREN_REMOTE_HOST=127.0.0.1
    export WARREN_REMOTE_PORT="$(remote_port "$i")"
    export WARREN_MIN_NR_OF_MEMBERS="$MIN_MEMBERS"
    export WARREN_PEKKO_MANAGEMENT_PORT="$(pekko_mgmt_port "$i")"
    export WARREN_JAVA_OPTS="$JAVA_HEAP_OPTS"
    if (( SUPERVISE )); then
      exec setsid bash -c '
        log=$1 childfile=$2; shift 2
        trap "kill -TERM \$child 2>/dev/null; wait \$child; exit 0" TERM INT
        while true; do
          "$@" >> "$log" 2>&1 < /dev/null &
          child=$!; echo "$child" > "$childfile"
          wait "$child"; code=$?
          (( code == 0 )) && exit 0
          printf "\n===== %s: supervisor: node exited with code %s, starting it again in 1 s\n" "$(date -Is)" "$code" >> "$log"
          sleep 1
        done' supervisor "$log" "$dir/child.pid" "${cmd[@]}" >> "$log" 2>&1 < /dev/null
    fi
    exec setsid "${cmd[@]}" >> "$log" 2>&1 < /dev/null
  ) &
  pid=$!
  echo "$pid $(start_time "$pid")" > "$(node_pidfile "$i")"
  say "started node $i (pid $pid$( (( SUPERVISE )) && echo ", supervised")): amqp $(amqp_port "$i"), remoting $(remote_port "$i"), management $(mgmt_port "$i"), pekko-management $(pekko_mgmt_port "$i"); log $log"
}

# Waits until each given node listens on its AMQP port, or dies, or the timeout passes.
wait_nodes_up() {
  local pending=("$@") deadline=$(( SECONDS + START_TIMEOUT )) failed=0 i still
  say "waiting up to ${START_TIMEOUT}s for AMQP ports..."
  while (( ${#pending[@]} > 0 )); do
    still=()
    for i in "${pending[@]}"; do
      if ! node_pid "$i" >/dev/null; then
        say "node $i exited during start-up; last lines of $(node_dir "$i")/node.log:"
        tail -n 15 "$(node_dir "$i")/node.log" | sed 's/^/    /'
        rm -f "$(node_pidfile "$i")"
        failed=1
      elif is_listening "$(amqp_port "$i")"; then
        say "node $i is up: amqp://guest:guest@127.0.0.1:$(amqp_port "$i")"
      else
        still+=("$i")
      fi
    done
    pending=("${still[@]+"${still[@]}"}")
    (( ${#pending[@]} == 0 )) && break
    if (( SECONDS >= deadline )); then
      say "still not listening after ${START_TIMEOUT}s (left running; see '$0 status' and their logs): node(s) ${pending[*]}"
      return 1
    fi
    sleep 0.5
  done
  return $failed
}

stop_nodes() { # stop_nodes SIGNAL_FIRST INDEX...
  local pids=() idx=() i pid
  for i in "$@"; do
    if pid="$(node_pid "$i")"; then
      say "stopping node $i (pid $pid, SIGTERM)"
      signal_group TERM "$pid"
      pids+=("$pid"); idx+=("$i")
    else
      rm -f "$(node_pidfile "$i")"
    fi
  done
  local k
  for k in "${!pids[@]}"; do
    if ! wait_group_gone "${pids[$k]}" "$STOP_TIMEOUT"; then
      warn "node ${idx[$k]} did not stop within ${STOP_TIMEOUT}s: kill -9"
      signal_group KILL "${pids[$k]}"
      wait_group_gone "${pids[$k]}" 10 || warn "node ${idx[$k]} (pid ${pids[$k]}) is still alive after kill -9"
    fi
    rm -f "$(node_pidfile "${idx[$k]}")"
    say "node ${idx[$k]} stopped"
  done
  return 0
}

# Every node index with a PID file, including ones from an earlier, larger `up`.
known_nodes() {
  local f
  for f in "$WORK"/node-*.pid; do
    [[ -e "$f" ]] || continue
    f="${f##*/node-}"; echo "${f%.pid}"
  done | sort -n
}

# ---------------------------------------------------------------- commands

cmd_up() {
  local n="" base=5672 min="" build=0 supervise=0 standby=0
  local remote_base=$REMOTE_BASE mgmt_base=$MGMT_BASE pekko_mgmt_base=$PEKKO_MGMT_BASE
  while (( $# > 0 )); do
    case "$1" in
      --remote-base) [[ $# -ge 2 ]] || die "--remote-base needs a value"; remote_base=$2; shift 2 ;;
      --remote-base=*) remote_base=${1#*=}; shift ;;
      --management-base) [[ $# -ge 2 ]] || die "--management-base needs a value"; mgmt_base=$2; shift 2 ;;
      --management-base=*) mgmt_base=${1#*=}; shift ;;
      --pekko-management-base) [[ $# -ge 2 ]] || die "--pekko-management-base needs a value"; pekko_mgmt_base=$2; shift 2 ;;
      --pekko-management-base=*) pekko_mgmt_base=${1#*=}; shift ;;
      --supervise) supervise=1; shift ;;
      --base-port) [[ $# -ge 2 ]] || die "--base-port needs a value"; base=$2; shift 2 ;;
      --base-port=*) base=${1#*=}; shift ;;
      --min-members) [[ $# -ge 2 ]] || die "--min-members needs a value"; min=$2; shift 2 ;;
      --min-members=*) min=${1#*=}; shift ;;
      --build) build=1; shift ;;
      --pg-standby) standby=1; shift ;;
      -*) die "unknown option $1" ;;
      *) [[ -z "$n" ]] || die "unexpected argument $1"; n=$1; shift ;;
    esac
  done
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "usage: $0 up N [--base-port P] [--min-members M] [--build]"
  [[ "$base" =~ ^[0-9]+$ ]] && (( base >= 1024 && base + n - 1 <= 65535 )) || die "bad --base-port $base"
  [[ "$remote_base" =~ ^[0-9]+$ ]] && (( remote_base >= 1023 && remote_base + n <= 65535 )) || die "bad --remote-base $remote_base"
  [[ "$mgmt_base" =~ ^[0-9]+$ ]] && (( mgmt_base >= 1024 && mgmt_base + n - 1 <= 65535 )) || die "bad --management-base $mgmt_base"
  [[ "$pekko_mgmt_base" =~ ^[0-9]+$ ]] && (( pekko_mgmt_base >= 1024 && pekko_mgmt_base + n - 1 <= 65535 )) \
    || die "bad --pekko-management-base $pekko_mgmt_base"
  # Wait for a majority before any node becomes Up (else every shard lands on node 1), but no more: the shard
  # coordinator re-checks min-nr-of-members whenever it moves, so N would stall failover after one node dies.
  min=${min:-$(( n / 2 + 1 ))}
  [[ "$min" =~ ^[1-9][0-9]*$ ]] && (( min <= n )) || die "--min-members must be between 1 and $n"

  if load_settings; then
    local running=() i
    for i in $(known_nodes); do node_pid "$i" >/dev/null && running+=("$i"); done
    if (( ${#running[@]} > 0 )) && [[ "$NODES $BASE_PORT $MIN_MEMBERS $REMOTE_BASE $MGMT_BASE $PEKKO_MGMT_BASE $SUPERVISE" \
        != "$n $base $min $remote_base $mgmt_base $pekko_mgmt_base $supervise" ]]; then
      die "a cluster is running with other settings ($NODES node(s), base port $BASE_PORT, min-members $MIN_MEMBERS, remote base $REMOTE_BASE, management base $MGMT_BASE, pekko-management base $PEKKO_MGMT_BASE, supervise $SUPERVISE; running: ${running[*]}); run '$0 down' first"
    fi
  fi
  NODES=$n BASE_PORT=$base MIN_MEMBERS=$min SUPERVISE=$supervise PG_STANDBY=$standby
  REMOTE_BASE=$remote_base MGMT_BASE=$mgmt_base PEKKO_MGMT_BASE=$pekko_mgmt_base
  save_settings
  (( build )) && build_modules
  prepare_bin_warren

  pg_up
  (( PG_STANDBY )) && pg_standby_up
  local i
  for (( i = 1; i <= NODES; i++ )); do start_node "$i"; done
  local all=(); for (( i = 1; i <= NODES; i++ )); do all+=("$i"); done
  if wait_nodes_up "${all[@]}"; then
    say "cluster of $NODES node(s) is up; '$0 status' shows which node owns each queue"
  else
    die "not every node came up; '$0 status' and deploy/work/node-*/node.log tell more ('$0 down' cleans up)"
  fi
}

cmd_start() {
  [[ $# -eq 1 ]] || die "usage: $0 start I"
  require_settings; check_node_index "$1"
  prepare_bin_warren
  pg_running || pg_up
  start_node "$1"
  wait_nodes_up "$1" || die "node $1 did not come up"
}

cmd_kill() {
  [[ $# -eq 1 ]] || die "usage: $0 kill I"
  require_settings; check_node_index "$1"
  local pid
  if ! pid="$(node_pid "$1")"; then
    rm -f "$(node_pidfile "$1")"
    say "node $1 is not running"
    return 0
  fi
  if (( SUPERVISE )); then
    # A crash under supervision: only the node's process goes; its supervisor starts it again.
    local child; child="$(node_child_pid "$1")"
    if [[ "$child" != "$pid" ]]; then
      pkill_tree KILL "$child"
      say "killed node $1's process (pid $child) with SIGKILL; its supervisor (pid $pid) starts it again"
      return 0
    fi
  fi
  signal_group KILL "$pid"
  wait_group_gone "$pid" 10 || warn "node $1 (pid $pid) still alive after kill -9"
  rm -f "$(node_pidfile "$1")"
  say "killed node $1 (pid $pid) with SIGKILL; its queues should move to the surviving nodes ('$0 status')"
}

cmd_stop() {
  [[ $# -eq 1 ]] || die "usage: $0 stop I"
  require_settings; check_node_index "$1"
  node_pid "$1" >/dev/null || { rm -f "$(node_pidfile "$1")"; say "node $1 is not running"; return 0; }
  stop_nodes "$1"
}

cmd_down() {
  [[ $# -eq 0 ]] || die "usage: $0 down"
  local nodes; nodes="$(known_nodes)"
  if [[ -n "$nodes" ]]; then
    # shellcheck disable=SC2086
    stop_nodes $nodes
  else
    say "no node is running"
  fi
  pg_down
  say "everything stopped (data kept in $WORK; remove that directory for a fresh start)"
}

cmd_status() {
  [[ $# -eq 0 ]] || die "usage: $0 status"
  if ! load_settings; then
    say "no cluster has been set up ('$0 up N')"
    pg_bindir >/dev/null && pg_running && say "PostgreSQL: running (pid $(pg_pid), 127.0.0.1:$PG_PORT)"
    return 0
  fi
  if pg_bindir >/dev/null && pg_running; then
    say "PostgreSQL: running (pid $(pg_pid), 127.0.0.1:$PG_PORT, database $PG_DB)"
  else
    say "PostgreSQL: not running"
  fi
  say "cluster: $NODES node(s), AMQP base port $BASE_PORT, min-nr-of-members $MIN_MEMBERS"
  printf '%-5s %-8s %-6s %-12s %-12s %-12s %-16s %s\n' NODE PID STATE AMQP REMOTING MANAGEMENT PEKKO-MGMT READY
  local i pid state port mark ready reachable=0
  STATUS_TMP="$(mktemp -d)"
  trap 'rm -rf "$STATUS_TMP"' EXIT
  local tmp="$STATUS_TMP"
  for (( i = 1; i <= NODES; i++ )); do
    if pid="$(node_pid "$i")"; then state=alive; else pid=-; state=down; fi
    local cols=()
    for port in "$(amqp_port "$i")" "$(remote_port "$i")" "$(mgmt_port "$i")" "$(pekko_mgmt_port "$i")"; do
      if is_listening "$port"; then mark="$port(up)"; else mark="$port(-)"; fi
      cols+=("$mark")
    done
    ready=-
    if [[ $state == alive ]]; then
      ready="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$(pekko_mgmt_port "$i")/ready" 2>/dev/null || true)"
      case "$ready" in 200) ready=ready ;; 000|"") ready=unreachable ;; *) ready="not-ready($ready)" ;; esac
      if curl -sf --max-time 3 -u "${WARREN_MGMT_USER:-guest}:${WARREN_MGMT_PASSWORD:-guest}" \
          -o "$tmp/node-$i.json" "http://127.0.0.1:$(mgmt_port "$i")/api/queues" 2>/dev/null; then
        reachable=1
      else
        rm -f "$tmp/node-$i.json"
      fi
    fi
    printf '%-5s %-8s %-6s %-12s %-12s %-12s %-16s %s\n' "$i" "$pid" "$state" "${cols[@]}" "$ready"
  done
  say ""
  if (( ! reachable )); then
    say "queues: unknown, no node's management API (GET /api/queues on ports $(mgmt_port 1)..$(mgmt_port "$NODES")) is reachable"
    return 0
  fi
  python3 - "$tmp" <<'PY'
import glob, json, os, sys
queues, sources = {}, []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "node-*.json"))):
    try:
        with open(path) as f:
            data = json.load(f)
    except ValueError as e:
        print(f"  ({os.path.basename(path)}: not JSON: {e})")
        continue
    sources.append(os.path.basename(path)[:-5])
    # Every node answers for the whole cluster; merge in case one is still catching up.
    for q in data if isinstance(data, list) else []:
        queues.setdefault((q.get("vhost", "/"), q.get("name", "?")), q)
print(f"queues (from the management API of {', '.join(sources)}):")
if not queues:
    print("  none")
    sys.exit(0)
print(f"  {'VHOST':<10} {'QUEUE':<32} {'NODE':<16} {'MESSAGES':>9} {'CONSUMERS':>9}")
per_node = {}
for (vhost, name), q in sorted(queues.items()):
    node = str(q.get("node", "?"))
    per_node[node] = per_node.get(node, 0) + 1
    print(f"  {vhost:<10} {name:<32} {node:<16} {str(q.get('messages', '-')):>9} {str(q.get('consumers', '-')):>9}")
print("queues per node: " + ", ".join(f"{n}={c}" for n, c in sorted(per_node.items())))
PY
}

cmd_logs() {
  [[ $# -ge 1 ]] || die "usage: $0 logs I [-f]"
  require_settings; check_node_index "$1"
  local log; log="$(node_dir "$1")/node.log"
  [[ -f "$log" ]] || die "node $1 has no log yet ($log)"
  if [[ "${2:-}" == -f ]]; then exec tail -n 50 -f "$log"; else tail -n 100 "$log"; fi
}

cmd_psql() {
  pg_bindir >/dev/null && pg_running || die "PostgreSQL is not running ('$0 up N' starts it)"
  exec "$(pg_bindir)/psql" "postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB" "$@"
}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | grep '^#' | sed 's/^# \{0,1\}//'; }

main() {
  local cmd="${1:-}"; [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    status) cmd_status "$@" ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    kill) cmd_kill "$@" ;;
    down) cmd_down "$@" ;;
    logs) cmd_logs "$@" ;;
    psql) cmd_psql "$@" ;;
    pg-failover) cmd_pg_failover "$@" ;;
    -h|--help|help) usage ;;
    "") usage; exit 2 ;;
    *) usage >&2; die "unknown command '$cmd'" ;;
  esac
}

main "$@"
