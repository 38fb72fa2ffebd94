#!/usr/bin/env bash
# Exercises deploy/local-cluster.sh end to end with a real PostgreSQL and stand-in nodes (fake-node.py),
# in its own state directory and PostgreSQL port, so it neither needs the broker nor disturbs a cluster
# started by hand. Exits non-zero on the first failed check; leaves no process behind.
#   deploy/test/test-local-cluster.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT="$HERE/../local-cluster.sh"
export WARREN_LOCAL_WORK; WARREN_LOCAL_WORK="$(mktemp -d /tmp/warren-local-cluster-test.XXXXXX)"
chmod 755 "$WARREN_LOCAL_WORK"   # PostgreSQL runs as the postgres user and must reach its data dir
export WARREN_PG_PORT=5498
export WARREN_LAUNCH_CMD="python3 $HERE/fake-node.py"
export WARREN_START_TIMEOUT=20
export FAKE_QUEUES=orders,audit
BASE=5772
# Every port base moved off the defaults, so that the test does not collide with a cluster started by hand.
PORTS=(--remote-base 25620 --management-base 15772 --pekko-management-base 7726)

checks=0
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
ok()   { checks=$((checks + 1)); printf 'ok %d - %s\n' "$checks" "$*"; }
run()  { OUT="$("$SCRIPT" "$@" 2>&1)"; }          # sets OUT, keeps the exit status
expect_output() { grep -qE -- "$1" <<< "$OUT" || fail "expected /$1/ in output of '$2':"$'\n'"$OUT"; }
pid_of() { cut -d' ' -f1 "$WARREN_LOCAL_WORK/node-$1.pid" 2>/dev/null; }
alive() {   # zombies (which a container's PID 1 may never reap) are dead
  local stat; stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"; [[ "${stat%% *}" != Z ]]
}

cleanup() {
  "$SCRIPT" down >/dev/null 2>&1 || true
  rm -rf "$WARREN_LOCAL_WORK"
}
trap cleanup EXIT

run up 3 --base-port "$BASE" "${PORTS[@]}" || fail "up 3 failed:"$'\n'"$OUT"
expect_output 'cluster of 3 node\(s\) is up' "up 3"
ok "up 3 starts PostgreSQL and three nodes"

PGPASSWORD=warren psql -X -h 127.0.0.1 -p "$WARREN_PG_PORT" -U warren -d warren -tAc \
  "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('event_journal','snapshot','durable_state')" \
  | grep -qx 3 || fail "journal tables missing in database warren"
ok "database warren reachable as warren/warren with the journal schema"

PG_PID="$(cat "$WARREN_LOCAL_WORK/postgres.pid")"
N1="$(pid_of 1)" N2="$(pid_of 2)" N3="$(pid_of 3)"
[[ -n "$N1" && -n "$N2" && -n "$N3" ]] || fail "missing node PID files"
tr '\0' '\n' < "/proc/$N1/environ" | grep -qx "WARREN_AMQP_PORT=$BASE" || fail "node 1 not on AMQP port $BASE"
tr '\0' '\n' < "/proc/$N3/environ" | grep -qx "WARREN_AMQP_PORT=$((BASE + 2))" || fail "node 3 not on AMQP port $((BASE + 2))"
tr '\0' '\n' < "/proc/$N2/environ" | grep -qx "WARREN_REMOTE_PORT=25622" || fail "node 2 remote port not 25622"
tr '\0' '\n' < "/proc/$N2/environ" | grep -qx "WARREN_PEKKO_MANAGEMENT_PORT=7727" || fail "node 2 pekko management port not 7727"
tr '\0' '\n' < "/proc/$N2/environ" | grep -qx "WARREN_SEED_NODES=pekko://warren@127.0.0.1:25621,pekko://warren@127.0.0.1:25622,pekko://warren@127.0.0.1:25623" \
  || fail "node 2 seed nodes wrong"
tr '\0' '\n' < "/proc/$N3/environ" | grep -qx "WARREN_PERSISTENCE_BACKEND=postgres" || fail "node 3 not on postgres"
ok "nodes get their ports, seed nodes and PostgreSQL settings"

run status || fail "status failed"
expect_output "^1 +$N1 +alive +$BASE\(up\) +25621\(up\) +15772\(up\) +7726\(up\) +ready" "status"
expect_output 'node-2-orders +node-2' "status"
expect_output 'queues per node: node-1=2, node-2=2, node-3=2' "status"
ok "status shows live nodes, their ports, readiness and queue owners"

run up 3 --base-port "$BASE" "${PORTS[@]}" || fail "second up 3 failed:"$'\n'"$OUT"
expect_output 'node 2 already running' "up 3 (again)"
[[ "$(pid_of 2)" == "$N2" ]] || fail "second up restarted node 2"
ok "up is idempotent"

if run up 2; then fail "up 2 over a running 3-node cluster succeeded"; fi
expect_output 'run .* down. first' "up 2"
ok "up with other settings refuses while nodes run"

