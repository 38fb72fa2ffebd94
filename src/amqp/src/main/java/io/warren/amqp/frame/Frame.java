package io.warren.amqp.frame;

/**
 * One unit read from or written to an AMQP 0-9-1 connection: {@link ProtocolHeader} (pseudo-frame),
 * {@link MethodFrame}, {@link ContentHeaderFrame}, {@link ContentBodyFrame} or {@link HeartbeatFrame}.
 */
public sealed interface Frame permits ProtocolHeader, MethodFrame, ContentHeaderFrame, ContentBodyFrame, HeartbeatFrame {
}
