package io.warren.core.channel;

/**
 * A delivery the client has to settle: its channel delivery tag, the queue and the queue's own delivery id, and the
 * consumer it went to (null for basic.get).
 */
public record Unacked(long tag, String queue, long deliveryId, String consumerTag) {}