run kill 2 || fail "kill 2 failed"
expect_output "killed node 2 \(pid $N2\) with SIGKILL" "kill 2"
alive "$N2" && fail "node 2 still alive after kill"
run status || fail "status failed"
expect_output '^2 +- +down' "status after kill"
expect_output 'queues per node: node-1=2, node-3=2' "status after kill"
ok "kill 2 SIGKILLs node 2 and status reflects it"

run kill 2 || fail "second kill 2 failed"
expect_output 'node 2 is not running' "kill 2 (again)"
if run kill 4; then fail "kill 4 on a 3-node cluster succeeded"; fi
expect_output 'node 4 does not exist' "kill 4"
ok "kill is idempotent and checks the index"

run start 2 || fail "start 2 failed:"$'\n'"$OUT"
expect_output 'node 2 is up' "start 2"
N2B="$(pid_of 2)"
[[ "$N2B" != "$N2" ]] && alive "$N2B" || fail "node 2 not restarted"
tr '\0' '\n' < "/proc/$N2B/environ" | grep -qx "WARREN_AMQP_PORT=$((BASE + 1))" || fail "restarted node 2 lost its port"
run start 2 || fail "second start 2 failed"
expect_output 'node 2 already running' "start 2 (again)"
ok "start 2 restarts node 2 with the same settings, idempotently"

run stop 3 || fail "stop 3 failed"
expect_output 'node 3 stopped' "stop 3"
alive "$N3" && fail "node 3 alive after stop"
ok "stop 3 stops node 3 gracefully"

run kill 1 || fail "kill 1 failed"
if WARREN_LAUNCH_CMD="sh -c 'echo boom-at-start; exit 3'" run start 1; then fail "start of a crashing node succeeded"; fi
expect_output 'node 1 exited during start-up' "start 1 (crashing)"
expect_output 'boom-at-start' "start 1 (crashing)"
ok "a node that dies at start-up is reported with its log"

run down || fail "down failed"
expect_output 'stopping node 2' "down"
expect_output 'stopping PostgreSQL' "down"
for p in "$N1" "$N2B" "$N3" "$PG_PID"; do alive "$p" && fail "process $p still alive after down: $(ps -o pid,stat,args -p "$p" | tail -n 1)"; done
pgrep -f "$WARREN_LOCAL_WORK" | while read -r p; do alive "$p" && echo "$p"; done | grep -q . && fail "processes still running from $WARREN_LOCAL_WORK: $(pgrep -af "$WARREN_LOCAL_WORK")"
compgen -G "$WARREN_LOCAL_WORK/*.pid" >/dev/null && fail "PID files left: $(ls "$WARREN_LOCAL_WORK"/*.pid)"
ok "down stops every node and PostgreSQL"

run down || fail "second down failed"
expect_output 'no node is running' "down (again)"
expect_output 'PostgreSQL is not running' "down (again)"
ok "down is idempotent"

run up 1 --base-port "$BASE" "${PORTS[@]}" || fail "up 1 after down failed:"$'\n'"$OUT"
expect_output 'PostgreSQL already running|starting PostgreSQL' "up 1"
run status || fail "status failed"
expect_output 'queues per node: node-1=2$' "status (1 node)"
run down || fail "down failed"
ok "a second up reuses the existing PostgreSQL data"

run up 2 --base-port "$BASE" "${PORTS[@]}" --supervise || fail "up 2 --supervise failed:"$'\n'"$OUT"
expect_output 'supervised' "up 2 --supervise"
S1="$(pid_of 1)"
C1="$(cat "$WARREN_LOCAL_WORK/node-1/child.pid")"
run kill 1 || fail "kill 1 (supervised) failed"
expect_output "its supervisor \(pid $S1\) starts it again" "kill 1 (supervised)"
for _ in $(seq 1 50); do
  C1B="$(cat "$WARREN_LOCAL_WORK/node-1/child.pid")"
  [[ "$C1B" != "$C1" ]] && alive "$C1B" && break
  sleep 0.2
done
[[ "$C1B" != "$C1" ]] && alive "$C1B" || fail "supervisor did not start node 1 again"
alive "$C1" && fail "node 1's killed process still alive"
for _ in $(seq 1 50); do run status; grep -qE "^1 +$S1 +alive +$BASE\(up\)" <<< "$OUT" && break; sleep 0.2; done
expect_output "^1 +$S1 +alive +$BASE\(up\)" "status after supervised restart"
run stop 1 || fail "stop 1 (supervised) failed"
expect_output 'node 1 stopped' "stop 1 (supervised)"
alive "$S1" && fail "supervisor of node 1 alive after stop"
alive "$C1B" && fail "node 1 alive after stop"
run down || fail "down failed"
ok "--supervise starts a crashed node again; stop ends node and supervisor"

printf 'all %d checks passed\n' "$checks"
