package io.warren.broker.protocol;

import io.warren.core.queue.Message;

/**
 * One message handed from a queue to a channel: for a consumer (consumerTag set) or for basic.get
 * (consumerTag null, messageCount = what is left in the queue).
 */
public record QueueDelivery(String consumerTag, long deliveryId, Message message, boolean redelivered, int messageCount) {}
