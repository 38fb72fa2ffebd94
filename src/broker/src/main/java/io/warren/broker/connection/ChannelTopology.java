package io.warren.broker.connection;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.frame.FrameEncoder;
import io.warren.amqp.method.*;
import io.warren.broker.protocol.ConnectionProtocol.ChannelAnswer;
import io.warren.broker.protocol.QueueDelivery;
import io.warren.broker.protocol.QueueReply;
import io.warren.broker.topology.TopologyClient;
import io.warren.core.access.Action;
import io.warren.core.access.ResourceKind;
import io.warren.core.channel.DirectReplyConsumer;
import io.warren.core.channel.TopologyRules;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueDefinition;
import io.warren.core.routing.Binding;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.ExchangeType;
import io.warren.core.routing.RoutingTable;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A channel's methods that need another actor's answer: exchange and queue declare, delete, bind, unbind, purge, and
 * basic.get. Each checks what can be checked at once (rules in core {@link TopologyRules}, permissions), asks the
 * topology or a queue, and waits: the channel is busy meanwhile ({@link Channel} keeps what the client sends), the
 * answer comes back to the connection as a {@link ChannelAnswer} (data, no closure) and continues with the
 * {@link Awaiting} step kept here.
 */
final class ChannelTopology {

    /** The one asynchronous step the channel waits for, and what its answer continues with. */
    private sealed interface Awaiting {
        Method cause();
    }

    /** The topology did it: send the ok {@link TopologyRules#okWhenDone} names (none with no-wait). */
    private record SendWhenDone(Method cause, Method ok) implements Awaiting {}

    /** The queue exists (declared or found): register it in the routing table if needed, then declare-ok. */
    private record QueueDeclared(QueueDeclare cause, String queue) implements Awaiting {}

    /** Does the reply consumer that a reply-to address names still exist? */
    private record ReplyQueueChecked(QueueDeclare cause) implements Awaiting {}

    private record Purged(QueuePurge cause) implements Awaiting {}

    /** The queue is deleted: remove it from the routing table, then delete-ok with its message count. */
    private record QueueDeleted(QueueDelete cause, String queue) implements Awaiting {}

    private record Got(BasicGet cause, String queue) implements Awaiting {}

    /** The queue is not another connection's exclusive queue: change the binding, then bind-ok / unbind-ok. */
    private record ExclusiveChecked(Method cause, Binding binding, boolean bind) implements Awaiting {}

    private final ConnectionActor conn;
    private final Channel channel;
    private final int number;
    private Awaiting awaiting;

    ChannelTopology(ConnectionActor conn, Channel channel) {
        this.conn = conn;
        this.channel = channel;
        this.number = channel.number();
    }

