#!/usr/bin/env bash
# Runs the RabbitMQ Java client's FunctionalTestSuite (a checkout of rabbitmq-java-client, e.g. tag v5.25.0) against
# Warren, or against a broker already listening, and prints pass/fail counts per test class.
#
#   tests/peer/java-client-suite.sh <checkout>             build and start a Warren of this repository on 5672
#   tests/peer/java-client-suite.sh <checkout> rabbitmq    start Debian's RabbitMQ (/usr/lib/rabbitmq/bin) on 5672 with
#                                                          a private state dir, use its rabbitmqctl, stop it at the end
#   tests/peer/java-client-suite.sh <checkout> external    use whatever listens on localhost:5672
#   JCS_TEST='Routing,QueueLifecycle' ...                  run these classes instead of the whole suite
#   JCS_MVN_ARGS=-o ...                                    extra Maven arguments (e.g. offline)
#   unshare -n sh -c 'ip link set lo up; tests/peer/java-client-suite.sh ...'   (root) own network namespace,
#                                                          so 5672 is free whatever runs on the host (then -o)
#
# The client's tests connect to localhost:5672 (ConnectionFactory defaults, hard-wired), so the broker must listen
# there. Nothing of the checkout is copied into this repository: its test sources are compiled in a temporary
# project against the released amqp-client jar of the same version (no code generation needed) with the
# checkout's own test dependencies. Tests that need rabbitmqctl (close_connection, set_policy, stop_app, ...)
# get rabbitmqctl.bin=$JCS_RABBITMQCTL when set; else, against Warren, a wrapper around `bin/warren ctl` (the Warren
# started here runs its management API on a free loopback port); against RabbitMQ, its rabbitmqctl; in external mode
# a path that does not exist (those tests fail).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CHECKOUT="$(cd "${1:?usage: java-client-suite.sh <rabbitmq-java-client checkout> [external]}" && pwd)"
MODE="${2:-warren}"
WORK="${JCS_WORK:-$(mktemp -d /tmp/java-client-suite.XXXXXX)}"
PORT=5672
mkdir -p "$WORK"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

WARREN_PID=
RMQ_PID=
RMQCTL="$WORK/rabbitmqctl"
stop_brokers() {
  if [[ -n "$WARREN_PID" ]] && kill -0 "$WARREN_PID" 2>/dev/null; then
    kill "$WARREN_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$WARREN_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$WARREN_PID" 2>/dev/null || true
  fi
  if [[ -n "$RMQ_PID" ]]; then
    "$RMQCTL" stop >/dev/null 2>&1 || true
    for _ in $(seq 1 30); do kill -0 "$RMQ_PID" 2>/dev/null || break; sleep 1; done
    kill -0 "$RMQ_PID" 2>/dev/null && kill -9 "$RMQ_PID" 2>/dev/null || true
    env ERL_EPMD_PORT=$((PORT + 19000)) epmd -port $((PORT + 19000)) -kill >/dev/null 2>&1 || true
  fi
}
trap stop_brokers EXIT

VERSION=$(python3 "$HERE/java-client-pom.py" "$CHECKOUT" "$WORK")
echo "rabbitmq-java-client $VERSION test sources from $CHECKOUT; work dir $WORK"
(cd "$WORK" && mvn -B -q ${JCS_MVN_ARGS:-} test-compile) || { echo "compiling the client's tests failed" >&2; exit 1; }

if [[ "$MODE" == external ]]; then
  port_open || { echo "nothing listens on localhost:$PORT" >&2; exit 1; }
  RMQCTL="$WORK/no-rabbitmqctl"
elif [[ "$MODE" == rabbitmq ]]; then
  if port_open; then echo "localhost:$PORT is taken; stop that broker or use 'external'" >&2; exit 1; fi
  RMQ_BIN=${RMQ_BIN:-/usr/lib/rabbitmq/bin}
  BASE="$WORK/rabbitmq"
  mkdir -p "$BASE/mnesia" "$BASE/log"
  JCS_NODENAME=${JCS_NODENAME:-warren-jcs-$PORT@localhost}
  # Its own epmd and distribution ports, state and Erlang cookie ($HOME): apart from every other node on the host.
  cat > "$RMQCTL" <<CTL
#!/bin/sh
export HOME='$BASE' ERL_EPMD_PORT=$((PORT + 19000)) RABBITMQ_DIST_PORT=$((PORT + 20000))
exec '$RMQ_BIN/rabbitmqctl' -n '$JCS_NODENAME' "\$@"
CTL
  chmod +x "$RMQCTL"
  echo '[].' > "$BASE/enabled_plugins"
  printf 'listeners.tcp.default = %s\nloopback_users = none\n' "$PORT" > "$BASE/rabbitmq.conf"
  (export HOME="$BASE" ERL_EPMD_PORT=$((PORT + 19000)) RABBITMQ_DIST_PORT=$((PORT + 20000)) RABBITMQ_NODENAME="$JCS_NODENAME" \
      RABBITMQ_NODE_PORT=$PORT RABBITMQ_MNESIA_BASE="$BASE/mnesia" RABBITMQ_LOG_BASE="$BASE/log" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$BASE/enabled_plugins" RABBITMQ_CONFIG_FILE="$BASE/rabbitmq.conf" \
      RABBITMQ_CONF_ENV_FILE="$BASE/rabbitmq-env.conf" RABBITMQ_PID_FILE="$BASE/rabbitmq.pid"
   : > "$RABBITMQ_CONF_ENV_FILE"
   exec "$RMQ_BIN/rabbitmq-server" > "$BASE/log/console.out" 2>&1) &
  RMQ_PID=$!
  for _ in $(seq 1 60); do [[ -s "$BASE/rabbitmq.pid" ]] && break; kill -0 "$RMQ_PID" || { cat "$BASE/log/console.out"; exit 1; }; sleep 1; done
  "$RMQCTL" wait "$BASE/rabbitmq.pid" --timeout 120 >/dev/null
  echo "RabbitMQ $("$RMQCTL" version 2>/dev/null) up on localhost:$PORT"
