package io.warren.server.management;

import io.warren.core.routing.Binding;
import io.warren.core.routing.ExchangeDefinition;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON objects of the management API, in RabbitMQ's shapes (field names as in RabbitMQ 3.13's HTTP API),
 * as ordered maps ready for Jackson. Only the common fields: what Warren knows.
 */
final class ApiViews {
    private ApiViews() {}

    /** A queue that runs on some node, with that node's figures. */
    static Map<String, Object> runningQueue(QueueFigures q, String node) {
        Map<String, Object> m = queueBase(q.vhost(), q.name(), q.durable(), q.autoDelete(), q.exclusive(), q.arguments());
        m.put("messages", q.messages());
        m.put("messages_ready", q.messagesReady());
        m.put("messages_unacknowledged", q.messagesUnacked());
        m.put("message_bytes_ready", q.readyBytes());
        m.put("consumers", q.consumers());
        m.put("state", "running");
        m.put("node", node);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("publish", q.published());
        stats.put("deliver_get", q.delivered());
        stats.put("ack", q.acked());
        m.put("message_stats", stats);
        return m;
    }

    /**
     * A queue that held messages when last seen running and that no node reports now: it is recovering from the
     * journal (after a failed write, a failover or a move). Its last known figures, not zeros: it still holds them.
     */
    static Map<String, Object> recoveringQueue(QueueFigures last) {
        Map<String, Object> m = runningQueue(last, null);
        m.remove("node");
        m.put("consumers", 0);
        m.put("state", "recovering");
        return m;
    }

    /**
     * A queue no node runs right now: passivated because it was idle (no messages, no consumers), or between
     * nodes while it moves. Only durable queues passivate; its node is unknown until something wakes it,
     * and its arguments are those it had when this node last saw it running ({} if never).
     */
    static Map<String, Object> idleQueue(String vhost, String name, Map<String, Object> arguments) {
        Map<String, Object> m = queueBase(vhost, name, true, false, false, arguments);
        m.put("messages", 0);
        m.put("messages_ready", 0);
        m.put("messages_unacknowledged", 0);
        m.put("message_bytes_ready", 0);
        m.put("consumers", 0);
        m.put("state", "idle");
        return m;
    }

    private static Map<String, Object> queueBase(String vhost, String name, boolean durable, boolean autoDelete,
                                                 boolean exclusive, Map<String, Object> arguments) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("vhost", vhost);
        m.put("type", "classic");
        m.put("durable", durable);
        m.put("auto_delete", autoDelete);
        m.put("exclusive", exclusive);
        m.put("arguments", arguments);
        return m;
    }

    static Map<String, Object> exchange(String vhost, ExchangeDefinition e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.name());
        m.put("vhost", vhost);
        m.put("type", e.type().wireName());
        m.put("durable", e.durable());
        m.put("auto_delete", e.autoDelete());
        m.put("internal", e.internal());
        m.put("arguments", table(e.arguments()));
        return m;
    }

    static Map<String, Object> binding(String vhost, Binding b) {
        return binding(vhost, b.source(), b.destination().name(), b.destination().isQueue() ? "queue" : "exchange",
                b.routingKey(), b.arguments());
    }

    /** RabbitMQ lists the default exchange's implicit binding to every queue (routing key = queue name). */
    static Map<String, Object> defaultBinding(String vhost, String queue) {
        return binding(vhost, "", queue, "queue", queue, Map.of());
    }

    private static Map<String, Object> binding(String vhost, String source, String destination, String type,
                                               String routingKey, Map<String, Object> arguments) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source);
        m.put("vhost", vhost);
        m.put("destination", destination);
        m.put("destination_type", type);
        m.put("routing_key", routingKey);
        m.put("arguments", table(arguments));
        // RabbitMQ's key for DELETE /api/bindings/...: "~" for no key and no arguments, else the key
        // (RabbitMQ appends a hash of the arguments when there are any)
        String propertiesKey = routingKey.isEmpty() && arguments.isEmpty() ? "~"
                : arguments.isEmpty() ? routingKey
                : routingKey + "~" + Integer.toUnsignedString(arguments.hashCode(), 36);
        m.put("properties_key", propertiesKey);
        return m;
    }

    /** An AMQP field table as JSON: byte arrays as text, nested tables and arrays converted likewise. */
    static Map<String, Object> table(Map<String, Object> table) {
        Map<String, Object> m = new LinkedHashMap<>();
        table.forEach((k, v) -> m.put(k, value(v)));
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Object value(Object v) {
        if (v == null || v instanceof String || v instanceof Number && !(v instanceof BigDecimal)
                || v instanceof Boolean) {
            return v;
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (v instanceof Date date) {
            return date.getTime() / 1000;
        }
        if (v instanceof Map<?, ?> nested) {
            return table((Map<String, Object>) nested);
        }
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(item -> out.add(value(item)));
            return out;
        }
        return v.toString();
    }

    /** RabbitMQ's error body: {"error": ..., "reason": ...}. */
    static Map<String, Object> error(String error, String reason) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", error);
        m.put("reason", reason);
        return m;
    }
}
