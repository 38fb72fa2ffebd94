package io.warren.amqp.frame;

import org.apache.pekko.util.ByteString;

/** A content body frame (type 3); the payload is a slice of the bytes the parser was fed, not a copy. */
public record ContentBodyFrame(int channel, ByteString payload) implements Frame {}
