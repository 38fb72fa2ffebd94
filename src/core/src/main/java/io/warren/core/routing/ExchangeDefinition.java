package io.warren.core.routing;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.core.FieldTableValues;
import io.warren.core.names.Names;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** What exchange.declare establishes: name, type, flags and arguments. Arguments are copied and unmodifiable. */
public record ExchangeDefinition(String name, ExchangeType type, boolean durable, boolean autoDelete,
                                 boolean internal, Map<String, Object> arguments) {

    /** The only exchange argument RabbitMQ interprets (and compares on redeclaration). */
    public static final String ALTERNATE_EXCHANGE = "alternate-exchange";

    public ExchangeDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        arguments = arguments == null || arguments.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
    }

    /** A durable, non-auto-delete, non-internal exchange without arguments. */
    public static ExchangeDefinition durable(String name, ExchangeType type) {
        return new ExchangeDefinition(name, type, true, false, false, Map.of());
    }

    /** The alternate exchange named by a longstr "alternate-exchange" argument; other types are ignored. */
    public Optional<String> alternateExchange() {
        return Optional.ofNullable(alternateExchangeOrNull());
    }

    String alternateExchangeOrNull() {
        return arguments.get(ALTERNATE_EXCHANGE) instanceof String ae ? ae : null;
    }

    /**
     * Throws RabbitMQ's 406 when a redeclaration asks for something other than what exists. Compared in
     * RabbitMQ's order: type, durable, auto_delete, internal, then the alternate-exchange argument (the only
     * argument RabbitMQ compares; the rest are accepted and ignored).
     */
    public void checkEquivalent(ExchangeDefinition requested, String vhost) {
        if (type != requested.type) {
            throw inequivalent("type", "'" + requested.type.wireName() + "'", "'" + type.wireName() + "'", vhost);
        }
        if (durable != requested.durable) {
            throw inequivalent("durable", "'" + requested.durable + "'", "'" + durable + "'", vhost);
        }
        if (autoDelete != requested.autoDelete) {
            throw inequivalent("auto_delete", "'" + requested.autoDelete + "'", "'" + autoDelete + "'", vhost);
        }
        if (internal != requested.internal) {
            throw inequivalent("internal", "'" + requested.internal + "'", "'" + internal + "'", vhost);
        }
        checkArgumentEquivalent(ALTERNATE_EXCHANGE, requested, vhost);
    }

    private void checkArgumentEquivalent(String key, ExchangeDefinition requested, String vhost) {
        boolean hasCurrent = arguments.containsKey(key);
        boolean hasRequested = requested.arguments.containsKey(key);
        Object current = arguments.get(key);
        Object wanted = requested.arguments.get(key);
        if (!hasCurrent && !hasRequested) {
            return;
        }
        if (hasCurrent && hasRequested) {
            // rabbit_misc:assert_args_equivalence: same type class (all integers alike) and == on the values
            if (FieldTableValues.typeClass(current).equals(FieldTableValues.typeClass(wanted))
                    && FieldTableValues.headerValueMatches(current, wanted)) {
                return;
            }
        }
        throw inequivalent(key, describeArgument(hasRequested, wanted), describeArgument(hasCurrent, current), vhost);
    }

    private static String describeArgument(boolean present, Object value) {
        if (!present) {
            return "none";
        }
        return "the value '" + FieldTableValues.format(value) + "' of type '" + FieldTableValues.typeName(value) + "'";
    }

    private AmqpException inequivalent(String field, String received, String current, String vhost) {
        return AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED,
                "inequivalent arg '" + field + "' for " + Names.describe("exchange", name, vhost)
                        + ": received " + received + " but current is " + current));
    }

    /**
     * Checks the arguments RabbitMQ checks on exchange.declare: alternate-exchange must be a longstr.
     * Throws 406 "PRECONDITION_FAILED - invalid type 'signedint' for arg 'alternate-exchange'".
     * The broker should prefer {@link #validateArguments(Map, String, String)}, whose text also names the
     * exchange as RabbitMQ's does.
     */
    public static void validateArguments(Map<String, Object> args) {
        validate(args, "");
    }

    /** As {@link #validateArguments(Map)}, with RabbitMQ's full text: "... for arg 'alternate-exchange' in exchange 'x' in vhost '/'". */
    public static void validateArguments(Map<String, Object> args, String exchange, String vhost) {
        validate(args, " in " + Names.describe("exchange", exchange, vhost));
    }

    private static void validate(Map<String, Object> args, String where) {
        if (args == null || !args.containsKey(ALTERNATE_EXCHANGE)) {
            return;
        }
        Object ae = args.get(ALTERNATE_EXCHANGE);
        if (!(ae instanceof String)) {
            throw AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED,
                    "invalid type '" + FieldTableValues.typeName(ae) + "' for arg '" + ALTERNATE_EXCHANGE + "'" + where));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof ExchangeDefinition d
                && name.equals(d.name) && type == d.type && durable == d.durable && autoDelete == d.autoDelete
                && internal == d.internal && FieldTableValues.sameTable(arguments, d.arguments);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, durable, autoDelete, internal) * 31 + FieldTableValues.tableHash(arguments);
    }
}
