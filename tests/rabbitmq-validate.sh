#!/usr/bin/env bash
# Runs the end-to-end suite against a private RabbitMQ (Debian's rabbitmq-server) so that every
# assertion is checked against the reference broker. Starts its own node (warren-it@localhost on
# port 5700, own epmd port, state under /tmp/rmq-it), runs the tests in external mode, and stops
# everything it started, whatever the outcome.
#   tests/rabbitmq-validate.sh                 run the whole suite
#   tests/rabbitmq-validate.sh -Dtest=Foo*     extra arguments go to mvn
#   RMQ_KEEP=1 tests/rabbitmq-validate.sh      leave the node running (stop: see the end of this file)
#   RMQ_PORT=5702 tests/rabbitmq-validate.sh   another AMQP port (distribution and epmd ports, node name and state
#                                              directory follow it), so that two validations can run side by side
set -euo pipefail
cd "$(dirname "$0")/.."

RMQ_PORT=${RMQ_PORT:-5700}
BASE=${RMQ_BASE:-/tmp/rmq-it-$RMQ_PORT}
export RABBITMQ_NODENAME=warren-it-$RMQ_PORT@localhost
export RABBITMQ_NODE_PORT=$RMQ_PORT
export RABBITMQ_DIST_PORT=$((RMQ_PORT + 20000))
export ERL_EPMD_PORT=$((RMQ_PORT + 19000))
export RABBITMQ_MNESIA_BASE=$BASE/mnesia
export RABBITMQ_LOG_BASE=$BASE/log
export RABBITMQ_ENABLED_PLUGINS_FILE=$BASE/enabled_plugins
export RABBITMQ_CONFIG_FILE=$BASE/rabbitmq.conf
export RABBITMQ_CONF_ENV_FILE=$BASE/rabbitmq-env.conf
export RABBITMQ_PID_FILE=$BASE/rabbitmq.pid
# The Erlang cookie lives in $HOME: a private one keeps this node apart from other nodes on the host.
export HOME=$BASE

mkdir -p "$BASE/mnesia" "$BASE/log"
echo '[].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
: > "$RABBITMQ_CONF_ENV_FILE"
cat > "$RABBITMQ_CONFIG_FILE" <<CONF
listeners.tcp.default = $RABBITMQ_NODE_PORT
loopback_users = none
CONF
# RabbitMQ 3.10 has no x-consumer-timeout argument: ConsumerTimeoutTest runs against it only with the broker-wide
# timeout at the test's 1000 ms and a short channel tick (RabbitMQ checks the timeout on that tick):
#   RMQ_CONSUMER_TIMEOUT=1000 tests/rabbitmq-validate.sh -Dtest=ConsumerTimeoutTest
EXTRA_MVN_ARGS=()
if [[ -n "${RMQ_CONSUMER_TIMEOUT:-}" ]]; then
  echo "consumer_timeout = $RMQ_CONSUMER_TIMEOUT" >> "$RABBITMQ_CONFIG_FILE"
  export RABBITMQ_ADVANCED_CONFIG_FILE=$BASE/advanced.config
  echo '[{rabbit, [{channel_tick_interval, 200}]}].' > "$RABBITMQ_ADVANCED_CONFIG_FILE"
  EXTRA_MVN_ARGS+=("-Dwarren.it.broker-consumer-timeout=$RMQ_CONSUMER_TIMEOUT")
fi

# The /usr/sbin wrappers switch to the rabbitmq user; the scripts under /usr/lib run as us.
RMQ_BIN=${RMQ_BIN:-/usr/lib/rabbitmq/bin}
SERVER_PID=
stop_node() {
  if [[ -n "$SERVER_PID" ]]; then
    "$RMQ_BIN/rabbitmqctl" -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1 || true
    for _ in $(seq 1 30); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 1; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -9 "$SERVER_PID" 2>/dev/null || true
    # epmd on our private port was started by this node; nobody else uses that port.
    epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
  fi
}

rm -f "$RABBITMQ_PID_FILE"
"$RMQ_BIN/rabbitmq-server" > "$BASE/log/console.out" 2>&1 &
SERVER_PID=$!
if [[ -z "${RMQ_KEEP:-}" ]]; then trap stop_node EXIT; fi
echo "rabbitmq-server started (pid $SERVER_PID), waiting for startup..."
for _ in $(seq 1 60); do [[ -s "$RABBITMQ_PID_FILE" ]] && break; kill -0 "$SERVER_PID" || { cat "$BASE/log/console.out"; exit 1; }; sleep 1; done
"$RMQ_BIN/rabbitmqctl" -n "$RABBITMQ_NODENAME" wait "$RABBITMQ_PID_FILE" --timeout 120 >/dev/null
echo "RabbitMQ $("$RMQ_BIN/rabbitmqctl" -n "$RABBITMQ_NODENAME" version 2>/dev/null) up on port $RABBITMQ_NODE_PORT"

if [[ -n "${RMQ_KEEP:-}" ]]; then
  echo "RMQ_KEEP set: node left running. Stop with:"
  echo "  HOME=$BASE ERL_EPMD_PORT=$ERL_EPMD_PORT $RMQ_BIN/rabbitmqctl -n $RABBITMQ_NODENAME stop; ERL_EPMD_PORT=$ERL_EPMD_PORT epmd -port $ERL_EPMD_PORT -kill"
  exit 0
fi

# Maven must not inherit the private HOME (it holds ~/.m2).
# -am builds this checkout's modules in the reactor rather than taking whatever an earlier `mvn install` left in ~/.m2.
HOME=$(getent passwd "$(id -u)" | cut -d: -f6) mvn -B -q -o -pl tests -am test -Dsurefire.failIfNoSpecifiedTests=false \
  -Dwarren.it.external=localhost:$RABBITMQ_NODE_PORT "${EXTRA_MVN_ARGS[@]}" "$@"
