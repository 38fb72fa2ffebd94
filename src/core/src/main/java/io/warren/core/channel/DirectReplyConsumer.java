package io.warren.core.channel;

import io.warren.amqp.AmqpException;
import io.warren.amqp.method.QueueDeclare;
import io.warren.amqp.method.QueueDeclareOk;
import io.warren.core.names.Names;

/**
 * RabbitMQ's direct reply-to as one channel sees it: at most one reply consumer (basic.consume on
 * {@code amq.rabbitmq.reply-to}, no-ack only), the secret key replies must carry to reach it, and the reply-to
 * address its publishes carry. No queue, nothing to ack: replies go straight to the channel. The broker makes the
 * key and the address (they name the connection actor) and carries the replies.
 */
public final class DirectReplyConsumer {

    /** The pseudo-queue a reply consumer consumes from. */
    public static final String QUEUE = PublishRules.REPLY_TO_QUEUE;
    /** Routing keys that address some channel's reply consumer start with this. */
    public static final String PREFIX = QUEUE + ".";

    private String tag;
    private String key;
    private String replyTo;

    /** Whether a routing key (of a publish to the default exchange) addresses a reply consumer. */
    public static boolean isReplyKey(String routingKey) {
        return routingKey.startsWith(PREFIX);
    }

    /** Whether a queue.declare names the pseudo-queue or a reply address rather than a queue. */
    public static boolean isReplyQueue(String queue) {
        return queue.startsWith(QUEUE);
    }

    /**
     * A queue.declare (passive or not) of the pseudo-queue itself is answered at once; of a reply address only once
     * the consumer it names is known to exist.
     */
    public static boolean answeredAtOnce(QueueDeclare d) {
        return d.queue().equals(QUEUE);
    }

    /** What RabbitMQ answers such a declare while the consumer exists: declare-ok, 0 messages and 1 consumer. */
    public static QueueDeclareOk declareOk(QueueDeclare d) {
        return d.noWait() ? null : new QueueDeclareOk(d.queue(), 0, 1);
    }

    /** ... and when it does not: 404 as for any missing queue. */
    public static AmqpException notFound(String queue, String vhost) {
        return Names.noQueue(queue, vhost);
    }

    /** basic.consume on the pseudo-queue must be no-ack (406) and the channel's only reply consumer (406). */
    public void checkConsume(boolean noAck) {
        if (!noAck) throw ChannelCore.precondition("reply consumer cannot acknowledge");
        if (active()) throw ChannelCore.precondition("reply consumer already set");
    }

    /** The reply consumer is set up ({@link #checkConsume} passed): replies with {@code key} reach it. */
    public void consume(String tag, String key, String replyTo) {
        if (active()) throw new IllegalStateException("reply consumer already set");
        this.tag = tag;
        this.key = key;
        this.replyTo = replyTo;
    }

    /** basic.cancel of {@code tag}: true (and gone) when it is the reply consumer's. */
    public boolean cancel(String tag) {
        if (!active() || !this.tag.equals(tag)) return false;
        clear();
        return true;
    }

    public boolean active() {
        return tag != null;
    }

    /** Whether a reply carrying {@code key} is for this consumer (a cancelled one's replies are dropped). */
    public boolean holds(String key) {
        return active() && this.key.equals(key);
    }

    public String tag() {
        return tag;
    }

    /** The address publishes with reply-to {@code amq.rabbitmq.reply-to} carry instead; null when there is none. */
    public String replyTo() {
        return replyTo;
    }

    /** The channel closes: the consumer is gone. */
    public void clear() {
        tag = null;
        key = null;
        replyTo = null;
    }
}
