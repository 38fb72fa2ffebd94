package io.warren.core.routing;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;

import java.util.Optional;

/** The exchange types Warren implements, by their AMQP wire names. */
public enum ExchangeType {
    DIRECT("direct"),
    FANOUT("fanout"),
    TOPIC("topic"),
    HEADERS("headers");

    private final String wireName;

    ExchangeType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** The type with this exact wire name (case-sensitive, as RabbitMQ), or empty. */
    public static Optional<ExchangeType> parse(String wireName) {
        for (ExchangeType type : values()) {
            if (type.wireName.equals(wireName)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }

    /** The type with this wire name, or the 503 RabbitMQ sends for a type it has never heard of. */
    public static ExchangeType parseOrThrow(String wireName) {
        return parse(wireName).orElseThrow(() -> unknownType(wireName));
    }

    /**
     * 503 "COMMAND_INVALID - invalid exchange type 'foo'": RabbitMQ's text for a type name that it knows
     * as a name but has no exchange module for (for example a plugin's type with the plugin disabled).
     */
    public static AmqpException invalidType(String wireName) {
        return AmqpException.channel(ReplyCodes.COMMAND_INVALID,
                ReplyCodes.text(ReplyCodes.COMMAND_INVALID, "invalid exchange type '" + wireName + "'"));
    }

    /**
     * 503 "COMMAND_INVALID - unknown exchange type 'foo'": RabbitMQ's text for a type name it has never
     * seen, which is what a client gets for a misspelt type in practice.
     */
    public static AmqpException unknownType(String wireName) {
        return AmqpException.channel(ReplyCodes.COMMAND_INVALID,
                ReplyCodes.text(ReplyCodes.COMMAND_INVALID, "unknown exchange type '" + wireName + "'"));
    }
}
