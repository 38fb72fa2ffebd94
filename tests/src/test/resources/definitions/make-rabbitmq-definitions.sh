#!/usr/bin/env bash
# Makes rabbitmq-3.10.8.json next to this script: starts a private Debian RabbitMQ 3.10.8 (management plugin on,
# state under /tmp), declares a bit of everything through rabbitmqctl and Debian's rabbitmqadmin, exports the
# definitions with `rabbitmqadmin export` and stops the node. DefinitionsFromRabbitmqTest imports the file into
# Warren and compares Warren's export with it. Passwords are known, so the exported hashes can be tested by logging
# in: warren-admin/admin-secret, app/app-secret, reader/reader-secret.
#   RMQ_PORT=5702 tests/src/test/resources/definitions/make-rabbitmq-definitions.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
RMQ_PORT=${RMQ_PORT:-5702}
HTTP_PORT=$((RMQ_PORT + 10000))
BASE=/tmp/rmq-definitions-$RMQ_PORT
export RABBITMQ_NODENAME=warren-defs-$RMQ_PORT@localhost
export RABBITMQ_NODE_PORT=$RMQ_PORT
export RABBITMQ_DIST_PORT=$((RMQ_PORT + 20000))
export ERL_EPMD_PORT=$((RMQ_PORT + 19000))
export RABBITMQ_MNESIA_BASE=$BASE/mnesia
export RABBITMQ_LOG_BASE=$BASE/log
export RABBITMQ_ENABLED_PLUGINS_FILE=$BASE/enabled_plugins
export RABBITMQ_CONFIG_FILE=$BASE/rabbitmq.conf
export RABBITMQ_CONF_ENV_FILE=$BASE/rabbitmq-env.conf
export RABBITMQ_PID_FILE=$BASE/rabbitmq.pid
export HOME=$BASE
RMQ_BIN=${RMQ_BIN:-/usr/lib/rabbitmq/bin}

rm -rf "$BASE"
mkdir -p "$BASE/mnesia" "$BASE/log"
echo '[rabbitmq_management].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
: > "$RABBITMQ_CONF_ENV_FILE"
cat > "$RABBITMQ_CONFIG_FILE" <<CONF
listeners.tcp.default = $RMQ_PORT
management.tcp.port = $HTTP_PORT
management.tcp.ip = 127.0.0.1
CONF

"$RMQ_BIN/rabbitmq-server" > "$BASE/log/console.out" 2>&1 &
SERVER_PID=$!
stop_node() {
  "$RMQ_BIN/rabbitmqctl" -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 1; done
  kill -0 "$SERVER_PID" 2>/dev/null && kill -9 "$SERVER_PID" 2>/dev/null || true
  epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
}
trap stop_node EXIT
for _ in $(seq 1 60); do [[ -s "$RABBITMQ_PID_FILE" ]] && break; kill -0 "$SERVER_PID" || { cat "$BASE/log/console.out"; exit 1; }; sleep 1; done
"$RMQ_BIN/rabbitmqctl" -n "$RABBITMQ_NODENAME" wait "$RABBITMQ_PID_FILE" --timeout 120 >/dev/null
for _ in $(seq 1 60); do curl -sf -u guest:guest "http://127.0.0.1:$HTTP_PORT/api/overview" >/dev/null && break; sleep 1; done

ctl() { "$RMQ_BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" "$@"; }
admin() { rabbitmqadmin -H 127.0.0.1 -P "$HTTP_PORT" -u guest -p guest "$@"; }

# users with tags and known passwords, a vhost, permissions
ctl add_vhost shop
ctl add_user warren-admin admin-secret
ctl set_user_tags warren-admin administrator
ctl add_user app app-secret
ctl set_user_tags app management monitoring
ctl add_user reader reader-secret
ctl set_permissions -p / warren-admin '.*' '.*' '.*'
ctl set_permissions -p shop warren-admin '.*' '.*' '.*'
ctl set_permissions -p shop guest '.*' '.*' '.*'
ctl set_permissions -p shop app '^(orders|app)\..*' '^(orders|amq\.default)$' '.*'
ctl set_permissions -p / reader '' '' '^reports\..*'

# exchanges of each type, an internal one, one with an alternate exchange
admin declare exchange name=orders type=topic durable=true
admin declare exchange name=audit type=fanout durable=true
admin declare exchange name=routing type=direct durable=true arguments='{"alternate-exchange":"audit"}'
admin declare exchange name=by-header type=headers durable=true
admin declare exchange name=internal-hub type=topic durable=true internal=true
admin declare exchange name=orders --vhost=shop type=topic durable=true

# queues with arguments, one of them quorum
admin declare queue name=orders.created durable=true arguments='{"x-message-ttl":60000,"x-dead-letter-exchange":"audit","x-dead-letter-routing-key":"expired"}'
admin declare queue name=orders.capped durable=true arguments='{"x-max-length":1000,"x-overflow":"reject-publish","x-max-length-bytes":1048576}'
admin declare queue name=orders.quorum durable=true arguments='{"x-queue-type":"quorum","x-delivery-limit":5}'
admin declare queue name=audit.log durable=true arguments='{"x-max-priority":10,"x-queue-mode":"lazy"}'
admin declare queue name=reports.daily durable=true arguments='{"x-expires":3600000,"x-single-active-consumer":true}'
admin declare queue name=plain durable=true
admin declare queue name=orders.shop --vhost=shop durable=true arguments='{"x-message-ttl":5000}'

# bindings: queue bindings, exchange-to-exchange, a headers binding with arguments
admin declare binding source=orders destination=orders.created routing_key='order.created.#'
admin declare binding source=orders destination=orders.capped routing_key='order.*'
admin declare binding source=orders destination=internal-hub destination_type=exchange routing_key='order.#'
admin declare binding source=internal-hub destination=orders.quorum routing_key='#'
admin declare binding source=audit destination=audit.log
admin declare binding source=routing destination=reports.daily routing_key=daily
admin declare binding source=by-header destination=plain arguments='{"x-match":"all","kind":"report"}'
admin declare binding --vhost=shop source=orders destination=orders.shop routing_key='#'

# two policies (imported by Warren's policy support)
ctl set_policy -p / --priority 1 --apply-to queues ttl-reports '^reports\.' '{"message-ttl":86400000}'
ctl set_policy -p / --priority 2 --apply-to queues dlx-orders '^orders\.' '{"dead-letter-exchange":"audit","max-length":100000}'

admin export "$HERE/rabbitmq-3.10.8.json"
python3 -m json.tool "$HERE/rabbitmq-3.10.8.json" > "$BASE/pretty.json" && mv "$BASE/pretty.json" "$HERE/rabbitmq-3.10.8.json"
echo "wrote $HERE/rabbitmq-3.10.8.json"
