package io.warren.amqp.frame;

import io.warren.amqp.BasicProperties;

/**
 * A content header frame (type 2). Properties are decoded for class basic (60); for any other class (which the
 * connection must reject anyway: only basic methods carry content) they are {@link BasicProperties#EMPTY}.
 */
public record ContentHeaderFrame(int channel, int classId, long bodySize, BasicProperties properties) implements Frame {}
