package io.warren.amqp.frame;

import io.warren.amqp.AmqpException;
import io.warren.amqp.BasicProperties;
import io.warren.amqp.EncodedProperties;

/**
 * A content header frame (type 2). Properties are kept encoded, as they arrived, for class basic (60); for any other
 * class (which the connection must reject anyway: only basic methods carry content) they are
 * {@link EncodedProperties#EMPTY}.
 */
public record ContentHeaderFrame(int channel, int classId, long bodySize, EncodedProperties properties,
                                 AmqpException undecodable) implements Frame {

    public ContentHeaderFrame {
        if (properties == null) properties = EncodedProperties.EMPTY;
    }

    public ContentHeaderFrame(int channel, int classId, long bodySize, EncodedProperties properties) {
        this(channel, classId, bodySize, properties, null);
    }

    public ContentHeaderFrame(int channel, int classId, long bodySize, BasicProperties properties) {
        this(channel, classId, bodySize, EncodedProperties.of(properties), null);
    }

    /**
     * A header whose properties could not be decoded: like RabbitMQ, which decodes them only for a publish that
     * expects this header, the channel first checks that a header may come at all (505) and only then reports
     * {@code error} (501).
     */
    public static ContentHeaderFrame undecodable(int channel, int classId, long bodySize, AmqpException error) {
        return new ContentHeaderFrame(channel, classId, bodySize, EncodedProperties.EMPTY, error);
    }
}
