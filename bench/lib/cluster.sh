# The cluster workload's Warren side: a 3-node cluster started with deploy/local-cluster.sh, with its
# own state directory, AMQP ports and PostgreSQL port so that a cluster someone else runs is not touched
# (local-cluster.sh refuses to start a node whose ports are taken). Sourced after common.sh.

CLUSTER_SCRIPT="$REPO_DIR/deploy/local-cluster.sh"
CLUSTER_NODES="${BENCH_CLUSTER_NODES:-3}"
CLUSTER_BASE_PORT="${BENCH_CLUSTER_BASE_PORT:-5721}"
CLUSTER_WORK="$WORK_DIR/cluster"
CLUSTER_PG_PORT="${BENCH_CLUSTER_PG_PORT:-5498}"

cluster_available() { [ -x "$CLUSTER_SCRIPT" ]; }

local_cluster() {
  WARREN_LOCAL_WORK="$CLUSTER_WORK" WARREN_PG_PORT="$CLUSTER_PG_PORT" \
    WARREN_LAUNCH_CMD="$WARREN_BIN start" "$CLUSTER_SCRIPT" "$@"
}

# Comma-separated AMQP URIs, one per node: PerfTest spreads its connections over them.
cluster_uris() {
  local i uris=()
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    uris+=("amqp://guest:guest@127.0.0.1:$((CLUSTER_BASE_PORT + i - 1))")
  done
  (IFS=,; echo "${uris[*]}")
}

# start_warren_cluster: fresh cluster (wiped state, fresh PostgreSQL); sets BROKER_PIDS to the node JVMs.
start_warren_cluster() {
  BROKER_PIDS=(); BROKER_PID=""
  cluster_available || { log "no $CLUSTER_SCRIPT"; return 1; }
  # A cluster left by an interrupted run is stopped through its own pid files before its state goes.
  [ -f "$CLUSTER_WORK/cluster.env" ] && local_cluster down > /dev/null 2>&1
  stop_cluster_strays
  rm -rf "$CLUSTER_WORK"; mkdir -p "$CLUSTER_WORK"
  CLUSTER_UP=1
  if ! local_cluster up "$CLUSTER_NODES" --base-port "$CLUSTER_BASE_PORT" > "$WORK_DIR/cluster.out" 2>&1; then
    log "the Warren cluster did not come up; last lines of $WORK_DIR/cluster.out:"
    tail -5 "$WORK_DIR/cluster.out" >&2
    stop_warren_cluster
    return 1
  fi
  local i pid
  for ((i = 1; i <= CLUSTER_NODES; i++)); do
    # The node listening on the AMQP port is the JVM; the pid file names its launcher (the same
    # process when bin/warren execs java).
    pid=$(listener_pid "$((CLUSTER_BASE_PORT + i - 1))")
    [ -n "$pid" ] || pid=$(tr -dc '0-9' 2>/dev/null < "$CLUSTER_WORK/node-$i.pid")
    [ -n "$pid" ] && BROKER_PIDS+=("$pid")
  done
  BROKER_PID="${BROKER_PIDS[0]}"
  log "Warren cluster up: ${CLUSTER_NODES} nodes on $CLUSTER_BASE_PORT.. (pids ${BROKER_PIDS[*]})"
}

stop_warren_cluster() {
  [ -n "${CLUSTER_UP:-}" ] || return 0
  local_cluster down >> "$WORK_DIR/cluster.out" 2>&1 || log "local-cluster.sh down failed, see $WORK_DIR/cluster.out"
  stop_cluster_strays
  CLUSTER_UP=""
}

# PIDs of node processes started for OUR cluster directory, found by the variable local-cluster.sh puts
# in each node's environment. Seen in practice: under load local-cluster.sh reported nodes as "exited
# during start-up" that in fact kept running (and `down` then no longer knew them).
cluster_stray_pids() {
  local env pid
  for env in /proc/[0-9]*/environ; do
    pid=${env#/proc/}; pid=${pid%/environ}
    tr '\0' '\n' 2>/dev/null < "$env" | grep -q "^WARREN_LOCAL_CLUSTER_NODE=$CLUSTER_WORK/node-" && echo "$pid"
  done
}

stop_cluster_strays() {
  local pids; pids=$(cluster_stray_pids | grep -vx "$$")
  [ -n "$pids" ] || return 0
  log "stopping cluster node processes local-cluster.sh lost track of: $(echo $pids)"
  kill -TERM $pids 2>/dev/null
  local p
  for p in $pids; do wait_gone "$p" 30 || kill -9 "$p" 2>/dev/null; done
}
