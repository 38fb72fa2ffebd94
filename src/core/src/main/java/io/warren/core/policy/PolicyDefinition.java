package io.warren.core.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys a policy definition may hold and their values, checked as RabbitMQ 3.10's rabbit_policies and
 * rabbit_mirror_queue_misc check them, with their texts (e.g. {@code -1 is not a valid message TTL},
 * {@code [{<<"foo">>,<<"bar">>}] are not recognised policy settings}). Known keys are checked in the definition's
 * order, then unknown ones reported together. Operator policies take only the numeric limits.
 *
 * <p>Warren acts on dead-letter-exchange, dead-letter-routing-key, message-ttl, expires, max-length,
 * max-length-bytes, overflow, delivery-limit (quorum queues) and alternate-exchange. The others are accepted so that
 * RabbitMQ definitions import, and do nothing: queue-mode, queue-version, max-in-memory-*, max-age,
 * stream-max-segment-size-bytes, queue-leader-locator, initial-cluster-size and the classic mirroring keys ha-*
 * (Warren's queues are replicated by the journal database). max-priority is not a policy key in RabbitMQ 3.10.
 */
public final class PolicyDefinition {
    /** The numeric limits: when a policy and an operator policy (or a queue argument) both set one, the lower wins. */
    public static final Set<String> LOWER_WINS = Set.of("expires", "message-ttl", "max-length", "max-length-bytes",
            "max-in-memory-length", "max-in-memory-bytes", "delivery-limit");

    private static final Set<String> OPERATOR_KEYS = LOWER_WINS;

    private PolicyDefinition() {}

    /** Throws {@link PolicyException} with RabbitMQ's reason when the definition cannot be set. */
    public static void validate(Map<String, Object> definition, boolean operator) {
        if (definition == null || definition.isEmpty()) throw new PolicyException("no policy provided");
        List<Map.Entry<String, Object>> unknown = new ArrayList<>();
        for (Map.Entry<String, Object> e : definition.entrySet()) {
            boolean known = operator ? OPERATOR_KEYS.contains(e.getKey()) : isPolicyKey(e.getKey());
            if (!known) {
                unknown.add(e);
                continue;
            }
            String error = check(e.getKey(), e.getValue());
            if (error != null) throw new PolicyException(error);
        }
        if (!unknown.isEmpty()) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < unknown.size(); i++) {
                if (i > 0) b.append(',');
                b.append("{<<\"").append(unknown.get(i).getKey()).append("\">>,")
                        .append(erlang(unknown.get(i).getValue())).append('}');
            }
            throw new PolicyException(b.append("] are not recognised policy settings").toString());
        }
    }

    private static boolean isPolicyKey(String key) {
        return switch (key) {
            case "alternate-exchange", "dead-letter-exchange", "dead-letter-routing-key", "message-ttl", "expires",
                 "max-length", "max-length-bytes", "max-in-memory-length", "max-in-memory-bytes", "queue-mode",
                 "queue-version", "overflow", "delivery-limit", "max-age", "stream-max-segment-size-bytes",
                 "queue-leader-locator", "initial-cluster-size", "ha-mode", "ha-params", "ha-sync-mode",
                 "ha-sync-batch-size", "ha-promote-on-shutdown", "ha-promote-on-failure" -> true;
            default -> false;
        };
    }

    /** RabbitMQ's reason for a bad value, or null. */
    private static String check(String key, Object v) {
        return switch (key) {
            case "alternate-exchange" -> v instanceof String ? null : erlang(v) + " is not a valid alternate exchange name";
            case "dead-letter-exchange" -> v instanceof String ? null : erlang(v) + " is not a valid dead letter exchange name";
            case "dead-letter-routing-key" -> v instanceof String ? null : erlang(v) + " is not a valid dead letter routing key";
            case "message-ttl" -> atLeast(v, 0) ? null : erlang(v) + " is not a valid message TTL";
            case "expires" -> atLeast(v, 1) ? null : erlang(v) + " is not a valid queue expiry";
            case "max-length" -> atLeast(v, 0) ? null : erlang(v) + " is not a valid maximum length";
            case "max-length-bytes" -> atLeast(v, 0) ? null : erlang(v) + " is not a valid maximum length in bytes";
            case "max-in-memory-length", "max-in-memory-bytes" ->
                    atLeast(v, 0) ? null : erlang(v) + " is not a valid maximum memory in bytes";
            case "queue-mode" -> "default".equals(v) || "lazy".equals(v) ? null : erlang(v) + " is not a valid queue-mode value";
            case "queue-version" -> Long.valueOf(1).equals(v) || Long.valueOf(2).equals(v) ? null
                    : erlang(v) + " is not a valid queue-version value";
            case "overflow" -> "drop-head".equals(v) || "reject-publish".equals(v) || "reject-publish-dlx".equals(v)
                    ? null : erlang(v) + " is not a valid overflow value";
            case "delivery-limit" -> atLeast(v, 0) ? null : erlang(v) + " is not a valid delivery limit";
            case "queue-leader-locator" -> "client-local".equals(v) || "random".equals(v) || "least-leaders".equals(v)
                    ? null : erlang(v) + " is not a valid queue leader locator value";
            case "initial-cluster-size" -> atLeast(v, 0) ? null : erlang(v) + " is not a valid cluster size";
            case "stream-max-segment-size-bytes" -> atLeast(v, 0) ? null : erlang(v) + " is not a valid segment size";
            case "ha-mode" -> "all".equals(v) || "exactly".equals(v) || "nodes".equals(v) ? null
                    : "ha-mode " + erlang(v) + " not recognised";
            default -> null; // max-age, ha-params, ha-sync-*, ha-promote-*: accepted as given, Warren ignores them
        };
    }

    private static boolean atLeast(Object v, long min) {
        return (v instanceof Long || v instanceof Integer) && ((Number) v).longValue() >= min;
    }

    /** A JSON value as Erlang's ~p prints the term RabbitMQ decoded it to. */
    static String erlang(Object v) {
        if (v instanceof String s) return "<<\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\">>";
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) b.append(',');
                b.append(erlang(l.get(i)));
            }
            return b.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("#{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) b.append(',');
                first = false;
                b.append(erlang(e.getKey())).append(" => ").append(erlang(e.getValue()));
            }
            return b.append('}').toString();
        }
        if (v == null) return "null";
        return String.valueOf(v);
    }
}
