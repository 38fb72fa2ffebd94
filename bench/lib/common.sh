# Shared by run.sh and profile.sh: paths, PerfTest fetching, starting/stopping the two brokers,
# sampling a process's memory. Sourced, not executed. Every process started here is recorded by PID
# and stopped by PID (cleanup_all, installed as an EXIT trap by the callers).

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
WORK_DIR="$BENCH_DIR/work"
LIB_DIR="$WORK_DIR/lib"

# Ports: fixed by the issue so that nobody else's broker (RabbitMQ on 5700, tests, clusters) is touched.
RABBIT_NODE="warren-bench@localhost"
RABBIT_PORT="${BENCH_RABBIT_PORT:-5710}"
RABBIT_DIST_PORT="${BENCH_RABBIT_DIST_PORT:-25710}"
# Our own epmd on its own port, started in the foreground as our child, so that stopping it can never
# unregister someone else's Erlang node.
RABBIT_EPMD_PORT="${BENCH_RABBIT_EPMD_PORT:-24369}"
RABBIT_BASE="$WORK_DIR/rabbitmq"
RABBIT_BIN="${BENCH_RABBIT_BIN:-/usr/lib/rabbitmq/bin}"

WARREN_PORT="${BENCH_WARREN_PORT:-5711}"
WARREN_REMOTE_PORT="${BENCH_WARREN_REMOTE_PORT:-25711}"
WARREN_DATA="$WORK_DIR/warren-data"
WARREN_BIN="${BENCH_WARREN_BIN:-$REPO_DIR/bin/warren}"

START_TIMEOUT="${BENCH_START_TIMEOUT:-90}"

log() { printf '%s [bench] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

broker_uri() {
  case "$1" in
    rabbitmq) echo "${BENCH_RABBIT_URI:-amqp://guest:guest@127.0.0.1:$RABBIT_PORT}" ;;
    warren)   echo "${BENCH_WARREN_URI:-amqp://guest:guest@127.0.0.1:$WARREN_PORT}" ;;
  esac
}

broker_port() {
  case "$1" in
    rabbitmq) echo "$RABBIT_PORT" ;;
    warren)   echo "$WARREN_PORT" ;;
  esac
}

# ---------------------------------------------------------------------------------------------- PerfTest

ensure_perftest() {
  if ! ls "$LIB_DIR"/perf-test-*.jar >/dev/null 2>&1; then
    log "fetching PerfTest into $LIB_DIR"
    mkdir -p "$LIB_DIR"
    (cd "$BENCH_DIR" && mvn -B -q -f pom.xml dependency:copy-dependencies \
        -DoutputDirectory="$LIB_DIR" -DincludeScope=runtime) || { log "could not fetch PerfTest"; return 1; }
  fi
}

perftest_version() {
  local jar; jar=$(ls "$LIB_DIR"/perf-test-*.jar 2>/dev/null | head -1)
  basename "${jar%.jar}" | sed 's/^perf-test-//'
}

# perftest <timeout-seconds> <output-prefix> <args...>: runs PerfTest, stdout+stderr to <prefix>.out,
# per-second samples to <prefix>.csv. A hard timeout guards against a broker that stops answering.
perftest() {
  local limit="$1" prefix="$2"; shift 2
  printf '%q ' "$@" > "$prefix.args"
  timeout --kill-after=10 "$limit" java ${BENCH_PERFTEST_JAVA_OPTS:--Xmx1g} -cp "$LIB_DIR/*" \
      com.rabbitmq.perf.PerfTest "$@" -o "$prefix.csv" > "$prefix.out" 2>&1 &
  PERFTEST_PID=$!
  CHILD_PIDS+=("$PERFTEST_PID")
  wait "$PERFTEST_PID"
  local rc=$?
  forget_pid "${PERFTEST_PID:-}"
  PERFTEST_PID=""
  echo "$rc" > "$prefix.rc"
  return "$rc"
}

