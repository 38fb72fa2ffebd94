package io.warren.core.queue;

/**
 * Something the queue actor must do as a result of a command, in the order {@link QueueState#takeEffects()}
 * returns them. The state has already changed as if the effect happened; the actor persists {@link Journal}
 * events (before confirming publishes) and carries out the rest.
 */
public sealed interface QueueEffect {

    /**
     * Send basic.deliver to a consumer. {@code deliveryId} is the queue's own monotonic id; the channel maps it
     * to its delivery tag. For a no-ack consumer the message is already settled.
     */
    record Deliver(ConsumerKey consumer, long deliveryId, Message message, boolean redelivered)
            implements QueueEffect {}

    /**
     * Publish {@code message} (already carrying the updated x-death and x-first/last-death headers, expiration
     * removed) to {@code exchange} with {@code routingKey}. Before routing, drop every target queue for which
     * {@link #cyclesInto(String)} holds (RabbitMQ's dead-letter cycle rule). When the target queues have
     * accepted it (or it was unroutable / dropped), call {@link QueueState#deadLetterSettled(long)} with
     * {@code seq}: only then is a persistent message's removal journalled, so a crash in between leaves it in
     * the source queue.
     */
    record DeadLetter(long seq, Message message, String exchange, String routingKey) implements QueueEffect {
        /** Whether delivering this dead letter to {@code targetQueue} (same vhost) would close a cycle with no
         *  "rejected" death in it, in which case RabbitMQ drops it for that queue. */
        public boolean cyclesInto(String targetQueue) {
            return DeathHeaders.isCycle(message, targetQueue);
        }

        /**
         * The keys to route it with: its routing key, plus its CC keys when it kept them (no
         * x-dead-letter-routing-key), as RabbitMQ dead-letters with the message's original routing keys.
         */
        public java.util.List<String> routingKeys() {
            return DeathHeaders.routingKeys(message);
        }
    }

    /** Persist this event (batch as many as you like into one write). */
    record Journal(QueueEvent event) implements QueueEffect {}

    /** x-overflow reject-publish(-dlx) refused this message: the channel nacks it (publisher confirms). */
    record PublishRejected(String messageId) implements QueueEffect {}

    /** The server cancelled this consumer (queue deleted): send basic.cancel if the client supports
     *  consumer_cancel_notify. */
    record ConsumerCancelled(ConsumerKey consumer) implements QueueEffect {}

    /**
     * A delivery on this channel stayed unacknowledged longer than x-consumer-timeout. RabbitMQ closes the
     * channel with 406 PRECONDITION_FAILED "delivery acknowledgement on channel N timed out. Timeout value used:
     * T ms. This timeout value can be configured, see consumers doc guide to learn more"; the broker does that
     * and then calls {@link QueueState#channelClosed(String)}. Emitted once per channel.
     */
    record DeliveryTimedOut(String channelId, long deliveryId, long timeoutMillis) implements QueueEffect {}
}
