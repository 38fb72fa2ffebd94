package io.warren.core.queue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.core.FieldTableValues;
import java.math.BigInteger;

/**
 * The per-message TTL carried in the expiration property: a decimal string of milliseconds, parsed as
 * RabbitMQ's rabbit_basic:parse_expiration does (Erlang string:to_integer, then the timer range check).
 */
final class MessageExpiration {
    private MessageExpiration() {}

    private static final BigInteger MAX = BigInteger.valueOf(QueueArguments.MAX_EXPIRY);

    /** The TTL in ms, or null when absent or invalid (an invalid one never reaches a queue: the channel
     *  refuses it with {@link #validate}). */
    static Long ttl(String expiration) {
        if (expiration == null) return null;
        return error(expiration) == null ? Long.valueOf(expiration.startsWith("+")
                ? expiration.substring(1) : expiration) : null;
    }

    /** Throws 406 with RabbitMQ's text when {@code expiration} is set and not a valid TTL. */
    static void validate(String expiration) {
        if (expiration == null) return;
        String error = error(expiration);
        if (error != null) {
            throw AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(
                    ReplyCodes.PRECONDITION_FAILED, "invalid expiration '" + expiration + "': " + error));
        }
    }

    /** The Erlang term RabbitMQ reports for an invalid expiration, or null when valid. */
    private static String error(String s) {
        int i = 0;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
        int digitsStart = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        if (i == digitsStart) return "no_integer";
        if (i < s.length()) return "{leftover_string," + FieldTableValues.erlangString(s.substring(i)) + "}";
        BigInteger n = new BigInteger(s.charAt(0) == '+' ? s.substring(1) : s);
        if (n.compareTo(MAX) > 0) return "{value_too_big," + n + "}";
        if (n.signum() < 0) return "{value_negative," + n + "}";
        return null;
    }
}