# ---------------------------------------------------------------------------------------- memory sampling

# Peak RSS of a process in KiB: the kernel's own high-water mark (VmHWM) when readable, else VmRSS.
rss_kib() {
  awk '/^VmHWM:/ {hwm=$2} /^VmRSS:/ {rss=$2} END {if (hwm) print hwm; else if (rss) print rss}' \
      "/proc/$1/status" 2>/dev/null
}

# start_rss_sampler <file> <pid>...: samples VmRSS of each process every 0.5 s into <file>
# ("epoch-ms pid kib" lines) until stopped. Several PIDs: the nodes of a cluster.
start_rss_sampler() {
  local file="$1"; shift
  local pids=("$@")
  : > "$file"
  (
    trap 'exit 0' TERM
    while :; do
      alive=0
      for pid in "${pids[@]}"; do
        kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || continue
        [ -n "$kib" ] && { echo "$(date +%s%3N) $pid $kib" >> "$file"; alive=1; }
      done
      [ "$alive" -eq 1 ] || exit 0
      sleep 0.5
    done
  ) &
  SAMPLER_PID=$!
  CHILD_PIDS+=("$SAMPLER_PID")
}

# write_hwm <file> <pid>...: each process's kernel high-water mark, "pid kib" per line.
write_hwm() {
  local file="$1" pid; shift
  : > "$file"
  for pid in "$@"; do echo "$pid $(rss_kib "$pid")" >> "$file"; done
}

stop_rss_sampler() {
  if [ -n "${SAMPLER_PID:-}" ]; then
    kill -TERM "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null
    forget_pid "${SAMPLER_PID:-}"
    SAMPLER_PID=""
  fi
}

# ----------------------------------------------------------------------------------------------- RabbitMQ

rabbit_env() {
  # A private HOME holds this node's Erlang cookie; private config, plugins and env files keep
  # /etc/rabbitmq out of the measurement (no management plugin: Warren runs without management too).
  env HOME="$RABBIT_BASE" \
      RABBITMQ_NODENAME="$RABBIT_NODE" RABBITMQ_NODE_PORT="$RABBIT_PORT" RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT" \
      RABBITMQ_MNESIA_BASE="$RABBIT_BASE/mnesia" RABBITMQ_LOG_BASE="$RABBIT_BASE/log" \
      RABBITMQ_CONFIG_FILE="$RABBIT_BASE/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_BASE/enabled_plugins" \
      RABBITMQ_CONF_ENV_FILE="$RABBIT_BASE/rabbitmq-env.conf" RABBITMQ_PID_FILE="$RABBIT_BASE/rabbitmq.pid" \
      ERL_EPMD_PORT="$RABBIT_EPMD_PORT" "$@"
}

rabbitmqctl_bench() { rabbit_env "$RABBIT_BIN/rabbitmqctl" -n "$RABBIT_NODE" "$@"; }

ensure_rabbitmq_installed() {
  [ -x "$RABBIT_BIN/rabbitmq-server" ] && return 0
  log "rabbitmq-server is not installed; installing it from Debian"
  local attempt
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if apt-get install -y -q rabbitmq-server >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q rabbitmq-server >/dev/null 2>&1; }; then
      # The package may start the system service; that instance is not ours and is left alone.
      [ -x "$RABBIT_BIN/rabbitmq-server" ] && return 0
    fi
    log "apt-get failed (dpkg locked by someone else?), retrying in 15 s"
    sleep 15
  done
  return 1
}

