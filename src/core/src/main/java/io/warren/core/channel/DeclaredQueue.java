package io.warren.core.channel;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;

/**
 * The spec's shortcuts for the channel's most recently declared queue: an empty queue name in queue.bind, unbind,
 * purge, delete, basic.consume and basic.get means that queue (404 "no previously declared queue" when there is
 * none), and queue.bind with both queue name and routing key empty binds with the queue's name as routing key.
 */
public final class DeclaredQueue {

    private String last;

    /** queue.declare answered for {@code name} (generated or given). */
    public void declared(String name) {
        last = name;
    }

    public String queue(String requested) {
        if (!requested.isEmpty()) return requested;
        if (last == null) {
            throw AmqpException.channel(ReplyCodes.NOT_FOUND, ReplyCodes.text(ReplyCodes.NOT_FOUND, "no previously declared queue"));
        }
        return last;
    }

    /** The routing key of a queue.bind/unbind that named {@code requestedQueue} and {@code requestedKey}. */
    public String routingKey(String requestedQueue, String requestedKey) {
        if (requestedQueue.isEmpty() && requestedKey.isEmpty()) return queue(requestedQueue);
        return requestedKey;
    }
}