else
  if port_open; then echo "localhost:$PORT is taken; stop that broker or use 'external'" >&2; exit 1; fi
  # Build once, then run from copies of this checkout's jars: the node and the ctl wrapper keep running the code
  # they started with while the checkout is edited or rebuilt during a long run.
  "$ROOT/bin/warren" build >/dev/null
  mkdir -p "$WORK/lib"
  cp -r "$ROOT/src/server/target/classes" "$WORK/lib/server-classes"
  CP="$WORK/lib/server-classes"
  while IFS= read -r -d ':' entry; do
    [[ -z "$entry" ]] && continue
    if [[ "$entry" == "$ROOT"/* ]]; then cp "$entry" "$WORK/lib/"; entry="$WORK/lib/$(basename "$entry")"; fi
    CP="$CP${CP:+:}$entry"
  done < <(tr -d '\n' < "$ROOT/src/server/target/warren.classpath"; printf ':')
  export WARREN_CLASSPATH="$CP"
  MGMT_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  cat > "$RMQCTL" <<CTL
#!/bin/sh
# rabbitmqctl for the suite: bin/warren ctl against the Warren this script started (-n <node> is accepted and ignored)
WARREN_CLASSPATH='$CP' WARREN_CTL_URL=http://127.0.0.1:$MGMT_PORT exec '$ROOT/bin/warren' ctl "\$@"
CTL
  chmod +x "$RMQCTL"
  echo "starting Warren on localhost:$PORT, management on 127.0.0.1:$MGMT_PORT (log: $WORK/warren.log)"
  # exec: the pid is the JVM's, so the trap stops the broker itself
  (exec "$ROOT/bin/warren" start --data-dir "$WORK/data" -Dwarren.amqp.port=$PORT -Dwarren.management.host=127.0.0.1 \
      -Dwarren.management.port=$MGMT_PORT -Dwarren.management.pekko-management.enabled=false \
      -Dwarren.cluster.remote-port=0 > "$WORK/warren.log" 2>&1) &
  WARREN_PID=$!
  for _ in $(seq 1 300); do
    port_open && break
    kill -0 "$WARREN_PID" 2>/dev/null || { tail -50 "$WORK/warren.log"; exit 1; }
    sleep 1
  done
  port_open || { echo "Warren did not open port $PORT" >&2; tail -50 "$WORK/warren.log"; exit 1; }
fi

TEST="${JCS_TEST:-FunctionalTestSuite}"
echo "running $TEST (surefire reports: $WORK/target/surefire-reports)"
(cd "$WORK" && mvn -B -q ${JCS_MVN_ARGS:-} surefire:test -Dtest="$TEST" -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtest-broker.A.nodename="${JCS_NODENAME:-rabbit@localhost}" -Dtest-broker.A.node_port=$PORT \
    -Dtest-broker.B.nodename=hare@localhost -Dtest-broker.B.node_port=5673 \
    -Drabbitmqctl.bin="${JCS_RABBITMQCTL:-$RMQCTL}" > "$WORK/suite.log" 2>&1) || true

python3 - "$WORK/target/surefire-reports" <<'PY'
import glob, sys, collections
import xml.etree.ElementTree as ET
counts = collections.OrderedDict()
failed = []
for f in sorted(glob.glob(sys.argv[1] + "/TEST-*.xml")):
    for tc in ET.parse(f).getroot().iter("testcase"):
        cls = tc.get("classname", "?").rsplit(".", 1)[-1]
        c = counts.setdefault(cls, [0, 0, 0])
        if tc.find("skipped") is not None:
            c[2] += 1
        elif tc.find("failure") is not None or tc.find("error") is not None:
            c[1] += 1
            failed.append(cls + "#" + tc.get("name", "?"))
        else:
            c[0] += 1
print("%-40s %6s %6s %6s" % ("class", "pass", "fail", "skip"))
for cls, (p, fl, s) in counts.items():
    print("%-40s %6d %6d %6d" % (cls, p, fl, s))
tot = [sum(c[i] for c in counts.values()) for i in range(3)]
print("%-40s %6d %6d %6d   (%d tests)" % ("TOTAL", tot[0], tot[1], tot[2], sum(tot)))
print("\nfailed:")
for name in failed:
    print("  " + name)
PY
