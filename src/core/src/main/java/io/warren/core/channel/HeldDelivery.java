package io.warren.core.channel;

/**
 * A delivery a queue sent for a consumer of this channel that waits for the channel-wide prefetch limit (basic.qos
 * global=true) to allow it; {@code delivery} is the broker's message, opaque here.
 */
public record HeldDelivery<D>(String queue, String consumerTag, long deliveryId, boolean ackRequired, D delivery) {}