    /** Starts one of this class's methods; false when {@code method} is not one. */
    boolean onMethod(Method method) {
        if (method instanceof ExchangeDeclare d) {
            exchangeDeclare(d);
        } else if (method instanceof ExchangeDelete d) {
            exchangeDelete(d);
        } else if (method instanceof ExchangeBind b) {
            exchangeBind(b.destination(), b.source(), b.routingKey(), b.arguments(), true, b);
        } else if (method instanceof ExchangeUnbind b) {
            exchangeBind(b.destination(), b.source(), b.routingKey(), b.arguments(), false, b);
        } else if (method instanceof QueueDeclare d) {
            queueDeclare(d);
        } else if (method instanceof QueueBind b) {
            queueBind(b.queue(), b.exchange(), b.routingKey(), b.arguments(), true, b);
        } else if (method instanceof QueueUnbind b) {
            queueBind(b.queue(), b.exchange(), b.routingKey(), b.arguments(), false, b);
        } else if (method instanceof QueuePurge p) {
            queuePurge(p);
        } else if (method instanceof QueueDelete d) {
            queueDelete(d);
        } else if (method instanceof BasicGet g) {
            basicGet(g);
        } else {
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- waiting

    /** Waits for an asynchronous answer without blocking the connection; the channel is busy meanwhile. */
    private void await(CompletionStage<?> stage, Awaiting step) {
        channel.inputs().startWaiting();
        awaiting = step;
        long gen = channel.generation();
        conn.context().pipeToSelf(stage, (value, error) -> new ChannelAnswer(number, gen,
                value instanceof QueueReply reply ? reply : null, error));
    }

    /** The method the channel waits on an answer for; null when it waits for none. */
    Method awaitedCause() {
        return awaiting == null ? null : awaiting.cause();
    }

    /** The answer to what the channel waits for: continues with the step (a failure is an {@link AmqpException}). */
    void onAnswer(ChannelAnswer a) {
        Awaiting step = awaiting;
        awaiting = null;
        if (step == null) return;
        if (a.failure() != null) {
            Throwable error = a.failure();
            Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (t instanceof AmqpException ae) throw ae;
            throw AmqpException.channel(ReplyCodes.INTERNAL_ERROR, ReplyCodes.text(ReplyCodes.INTERNAL_ERROR, String.valueOf(t)));
        }
        if (a.reply() instanceof QueueReply.Failed f) throw f.toException();
        continueWith(step, a.reply());
    }

    private void continueWith(Awaiting step, QueueReply reply) {
        if (step instanceof SendWhenDone s) {
            send(s.ok());
        } else if (step instanceof QueueDeclared q) {
            queueDeclared(q.cause(), q.queue(), (QueueReply.Ok) reply);
        } else if (step instanceof ReplyQueueChecked c) {
            if (!(reply instanceof QueueReply.Ok)) throw DirectReplyConsumer.notFound(c.cause().queue(), vhost());
            replyQueueDeclared(c.cause());
        } else if (step instanceof Purged p) {
            send(TopologyRules.queuePurgeOk(p.cause(), ((QueueReply.Ok) reply).messageCount()));
        } else if (step instanceof QueueDeleted d) {
            Method ok = TopologyRules.queueDeleteOk(d.cause(), ((QueueReply.Ok) reply).messageCount());
            await(topology().deleteQueue(vhost(), d.queue()), new SendWhenDone(d.cause(), ok));
        } else if (step instanceof Got g) {
            got(g.cause(), g.queue(), reply);
        } else if (step instanceof ExclusiveChecked x) {
            Binding b = x.binding();
            await(x.bind() ? topology().bind(vhost(), b) : topology().unbind(vhost(), b),
                    new SendWhenDone(x.cause(), TopologyRules.okWhenDone(x.cause())));
        }
    }

    /** The channel closes: no answer is waited for any more (a late one carries an old generation). */
    void clear() {
        awaiting = null;
    }

    // ---------------------------------------------------------------- exchanges

    private void exchangeDeclare(ExchangeDeclare d) {
        String name = d.exchange();
        TopologyRules.checkNotDefault(name);
        if (d.passive()) {
            send(TopologyRules.passiveExchangeDeclare(d, table().exchange(name).isPresent(), vhost()));
            return;
        }
        ExchangeType type = TopologyRules.exchangeType(d);
        permit(ResourceKind.EXCHANGE, name, Action.CONFIGURE);
        ExchangeDefinition def = TopologyRules.exchangeDefinition(d, type, vhost());
        if (TopologyRules.exchangeExists(def, table().exchange(name), vhost())) {
            send(TopologyRules.okWhenDone(d));
            return;
        }
        await(topology().declareExchange(vhost(), def), new SendWhenDone(d, TopologyRules.okWhenDone(d)));
    }

    private void exchangeDelete(ExchangeDelete d) {
        String name = d.exchange();
        TopologyRules.checkExchangeDelete(name, vhost());
        permit(ResourceKind.EXCHANGE, name, Action.CONFIGURE);
        await(topology().deleteExchange(vhost(), name, d.ifUnused()), new SendWhenDone(d, TopologyRules.okWhenDone(d)));
    }

    private void exchangeBind(String destination, String source, String key, Map<String, Object> arguments,
                              boolean bind, Method cause) {
        permit(ResourceKind.EXCHANGE, destination, Action.WRITE);
        permit(ResourceKind.EXCHANGE, source, Action.READ);
        Binding b = TopologyRules.exchangeBinding(destination, source, key, arguments);
        await(bind ? topology().bind(vhost(), b) : topology().unbind(vhost(), b),
                new SendWhenDone(cause, TopologyRules.okWhenDone(cause)));
    }

    // ---------------------------------------------------------------- queues

    private void queueDeclare(QueueDeclare d) {
        if (DirectReplyConsumer.isReplyQueue(d.queue())) {
            declareReplyQueue(d);
            return;
        }
        String queue = channel.core().queueToDeclare(d.queue(), d.passive());
        if (!d.passive()) permit(ResourceKind.QUEUE, queue, Action.CONFIGURE);
        QueueDefinition def = TopologyRules.queueDefinition(d, queue, vhost());
        if (!d.passive() && !table().hasQueue(queue)) conn.broker().access().checkQueueLimit(vhost(), queue, table().queueCount());
        await(conn.broker().queues().declare(vhost(), queue, def, conn.connectionId(), d.passive()), new QueueDeclared(d, queue));
    }

    private void queueDeclared(QueueDeclare d, String queue, QueueReply.Ok ok) {
        channel.core().declared(queue);
        if (TopologyRules.takesOwnership(d)) conn.broker().queues().ownedBy(conn.connectionId(), vhost(), queue);
        Method answer = TopologyRules.queueDeclareOk(d, queue, ok.messageCount(), ok.consumerCount());
        if (!table().hasQueue(queue)) {
            await(topology().declareQueue(vhost(), queue, d.durable()), new SendWhenDone(d, answer));
        } else {
            send(answer);
        }
    }

    /**
     * RabbitMQ answers any declare (passive or not) of the pseudo-queue with declare-ok (0 messages, 1 consumer), and
     * of a reply-to address the same while the reply consumer it names still exists, else 404.
     */
    private void declareReplyQueue(QueueDeclare d) {
        if (DirectReplyConsumer.answeredAtOnce(d)) {
            replyQueueDeclared(d);
        } else {
            await(channel.replies().askExists(d.queue()), new ReplyQueueChecked(d));
        }
    }

    private void replyQueueDeclared(QueueDeclare d) {
        channel.core().declared(d.queue());
        send(DirectReplyConsumer.declareOk(d));
    }

    private void queueBind(String requestedQueue, String exchange, String key, Map<String, Object> arguments,
                           boolean bind, Method cause) {
        String queue = channel.core().queueName(requestedQueue);
        permit(ResourceKind.QUEUE, queue, Action.WRITE);
        permit(ResourceKind.EXCHANGE, exchange, Action.READ);
        String routingKey = channel.core().bindingKey(requestedQueue, key);
        Binding b = TopologyRules.queueBinding(queue, exchange, routingKey, arguments);
        // another connection's exclusive queue: 405 as RabbitMQ, before the topology changes
        await(conn.broker().queues().checkExclusive(vhost(), queue, conn.connectionId()), new ExclusiveChecked(cause, b, bind));
    }

    private void queuePurge(QueuePurge p) {
        channel.endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = channel.core().queueName(p.queue());
        permit(ResourceKind.QUEUE, queue, Action.READ);
        await(conn.broker().queues().purge(vhost(), queue, conn.connectionId()), new Purged(p));
    }

    private void queueDelete(QueueDelete d) {
        channel.endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = channel.core().queueName(d.queue());
        permit(ResourceKind.QUEUE, queue, Action.CONFIGURE);
        await(conn.broker().queues().delete(vhost(), queue, d.ifUnused(), d.ifEmpty(), conn.connectionId()), new QueueDeleted(d, queue));
    }

    // ---------------------------------------------------------------- basic.get

    private void basicGet(BasicGet g) {
        channel.endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = channel.core().queueName(g.queue());
        permit(ResourceKind.QUEUE, queue, Action.READ);
        channel.core().touched(queue);
        await(conn.broker().queues().get(vhost(), queue, channel.channelId(), conn.self(), number, g.noAck(), conn.connectionId()),
                new Got(g, queue));
    }

    private void got(BasicGet g, String queue, QueueReply reply) {
        if (reply instanceof QueueReply.Got got) {
            QueueDelivery qd = got.delivery();
            long tag = channel.core().got(queue, qd.deliveryId(), g.noAck());
            Message msg = qd.message();
            conn.write(FrameEncoder.content(number,
                    new BasicGetOk(tag, qd.redelivered(), msg.exchange(), msg.routingKey(), qd.messageCount()),
                    msg.encodedProperties(), msg.body(), conn.frameMax()));
        } else {
            conn.sendMethod(number, new BasicGetEmpty());
        }
    }

    // ---------------------------------------------------------------- helpers

    private void send(Method ok) {
        if (ok != null) conn.sendMethod(number, ok);
    }

    private String vhost() { return conn.vhost(); }

    /** RabbitMQ's permission check of one operation: 403 ACCESS_REFUSED closes the channel when the user may not. */
    private void permit(ResourceKind kind, String name, Action action) {
        conn.broker().users().check(conn.user().name(), vhost(), kind, name, action);
    }

    private TopologyClient topology() { return conn.broker().topology(); }

    private RoutingTable table() { return topology().table(vhost()); }
}
