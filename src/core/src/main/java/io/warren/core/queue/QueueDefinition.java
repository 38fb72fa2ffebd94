package io.warren.core.queue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.core.FieldTableValues;
import java.util.Map;
import java.util.Objects;

/**
 * A queue as declared: vhost, name, flags and the raw argument table (kept as declared so a redeclare can be
 * compared the way RabbitMQ compares it).
 */
public record QueueDefinition(String vhost, String name, boolean durable, boolean exclusive, boolean autoDelete,
                              Map<String, Object> arguments) {

    public QueueDefinition {
        Objects.requireNonNull(vhost, "vhost");
        Objects.requireNonNull(name, "name");
        arguments = arguments == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(arguments));
    }

    /** RabbitMQ's rendering of a queue resource: {@code queue 'q' in vhost '/'}. */
    public static String resourceName(String vhost, String name) {
        return "queue '" + name + "' in vhost '" + vhost + "'";
    }

    public String resourceName() {
        return resourceName(vhost, name);
    }

    /**
     * A redeclare of an existing queue must match it, as RabbitMQ's rabbit_amqqueue:assert_equivalence checks:
     * exclusive first (405 RESOURCE_LOCKED; whether the declaring connection owns an exclusive queue is the
     * broker's check), then durable and auto_delete, then every argument of {@link QueueArguments#DECLARE_KEYS}
     * (406 PRECONDITION_FAILED "inequivalent arg ..."). Integer arguments of different integer types are equal
     * when their values are; an absent x-queue-type equals "classic". Other arguments are not compared.
     */
    public void checkEquivalent(QueueDefinition requested) {
        if (exclusive != requested.exclusive) {
            throw AmqpException.channel(ReplyCodes.RESOURCE_LOCKED, ReplyCodes.text(ReplyCodes.RESOURCE_LOCKED,
                    "cannot obtain exclusive access to locked " + resourceName() + ". It could be originally "
                            + "declared on another connection or the exclusive property value does not match "
                            + "that of the original declaration."));
        }
        checkField("durable", durable, requested.durable);
        checkField("auto_delete", autoDelete, requested.autoDelete);
        for (String key : QueueArguments.DECLARE_KEYS) {
            Object current = arguments.get(key);
            Object received = requested.arguments.get(key);
            if (!argEquivalent(key, current, received)) {
                throw inequivalent(key, describe(received), describe(current));
            }
        }
    }

    private void checkField(String field, boolean current, boolean received) {
        if (current != received) {
            throw inequivalent(field, "'" + received + "'", "'" + current + "'");
        }
    }

    private AmqpException inequivalent(String key, String received, String current) {
        return AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED,
                "inequivalent arg '" + key + "' for " + resourceName() + ": received " + received
                        + " but current is " + current));
    }

    private static boolean argEquivalent(String key, Object current, Object received) {
        if (current == null && received == null) return true;
        if (key.equals("x-queue-type")) {
            if (current == null && "classic".equals(FieldTableValues.string(received))) return true;
            if (received == null && "classic".equals(FieldTableValues.string(current))) return true;
        }
        if (current == null || received == null) return false;
        if (!FieldTableValues.typeClassWithBytesAsLongstr(current).equals(FieldTableValues.typeClassWithBytesAsLongstr(received))) return false;
        if (FieldTableValues.isInteger(current) && FieldTableValues.isInteger(received)) {
            return FieldTableValues.longValue(current) == FieldTableValues.longValue(received);
        }
        if (FieldTableValues.isString(current)) {
            return FieldTableValues.string(current).equals(FieldTableValues.string(received));
        }
        if (current instanceof Number a && received instanceof Number b) {
            return a.doubleValue() == b.doubleValue();
        }
        return current.equals(received);
    }

    /** rabbit_misc:val/1: "the value '10' of type 'signedint'", or "none" when absent. */
    private static String describe(Object v) {
        if (v == null) return "none";
        String value = FieldTableValues.isString(v) ? FieldTableValues.string(v) : String.valueOf(v);
        return "the value '" + value + "' of type '" + FieldTableValues.typeNameWithBytesAsLongstr(v) + "'";
    }
}
