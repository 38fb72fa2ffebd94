package io.warren.broker.connection;

import io.warren.amqp.EncodedProperties;
import io.warren.amqp.frame.FrameEncoder;
import io.warren.amqp.method.BasicCancel;
import io.warren.amqp.method.BasicCancelOk;
import io.warren.amqp.method.BasicConsume;
import io.warren.amqp.method.BasicConsumeOk;
import io.warren.amqp.method.BasicDeliver;
import io.warren.amqp.method.BasicPublish;
import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.broker.protocol.ConnectionProtocol.DirectReply;
import io.warren.broker.protocol.ConnectionProtocol.ReplyConsumerQuery;
import io.warren.broker.protocol.QueueReply;
import io.warren.core.channel.DirectReplyConsumer;
import io.warren.core.queue.Message;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.util.ByteString;

/**
 * One channel's side of direct reply-to: its reply consumer (rules in core {@link DirectReplyConsumer}), the replies
 * it receives for it, the replies its publishes send to other channels' reply consumers, and the check that a reply
 * address a queue.declare names still has its consumer. Addresses are {@link DirectReplyTo} tokens.
 */
final class ChannelReplyTo {

    /** How long a declare of a reply address waits for the addressed connection; silence means no consumer. */
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(2);

    private final ConnectionActor conn;
    private final int number;
    private final DirectReplyConsumer consumer = new DirectReplyConsumer();

    ChannelReplyTo(ConnectionActor conn, int number) {
        this.conn = conn;
        this.number = number;
    }

    /** basic.consume on {@code amq.rabbitmq.reply-to}: no queue, nothing to ack; replies arrive on this channel. */
    void consume(BasicConsume c, String tag) {
        consumer.checkConsume(c.noAck());
        String key = DirectReplyTo.newKey();
        consumer.consume(tag, key, DirectReplyTo.routingKey(conn.context().getSystem(), conn.self(), number, key));
        if (!c.noWait()) conn.sendMethod(number, new BasicConsumeOk(tag));
    }

    /** basic.cancel: true when it cancelled the reply consumer (and answered), false when the tag is another's. */
    boolean cancel(BasicCancel c) {
        if (!consumer.cancel(c.consumerTag())) return false;
        if (!c.noWait()) conn.sendMethod(number, new BasicCancelOk(c.consumerTag()));
        return true;
    }

    /** Whether the reply consumer holds {@code key} (a reply or a declare of its address may reach it). */
    boolean holds(String key) {
        return consumer.holds(key);
    }

    /** The address a publish's reply-to {@code amq.rabbitmq.reply-to} becomes; null without a reply consumer. */
    String replyTo() {
        return consumer.replyTo();
    }

    /** A reply for our reply consumer: delivered at once (tag {@code deliveryTag}) unless it is not ours any more. */
    boolean deliver(DirectReply r, long deliveryTag) {
        if (!consumer.holds(r.key())) return false;
        Message msg = r.message();
        conn.write(FrameEncoder.content(number,
                new BasicDeliver(consumer.tag(), deliveryTag, false, msg.exchange(), msg.routingKey()),
                msg.encodedProperties(), msg.body(), conn.frameMax()));
        return true;
    }

    /**
     * A publish to the default exchange whose routing key (or a CC key) is a reply address goes straight to that
     * channel, on whatever node, even in a transaction (as in RabbitMQ). It is not a queue: for mandatory and confirms
     * the publish counts as unroutable. Allocates nothing unless a key is a reply address.
     */
    void sendReplies(BasicPublish p, List<String> keys, EncodedProperties stored, ByteString bytes) {
        Message reply = null;
        for (String key : keys.size() == 1 ? keys : new HashSet<>(keys)) {
            if (!DirectReplyConsumer.isReplyKey(key)) continue;
            var address = DirectReplyTo.resolve(conn.context().getSystem(), key);
            if (address.isEmpty()) continue;
            if (reply == null) reply = new Message("", "", p.routingKey(), stored, bytes);
            address.get().connection().tell(new DirectReply(address.get().channel(), address.get().key(), reply));
        }
    }

    /**
     * Whether the reply consumer a reply address names exists: {@link QueueReply.Ok} if so, anything else if not (a
     * malformed address, a connection that is gone and never answers).
     */
    CompletionStage<QueueReply> askExists(String address) {
        var system = conn.context().getSystem();
        var resolved = DirectReplyTo.resolve(system, address);
        if (resolved.isEmpty()) return java.util.concurrent.CompletableFuture.completedFuture(new QueueReply.Empty());
        var a = resolved.get();
        return AskPattern.<ConnectionProtocol, QueueReply>ask(a.connection(),
                        r -> new ReplyConsumerQuery(a.channel(), a.key(), r), QUERY_TIMEOUT, system.scheduler())
                .exceptionally(e -> new QueueReply.Empty());
    }

    /** The channel closes: its reply consumer is gone. */
    void clear() {
        consumer.clear();
    }
}
