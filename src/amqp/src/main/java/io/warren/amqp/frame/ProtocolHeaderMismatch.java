package io.warren.amqp.frame;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;

/**
 * The client did not open with "AMQP" 0 0 9 1. As RabbitMQ does, the connection answers with the 0-9-1 protocol
 * header ({@link FrameEncoder#protocolHeader()}) and closes, without any close method.
 */
public final class ProtocolHeaderMismatch extends AmqpException {
    public ProtocolHeaderMismatch(String detail) {
        super(ReplyCodes.FRAME_ERROR, "bad protocol header: " + detail, 0, 0, true);
    }
}
