package io.warren.core.names;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Rules about exchange and queue names, and RabbitMQ's reply texts for breaking them.
 * The error factories return (not throw) the exception so the broker decides where to throw and can
 * attribute it to the method that caused it with {@link AmqpException#causedBy(int, int)}.
 */
public final class Names {
    private Names() {}

    /** Names an AMQP shortstr can carry: 255 bytes of UTF-8. */
    public static final int MAX_SHORTSTR_BYTES = 255;

    public static final String RESERVED_PREFIX = "amq.";
    public static final String GENERATED_QUEUE_PREFIX = "amq.gen-";
    public static final String DEFAULT_EXCHANGE = "";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    /** A server-named queue: "amq.gen-" and 128 random bits in unpadded base64url (22 chars), as RabbitMQ. */
    public static String generateQueueName() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return GENERATED_QUEUE_PREFIX + BASE64URL.encodeToString(bits);
    }

    /** Names starting with "amq." belong to the broker: clients may not declare them. */
    public static boolean isReserved(String name) {
        return name.startsWith(RESERVED_PREFIX);
    }

    /** UTF-8 length of a name as String.getBytes(UTF_8) encodes it, counted without allocating. */
    public static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                bytes += 1; // String.getBytes(UTF_8) writes '?' for an unpaired surrogate
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * A name that travels back to clients in a shortstr field must fit in 255 UTF-8 bytes. Names decoded
     * from the wire always do; this guards names from other sources (management API, generated names).
     * Throws 406 PRECONDITION_FAILED (channel level), naming what was too long.
     */
    public static void validateShortstr(String name, String what) {
        int length = utf8Length(name);
        if (length > MAX_SHORTSTR_BYTES) {
            throw AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED,
                    what + " too long: " + length + " bytes of UTF-8, at most " + MAX_SHORTSTR_BYTES + " allowed"));
        }
    }

    /** RabbitMQ's rabbit_misc:rs/1 form: "exchange 'x' in vhost '/'". */
    public static String describe(String kind, String name, String vhost) {
        return kind + " '" + name + "' in vhost '" + vhost + "'";
    }

    /** 403 "ACCESS_REFUSED - exchange name 'amq.foo' contains reserved prefix 'amq.*'". */
    public static AmqpException reservedExchangeName(String name) {
        return reservedName("exchange", name);
    }

    /** 403 "ACCESS_REFUSED - queue name 'amq.x' contains reserved prefix 'amq.*'". */
    public static AmqpException reservedQueueName(String name) {
        return reservedName("queue", name);
    }

    private static AmqpException reservedName(String kind, String name) {
        return AmqpException.channel(ReplyCodes.ACCESS_REFUSED, ReplyCodes.text(ReplyCodes.ACCESS_REFUSED,
                kind + " name '" + name + "' contains reserved prefix 'amq.*'"));
    }

    /** 403 "ACCESS_REFUSED - operation not permitted on the default exchange" (declare, delete, bind to or from ""). */
    public static AmqpException defaultExchangeForbidden() {
        return AmqpException.channel(ReplyCodes.ACCESS_REFUSED, ReplyCodes.text(ReplyCodes.ACCESS_REFUSED,
                "operation not permitted on the default exchange"));
    }

    /** 403 "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed". */
    public static AmqpException systemExchangeDeletion(String name, String vhost) {
        return AmqpException.channel(ReplyCodes.ACCESS_REFUSED, ReplyCodes.text(ReplyCodes.ACCESS_REFUSED,
                "deletion of system " + describe("exchange", name, vhost) + " not allowed"));
    }

    /** 403 "ACCESS_REFUSED - cannot publish to internal exchange 'x' in vhost '/'". */
    public static AmqpException internalExchangePublish(String name, String vhost) {
        return AmqpException.channel(ReplyCodes.ACCESS_REFUSED, ReplyCodes.text(ReplyCodes.ACCESS_REFUSED,
                "cannot publish to internal " + describe("exchange", name, vhost)));
    }

    /** 404 "NOT_FOUND - no exchange 'x' in vhost '/'". */
    public static AmqpException noExchange(String name, String vhost) {
        return notFound("exchange", name, vhost);
    }

    /** 404 "NOT_FOUND - no queue 'q' in vhost '/'". */
    public static AmqpException noQueue(String name, String vhost) {
        return notFound("queue", name, vhost);
    }

    private static AmqpException notFound(String kind, String name, String vhost) {
        return AmqpException.channel(ReplyCodes.NOT_FOUND, ReplyCodes.text(ReplyCodes.NOT_FOUND,
                "no " + describe(kind, name, vhost)));
    }

    /** 406 "PRECONDITION_FAILED - exchange 'x' in vhost '/' in use" (exchange.delete with if-unused). */
    public static AmqpException exchangeInUse(String name, String vhost) {
        return AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED,
                describe("exchange", name, vhost) + " in use"));
    }
}
