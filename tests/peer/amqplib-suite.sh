#!/usr/bin/env bash
# Runs amqplib's broker tests (channel_api, callback_api, connect; a checkout of amqp-node/amqplib, e.g. tag v2.0.1)
# with node's test runner against Warren, or against a broker given by URL, and prints pass/fail per file.
#
#   tests/peer/amqplib-suite.sh <checkout>                      build and start a Warren of this repository on a free port
#   tests/peer/amqplib-suite.sh <checkout> amqp://host:port     use that broker (e.g. a RabbitMQ from tests/rabbitmq-validate.sh)
#   AMQPLIB_PORT=5672 ...                                        Warren's port (default: a free one; callback_api and
#                                                                connect use localhost:5672 whatever the URL)
#   AMQPLIB_TIMEOUT=10000 ...                                    per-test timeout in ms (the package uses 1000; a loaded
#                                                                host needs more)
# These three files need no npm packages (node >= 18 only). Nothing of the checkout is copied into this repository.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
CHECKOUT="$(cd "${1:?usage: amqplib-suite.sh <amqplib checkout> [amqp-url]}" && pwd)"
URL="${2:-}"
WORK="$(mktemp -d /tmp/amqplib-suite.XXXXXX)"
TIMEOUT="${AMQPLIB_TIMEOUT:-10000}"

WARREN_PID=
stop_warren() {
  if [[ -n "$WARREN_PID" ]] && kill -0 "$WARREN_PID" 2>/dev/null; then
    kill "$WARREN_PID" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$WARREN_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$WARREN_PID" 2>/dev/null || true
  fi
}
trap stop_warren EXIT

if [[ -z "$URL" ]]; then
  # callback_api and connect connect to amqp://localhost (5672) whatever URL says: AMQPLIB_PORT=5672 in a private
  # network namespace (see tests/peer/README.md) runs them against this Warren too
  PORT=${AMQPLIB_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
  echo "starting Warren on localhost:$PORT (log: $WORK/warren.log)"
  (exec "$ROOT/bin/warren" start --data-dir "$WORK/data" -Dwarren.amqp.port=$PORT -Dwarren.management.enabled=false \
      -Dwarren.cluster.remote-port=0 > "$WORK/warren.log" 2>&1) &
  WARREN_PID=$!
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    kill -0 "$WARREN_PID" 2>/dev/null || { tail -50 "$WORK/warren.log"; exit 1; }
    sleep 1
  done
  URL="amqp://localhost:$PORT"
fi

echo "amqplib $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$CHECKOUT/package.json") against $URL"
printf '%-28s %6s %6s\n' file pass fail
TOTAL_PASS=0; TOTAL_FAIL=0
for f in channel_api callback_api connect; do
  (cd "$CHECKOUT" && URL="$URL" node --test-timeout="$TIMEOUT" --test-reporter=tap "test/$f.test.js") \
      > "$WORK/$f.tap" 2>&1 || true
  pass=$(grep -E '^# pass ' "$WORK/$f.tap" | awk '{print $3}'); fail=$(grep -E '^# fail ' "$WORK/$f.tap" | awk '{print $3}')
  printf '%-28s %6s %6s\n' "$f" "${pass:-?}" "${fail:-?}"
  TOTAL_PASS=$((TOTAL_PASS + ${pass:-0})); TOTAL_FAIL=$((TOTAL_FAIL + ${fail:-0}))
  # failed tests (tap "not ok" lines, nested ones included)
  grep -E '^\s*not ok ' "$WORK/$f.tap" | sed 's/^ */    /' || true
done
printf '%-28s %6d %6d\n' TOTAL "$TOTAL_PASS" "$TOTAL_FAIL"
echo "(tap output: $WORK)"