# start_rabbitmq: fresh node (wiped data), sets BROKER_PID to the beam.smp PID.
start_rabbitmq() {
  BROKER_PID=""
  ensure_rabbitmq_installed || { log "rabbitmq-server unavailable"; return 1; }
  if port_open "$RABBIT_PORT"; then log "port $RABBIT_PORT is already in use; not starting RabbitMQ"; return 1; fi
  rm -rf "$RABBIT_BASE/mnesia" "$RABBIT_BASE/log"
  mkdir -p "$RABBIT_BASE/mnesia" "$RABBIT_BASE/log"
  printf 'listeners.tcp.default = %s\nloopback_users = none\n' "$RABBIT_PORT" > "$RABBIT_BASE/rabbitmq.conf"
  echo '[].' > "$RABBIT_BASE/enabled_plugins"
  : > "$RABBIT_BASE/rabbitmq-env.conf"
  rm -f "$RABBIT_BASE/rabbitmq.pid"

  if [ -z "${EPMD_PID:-}" ]; then
    epmd -port "$RABBIT_EPMD_PORT" > "$RABBIT_BASE/epmd.out" 2>&1 &
    EPMD_PID=$!
    sleep 0.3
  fi
  rabbit_env "$RABBIT_BIN/rabbitmq-server" > "$RABBIT_BASE/server.out" 2>&1 &
  RABBIT_LAUNCH_PID=$!
  CHILD_PIDS+=("$RABBIT_LAUNCH_PID")
  local waited=0
  while [ ! -s "$RABBIT_BASE/rabbitmq.pid" ] && [ "$waited" -lt 50 ]; do sleep 0.2; waited=$((waited + 1)); done
  if ! rabbitmqctl_bench -q wait --timeout "$START_TIMEOUT" "$RABBIT_BASE/rabbitmq.pid" >/dev/null 2>&1; then
    log "RabbitMQ did not start, see $RABBIT_BASE/server.out and $RABBIT_BASE/log"
    stop_rabbitmq
    return 1
  fi
  BROKER_PID=$(rabbitmqctl_bench -q eval 'os:getpid().' 2>/dev/null | tr -dc '0-9')
  [ -n "$BROKER_PID" ] || BROKER_PID=$(tr -dc '0-9' < "$RABBIT_BASE/rabbitmq.pid")
  log "RabbitMQ up on $RABBIT_PORT (beam.smp pid $BROKER_PID)"
}

stop_rabbitmq() {
  if [ -n "${RABBIT_LAUNCH_PID:-}" ]; then
    # The beam.smp PID, even when start gave up before learning it (it writes the pid file early).
    local beam="${BROKER_PID:-$(tr -dc '0-9' < "$RABBIT_BASE/rabbitmq.pid" 2>/dev/null)}"
    rabbitmqctl_bench -q stop >/dev/null 2>&1
    wait_gone "$RABBIT_LAUNCH_PID" 30 || kill -9 ${beam:+"$beam"} "$RABBIT_LAUNCH_PID" 2>/dev/null
    wait "$RABBIT_LAUNCH_PID" 2>/dev/null
    forget_pid "${RABBIT_LAUNCH_PID:-}"
    RABBIT_LAUNCH_PID=""
  fi
}

stop_epmd() {
  if [ -n "${EPMD_PID:-}" ]; then
    kill -TERM "$EPMD_PID" 2>/dev/null; wait "$EPMD_PID" 2>/dev/null
    EPMD_PID=""
  fi
}

# ------------------------------------------------------------------------------------------------- Warren

