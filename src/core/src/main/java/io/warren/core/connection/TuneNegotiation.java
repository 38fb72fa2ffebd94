package io.warren.core.connection;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;

/**
 * Checks connection.tune-ok against what the server offered in connection.tune, as RabbitMQ's reader does
 * (rabbit_reader:validate_negotiated_integer_value): frame-max below 4096, or a value above the server's offer
 * (0, "no limit", is above any non-zero offer), is 530 NOT_ALLOWED
 * {@code negotiated frame_max = 200000 is higher than the maximum allowed value (131072)}, reported against
 * connection.tune (10, 30). frame-max is checked before channel-max. (RabbitMQ 3.10 raises exactly this error but,
 * the connection not being open yet, only logs it and drops the socket 3 s later; Warren sends the connection.close.)
 */
public final class TuneNegotiation {
    private TuneNegotiation() {}

    /** The smallest frame-max a peer may ask for (AMQP 0-9-1 4.2.1: FRAME-MIN-SIZE). */
    public static final long FRAME_MIN_SIZE = 4096;
    /** RabbitMQ's smallest channel-max. */
    public static final long CHANNEL_MIN = 1;

    /** Throws the 530 when the client's tune-ok values fall outside the server's offer. */
    public static void check(long offeredChannelMax, long offeredFrameMax, long channelMax, long frameMax) {
        checkValue("frame_max", FRAME_MIN_SIZE, offeredFrameMax, frameMax);
        checkValue("channel_max", CHANNEL_MIN, offeredChannelMax, channelMax);
    }

    private static void checkValue(String field, long min, long offered, long requested) {
        if (requested != 0 && requested < min) {
            throw refused(field, requested, "lower", "minimum", min);
        }
        if (offered != 0 && (requested == 0 || requested > offered)) {
            throw refused(field, requested, "higher", "maximum", offered);
        }
    }

    private static AmqpException refused(String field, long requested, String comparison, String bound, long limit) {
        String detail = field.equals("channel_max") && requested == 0 ? " (no limit)" : "";
        return new AmqpException(ReplyCodes.NOT_ALLOWED, ReplyCodes.text(ReplyCodes.NOT_ALLOWED,
                "negotiated " + field + " = " + requested + detail + " is " + comparison + " than the " + bound
                        + " allowed value (" + limit + ")"), 10, 30, true);
    }
}
