package io.warren.amqp.frame;

import io.warren.amqp.BasicProperties;
import io.warren.amqp.EncodedProperties;

/**
 * A content header frame (type 2). Properties are kept encoded, as they arrived, for class basic (60); for any other
 * class (which the connection must reject anyway: only basic methods carry content) they are
 * {@link EncodedProperties#EMPTY}.
 */
public record ContentHeaderFrame(int channel, int classId, long bodySize, EncodedProperties properties)
        implements Frame {

    public ContentHeaderFrame {
        if (properties == null) properties = EncodedProperties.EMPTY;
    }

    public ContentHeaderFrame(int channel, int classId, long bodySize, BasicProperties properties) {
        this(channel, classId, bodySize, EncodedProperties.of(properties));
    }
}