# prepare_warren: builds Warren once (bin/warren build) and snapshots its runtime classpath into
# bench/work/warren-classpath, exported as WARREN_CLASSPATH. Others keep editing and rebuilding the
# checkout while a benchmark runs; the snapshot makes every round run the same code and keeps
# bin/warren start from rebuilding in the middle of a measurement. A preset WARREN_CLASSPATH is used as is.
prepare_warren() {
  [ -n "${WARREN_CLASSPATH:-}" ] && { log "Warren: using the WARREN_CLASSPATH given"; return 0; }
  [ -x "$WARREN_BIN" ] || { log "$WARREN_BIN not found or not executable"; return 1; }
  log "Warren: bin/warren build (log: $WORK_DIR/warren-build.log)"
  # Offline first (fast, and the registry may be slow); a fresh clone's ~/.m2 lacks the build plugins'
  # own dependencies, so unless Maven arguments were given, an offline failure is retried online once.
  local built=0
  WARREN_MVN_ARGS="${WARREN_MVN_ARGS:--o}" timeout "${BENCH_BUILD_TIMEOUT:-900}" "$WARREN_BIN" build \
    > "$WORK_DIR/warren-build.log" 2>&1 && built=1
  if [ "$built" = 0 ] && [ -z "${WARREN_MVN_ARGS:-}" ]; then
    log "Warren: offline build failed; retrying online"
    WARREN_MVN_ARGS=" " timeout "${BENCH_BUILD_TIMEOUT:-900}" "$WARREN_BIN" build \
      >> "$WORK_DIR/warren-build.log" 2>&1 && built=1
  fi
  if [ "$built" = 0 ]; then
    log "Warren: build failed; last lines:"; tail -5 "$WORK_DIR/warren-build.log" >&2
    return 1
  fi
  local cpfile="$REPO_DIR/src/server/target/warren.classpath" snap="$WORK_DIR/warren-classpath"
  [ -f "$cpfile" ] || { log "Warren: no $cpfile after the build"; return 1; }
  rm -rf "$snap"; mkdir -p "$snap"
  cp -r "$REPO_DIR/src/server/target/classes" "$snap/server-classes"
  local cp="$snap/server-classes" entry i=0
  while IFS= read -r -d ':' entry; do
    [ -z "$entry" ] && continue
    case "$entry" in
      "$REPO_DIR"/*)   # our own modules: copy, they may be rebuilt under us
        i=$((i + 1))
        if [ -d "$entry" ]; then cp -r "$entry" "$snap/module-$i"; else cp "$entry" "$snap/$i-$(basename "$entry")"; fi
        cp="$cp:$snap/$( [ -d "$entry" ] && echo "module-$i" || echo "$i-$(basename "$entry")")" ;;
      *) cp="$cp:$entry" ;;   # ~/.m2 jars do not change under a fixed version
    esac
  done < <(tr -d '\n' < "$cpfile"; printf ':')
  export WARREN_CLASSPATH="$cp"
  log "Warren: classpath snapshot in $snap"
}

# start_warren: fresh node (wiped data dir), sets BROKER_PID to the process that listens on the AMQP port
# (bin/warren may exec java or fork it; the listener is the broker either way).
start_warren() {
  BROKER_PID=""
  if [ ! -x "$WARREN_BIN" ]; then log "$WARREN_BIN not found or not executable"; return 1; fi
  if port_open "$WARREN_PORT"; then log "port $WARREN_PORT is already in use; not starting Warren"; return 1; fi
  rm -rf "$WARREN_DATA"; mkdir -p "$WARREN_DATA"
  "$WARREN_BIN" start -Dwarren.amqp.port="$WARREN_PORT" -Dwarren.data-dir="$WARREN_DATA" \
      -Dwarren.management.enabled=false -Dwarren.cluster.remote-port="$WARREN_REMOTE_PORT" \
      > "$WORK_DIR/warren.out" 2>&1 &
  WARREN_LAUNCH_PID=$!
  CHILD_PIDS+=("$WARREN_LAUNCH_PID")
  local waited=0
  while ! port_open "$WARREN_PORT"; do
    if ! kill -0 "$WARREN_LAUNCH_PID" 2>/dev/null && [ -z "$(listener_pid "$WARREN_PORT")" ]; then
      log "Warren exited before listening; last lines of $WORK_DIR/warren.out:"
      tail -5 "$WORK_DIR/warren.out" >&2
      stop_warren; return 1
    fi
    if [ "$waited" -ge $((START_TIMEOUT * 5)) ]; then
      log "Warren did not listen on $WARREN_PORT within ${START_TIMEOUT}s"; stop_warren; return 1
    fi
    sleep 0.2; waited=$((waited + 1))
  done
  WARREN_PID=$(listener_pid "$WARREN_PORT")
  [ -n "$WARREN_PID" ] || WARREN_PID="$WARREN_LAUNCH_PID"
  BROKER_PID="$WARREN_PID"
  log "Warren up on $WARREN_PORT (pid $BROKER_PID)"
}

stop_warren() {
  local pids=()
  [ -n "${WARREN_LAUNCH_PID:-}" ] && pids+=("$WARREN_LAUNCH_PID")
  [ -n "${WARREN_PID:-}" ] && [ "$WARREN_PID" != "${WARREN_LAUNCH_PID:-}" ] && pids+=("$WARREN_PID")
  # A broker forked by our launcher might be listening although we never learned its PID; only when
  # we launched one, so that a process of someone else's on this port is never signalled.
  if [ -n "${WARREN_LAUNCH_PID:-}" ]; then
    local l; l=$(listener_pid "$WARREN_PORT"); [ -n "$l" ] && pids+=("$l")
  fi
  [ ${#pids[@]} -eq 0 ] && return 0
  kill -TERM "${pids[@]}" 2>/dev/null
  local p
  for p in "${pids[@]}"; do wait_gone "$p" 30 || kill -9 "$p" 2>/dev/null; done
  [ -n "${WARREN_LAUNCH_PID:-}" ] && wait "$WARREN_LAUNCH_PID" 2>/dev/null
  forget_pid "${WARREN_LAUNCH_PID:-}"
  WARREN_LAUNCH_PID=""; WARREN_PID=""
}

# ---------------------------------------------------------------------------------------------- generic

start_broker() { case "$1" in rabbitmq) start_rabbitmq ;; warren) start_warren ;; esac; }
stop_broker()  { case "$1" in rabbitmq) stop_rabbitmq ;; warren) stop_warren ;; esac; BROKER_PID=""; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# PID of the process listening on a local TCP port (empty if none).
listener_pid() {
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2
}

# wait_gone <pid> <seconds>: true once the process is gone.
wait_gone() {
  local i=0
  while kill -0 "$1" 2>/dev/null; do
    # A zombie child counts as gone.
    [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = "Z" ] && return 0
    [ "$i" -ge $(($2 * 5)) ] && return 1
    sleep 0.2; i=$((i + 1))
  done
}

CHILD_PIDS=()
forget_pid() {
  local kept=() p
  for p in "${CHILD_PIDS[@]}"; do [ "$p" != "$1" ] && kept+=("$p"); done
  CHILD_PIDS=("${kept[@]}")
}

cleanup_all() {
  trap - EXIT INT TERM
  stop_rss_sampler
  [ -n "${PERFTEST_PID:-}" ] && kill -TERM "$PERFTEST_PID" 2>/dev/null
  stop_warren
  declare -F stop_warren_cluster >/dev/null && stop_warren_cluster
  stop_rabbitmq
  stop_epmd
  local p
  for p in "${CHILD_PIDS[@]}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null; done
  wait 2>/dev/null
}

machine_description() {
  local cpu mem jdk rabbit erl commit dirty
  cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
  mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
  jdk=$(java -version 2>&1 | head -2 | tail -1)
  rabbit=$(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo unknown)
  erl=$(erl -noshell -eval 'io:format("~s (erts ~s)", [erlang:system_info(otp_release), erlang:system_info(version)]), halt().' 2>/dev/null || echo unknown)
  commit=$(git -C "$REPO_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
  dirty=$(git -C "$REPO_DIR" status --porcelain -- src 2>/dev/null | wc -l)
  [ "$dirty" -gt 0 ] && commit="$commit (+$dirty uncommitted changes under src/)"
  cat <<EOF
cpus=$(nproc)
cpu=$cpu
memory=$mem
kernel=$(uname -r)
jdk=$jdk
rabbitmq=$rabbit
erlang=$erl
warren_commit=$commit
perftest=$(perftest_version)
loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
EOF
}
