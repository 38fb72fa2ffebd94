package io.warren.core.queue;

/** A message handed out with ack required, waiting for ack/reject/requeue. consumer is null for basic.get. */
final class UnackedDelivery {
    final long deliveryId;
    final QueuedMessage message;
    final QueueConsumer consumer;
    final long deliveredAt;

    UnackedDelivery(long deliveryId, QueuedMessage message, QueueConsumer consumer, long deliveredAt) {
        this.deliveryId = deliveryId;
        this.message = message;
        this.consumer = consumer;
        this.deliveredAt = deliveredAt;
    }
}
