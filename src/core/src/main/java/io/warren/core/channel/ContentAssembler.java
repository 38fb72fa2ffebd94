package io.warren.core.channel;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.frame.ContentBodyFrame;
import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.method.BasicPublish;
import io.warren.amqp.method.Method;
import java.util.Optional;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Puts a content-carrying method, its content header and its body frames together, as RabbitMQ's
 * {@code rabbit_command_assembler} does. A frame out of that order is a connection error 505 UNEXPECTED_FRAME with
 * RabbitMQ's texts (attributed to the method in progress, if any). The only content method a client sends is
 * basic.publish.
 */
public final class ContentAssembler {

    private final long maxBodySize;
    private BasicPublish method;
    private boolean headerSeen;
    private io.warren.amqp.EncodedProperties properties;
    private long remaining;
    private ByteStringBuilder body;

    /** {@code maxBodySize}: a header announcing more is refused with 406 (RabbitMQ's max_message_size). */
    public ContentAssembler(long maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    /** Whether a publish waits for its header or body: any other frame on the channel is then an error. */
    public boolean inProgress() {
        return method != null;
    }

    /** A method frame arrived. Throws 505 while content is expected; a basic.publish starts assembly. */
    public void onMethod(Method m) {
        if (method != null) {
            throw unexpected(headerSeen ? "expected content body, got non content body frame instead"
                    : "expected content header for class 60, got non content header frame instead", method);
        }
        if (m instanceof BasicPublish p) method = p;
    }

    /**
     * A content header arrived: the publish when its body is empty, else nothing yet. Throws 505 when no content
     * method precedes it or its class is not the method's; 406 (channel) when the body is over the limit (the rest of
     * that content is then the caller's to ignore: the channel closes).
     */
    public Optional<AssembledPublish> onHeader(ContentHeaderFrame h) {
        if (method == null) throw unexpected("expected method frame, got non method frame instead", null);
        if (headerSeen) throw unexpected("expected content body, got non content body frame instead", method);
        if (h.classId() != BasicPublish.CLASS_ID) {
            throw unexpected("expected content header for class " + BasicPublish.CLASS_ID + ", got one for class "
                    + h.classId() + " instead", method);
        }
        if (h.undecodable() != null) throw h.undecodable();
        if (Long.compareUnsigned(h.bodySize(), maxBodySize) > 0) {
            BasicPublish p = method;
            reset();
            throw new AmqpException(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED,
                    "message size " + Long.toUnsignedString(h.bodySize()) + " is larger than configured max size "
                            + maxBodySize), p.classId(), p.methodId(), false);
        }
        headerSeen = true;
        properties = h.properties();
        remaining = h.bodySize();
        return remaining == 0 ? Optional.of(complete(ByteString.emptyByteString())) : Optional.empty();
    }

    /** A body frame arrived: the publish once the body is whole. Throws 505 when no header precedes it. */
    public Optional<AssembledPublish> onBody(ContentBodyFrame b) {
        if (!headerSeen) {
            throw unexpected(method == null ? "expected method frame, got non method frame instead"
                    : "expected content header for class 60, got non content header frame instead", method);
        }
        long size = b.payload().size();
        if (size > remaining) {
            throw AmqpException.connection(ReplyCodes.FRAME_ERROR, ReplyCodes.text(ReplyCodes.FRAME_ERROR,
                    "content body is longer than the header's body size"));
        }
        remaining -= size;
        if (remaining == 0 && body == null) return Optional.of(complete(b.payload())); // one frame: keep the slice
        if (body == null) body = new ByteStringBuilder();
        body.append(b.payload());
        return remaining == 0 ? Optional.of(complete(body.result())) : Optional.empty();
    }

    /** Forgets a partly assembled publish (the channel closed). */
    public void reset() {
        method = null;
        headerSeen = false;
        properties = null;
        remaining = 0;
        body = null;
    }

    private AssembledPublish complete(ByteString bytes) {
        AssembledPublish done = new AssembledPublish(method, properties, bytes);
        reset();
        return done;
    }

    private static AmqpException unexpected(String text, Method during) {
        return new AmqpException(ReplyCodes.UNEXPECTED_FRAME, ReplyCodes.text(ReplyCodes.UNEXPECTED_FRAME, text),
                during == null ? 0 : during.classId(), during == null ? 0 : during.methodId(), true);
    }
}
