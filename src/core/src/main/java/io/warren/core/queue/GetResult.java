package io.warren.core.queue;

/**
 * The answer to basic.get when the queue had a message.
 *
 * @param deliveryId          the queue's delivery id (ack/reject it with this id unless no-ack)
 * @param message             the message
 * @param redelivered         whether it was delivered before (requeued, or recovered after a restart)
 * @param messageCountAfter   ready messages left after this one: get-ok's message-count
 */
public record GetResult(long deliveryId, Message message, boolean redelivered, int messageCountAfter) {}
