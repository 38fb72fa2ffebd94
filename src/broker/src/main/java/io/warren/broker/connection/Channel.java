package io.warren.broker.connection;

import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.core.access.AccessState;
import io.warren.core.access.Action;
import io.warren.core.access.ResourceKind;
import io.warren.amqp.AmqpException;
import io.warren.amqp.EncodedProperties;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.frame.ContentBodyFrame;
import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.frame.FrameEncoder;
import io.warren.amqp.method.*;
import io.warren.broker.protocol.ConnectionProtocol.*;
import io.warren.broker.protocol.QueueCommand;
import io.warren.broker.protocol.QueueDelivery;
import io.warren.broker.protocol.QueueReply;
import io.warren.broker.topology.TopologyClient;
import io.warren.core.channel.AssembledPublish;
import io.warren.core.channel.ChannelConsumers;
import io.warren.core.channel.ChannelCore;
import io.warren.core.channel.ChannelEffect;
import io.warren.core.channel.ChannelLifecycle;
import io.warren.core.channel.ContentAssembler;
import io.warren.core.channel.PublishRules;
import io.warren.core.channel.SenderSelected;
import io.warren.core.channel.SocketCredit;
import io.warren.core.names.CrLfStripping;
import io.warren.core.names.Names;
import io.warren.core.queue.ConsumerArguments;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueArguments;
import io.warren.core.queue.QueueDefinition;
import io.warren.core.routing.Binding;
import io.warren.core.routing.Destination;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.ExchangeType;
import io.warren.core.routing.RoutingTable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.util.ByteString;

/**
 * One AMQP channel, a plain state object inside its {@link ConnectionActor}: the glue between the channel's rules in
 * {@link ChannelCore} (confirms, transactions, delivery tags, prefetch, consumers, failover, batches) and the world.
 * It assembles content, checks permissions, routes publishes through the node's routing table, asks topology and
 * queues, and carries out the core's {@link ChannelEffect}s (frames to the socket, commands to queue shards).
 * Methods that need another actor (declares, binds, consume, get) make the channel busy: what the client sends
 * meanwhile waits, so replies keep the order of requests.
 */
final class Channel {

    /** The direct reply-to consumer: its tag, its secret, and the reply-to that publishes on this channel carry. */
    private record ReplyConsumer(String tag, String key, String replyTo) {}

    private final ConnectionActor conn;
    private final int number;
    private final String channelId;
    private long generation;
    private final ChannelLifecycle lifecycle = new ChannelLifecycle();

    private final ContentAssembler content;
    private final ChannelCore<QueueDelivery, TxPublish> core;
    /**
     * Effects of the publish, deliver and end-of-read paths, carried out and cleared at once: one reused buffer, so
     * those paths allocate nothing per message for the core's sake. Other inputs get a list of their own (an effect
     * may route a committed publish, which uses this buffer meanwhile).
     */
    private final List<ChannelEffect> hot = new ArrayList<>();

    // Work that waits while an asynchronous method is answered.
    private boolean busy;
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();

    /** A publish inside a transaction, routed when it commits. */
    private record TxPublish(BasicPublish method, List<String> keys, Map<String, Object> headers, EncodedProperties stored,
                             ByteString body, RoutingTable table) {}

    /** basic.consume on amq.rabbitmq.reply-to (at most one per channel); null when there is none. */
    private ReplyConsumer replyConsumer;
    /** Which incarnation of each queue this channel uses (known once the queue has told us). */
    private final Map<String, org.apache.pekko.actor.typed.ActorRef<QueueCommand>> incarnations = new HashMap<>();

    /** Socket credit for one consumer of one queue. */
    record WrittenCredit(String queue, QueueCommand.NoAckWritten credit) {}

    Channel(ConnectionActor conn, int number) {
        this.conn = conn;
        this.number = number;
        this.channelId = conn.channelId(number);
        this.content = new ContentAssembler(conn.broker().settings().maxMessageSize());
        this.core = new ChannelCore<>(number, conn.clientCapability("consumer_cancel_notify"));
    }

    long generation() { return generation; }

    // ---------------------------------------------------------------- frames from the client

    /** This channel as the management API lists it: the one place its figures are gathered. */
    ConnectionRegistry.ChannelDetails details() {
        ChannelCore.Figures f = core.figures();
        List<ConnectionRegistry.ConsumerDetails> list = new ArrayList<>();
        for (ChannelConsumers.Consumer c : f.consumers()) {
            list.add(new ConnectionRegistry.ConsumerDetails(c.tag(), c.queue(), !c.noAck(), c.ownLimit(), c.exclusive(),
                    c.priority()));
        }
        return new ConnectionRegistry.ChannelDetails(number, f.prefetchCount(), f.globalPrefetchCount(), f.confirm(),
                f.transactional(), f.unacknowledged(), f.unconfirmed(), list);
    }

    void onMethod(Method method) {
        switch (lifecycle.onMethod(method)) {
            case OPEN_OK -> conn.sendMethod(number, new ChannelOpenOk());
            case CLOSED -> conn.channelClosed(number);
            case REPLY_CLOSE_OK -> conn.sendMethod(number, new ChannelCloseOk());
            case IGNORE -> { }
            case PROCESS -> {
                content.onMethod(method); // 505 while content is expected; basic.publish starts assembling
                ChannelLifecycle.checkNotReopened(method);
                if (!(method instanceof BasicPublish)) run(() -> dispatch(method), method);
            }
        }
    }

    void onContentHeader(ContentHeaderFrame h) {
        if (lifecycle.isClosing()) return;
        try {
            content.onHeader(h).ifPresent(this::completePublish);
        } catch (AmqpException e) {
            if (e.connectionLevel()) throw e;
            fail(e);
        }
    }

    void onContentBody(ContentBodyFrame b) {
        if (lifecycle.isClosing()) return;
        content.onBody(b).ifPresent(this::completePublish);
    }

    private void completePublish(AssembledPublish p) {
        conn.markPublisher();
        run(() -> publish(p.method(), p.properties(), p.body()), p.method());
    }

    /** Runs now, or after the outstanding asynchronous method; soft errors close just this channel. */
    private void run(Runnable work, Method cause) {
        if (busy) deferred.add(() -> runGuarded(work, cause));
        else runGuarded(work, cause);
    }

    private void runGuarded(Runnable work, Method cause) {
        try {
            work.run();
        } catch (AmqpException e) {
            AmqpException attributed = e.classId() == 0 ? e.causedBy(cause.classId(), cause.methodId()) : e;
            if (attributed.connectionLevel()) throw attributed;
            fail(attributed);
        }
    }

    private void drainDeferred() {
        while (!busy && !lifecycle.isClosing() && !deferred.isEmpty()) deferred.poll().run();
    }

    /** Sends channel.close for a soft error; everything but close/close-ok is dropped until close-ok. */
    void fail(AmqpException e) {
        if (e.connectionLevel()) {
            conn.closeConnection(e.replyCode(), e.replyText(), e.classId(), e.methodId());
            return;
        }
        if (lifecycle.isClosing()) return;
        conn.sendMethod(number, new ChannelClose(e.replyCode(), ReplyCodes.fitShortstr(e.replyText()), e.classId(), e.methodId()));
        release();
        lifecycle.closing();
    }

    // ---------------------------------------------------------------- carrying out the core's decisions

    /** Carries out {@code effects} in order, then clears the list. */
    private void apply(List<ChannelEffect> effects) {
        try {
            for (int i = 0; i < effects.size(); i++) apply(effects.get(i));
        } finally {
            effects.clear(); // the reused buffer never keeps an effect for a later input
        }
    }

    private void apply(ChannelEffect effect) {
        if (effect instanceof ChannelEffect.SendMethod s) {
            conn.sendMethod(number, s.method());
        } else if (effect instanceof ChannelEffect.SendDelivery<?> s) {
            sendDelivery(s.deliveryTag(), (QueueDelivery) s.delivery());
        } else if (effect instanceof ChannelEffect.RoutePublish<?> r) {
            TxPublish p = (TxPublish) r.publish();
            route(p.method(), p.keys(), p.headers(), p.stored(), p.body(), p.table());
        } else if (effect instanceof ChannelEffect.EnqueueBatch b) {
            conn.broker().queues().enqueue(vhost(), b.queue(), new QueueCommand.Enqueue(b.messages(), b.seqs(), conn.self().narrow(), number, b.resent()));
        } else if (effect instanceof ChannelEffect.Settle s) {
            conn.broker().queues().tell(vhost(), s.queue(), new QueueCommand.Settle(channelId, s.acked(), s.requeued(), s.discarded()));
        } else if (effect instanceof ChannelEffect.Consume c) {
            conn.broker().queues().tell(vhost(), c.queue(), new QueueCommand.Consume(channelId, conn.self(), number,
                    c.consumerTag(), c.noAck(), c.limit(), c.exclusive(), c.priority(), conn.connectionId(),
                    c.channelPrefetchLimited()));
        } else if (effect instanceof ChannelEffect.Cancel c) {
            conn.broker().queues().tell(vhost(), c.queue(), new QueueCommand.Cancel(channelId, c.consumerTag(), null));
        } else if (effect instanceof ChannelEffect.LeaveQueue l) {
            conn.broker().queues().tell(vhost(), l.queue(), new QueueCommand.ChannelClosed(channelId));
        } else if (effect instanceof ChannelEffect.CloseChannel c) {
            // A queue's refusal can be a connection error (540 for global qos on a quorum queue, as RabbitMQ).
            fail(new AmqpException(c.replyCode(), c.replyText(), c.classId(), c.methodId(),
                    ReplyCodes.isHardError(c.replyCode())));
        }
    }

    private void sendDelivery(long tag, QueueDelivery qd) {
        Message msg = qd.message();
        conn.write(FrameEncoder.content(number,
                new BasicDeliver(qd.consumerTag(), tag, qd.redelivered(), msg.exchange(), msg.routingKey()),
                msg.encodedProperties(), msg.body(), conn.frameMax()));
    }

    // ---------------------------------------------------------------- method dispatch

    private void dispatch(Method method) {
        method = CrLfStripping.apply(method); // RabbitMQ strips CR/LF from declared and bound names
        List<ChannelEffect> out = new ArrayList<>();
        if (core.onMethod(method, System.nanoTime(), out)) {
            apply(out);
        } else if (method instanceof ChannelClose) {
            release();
            conn.sendMethod(number, new ChannelCloseOk());
            conn.channelClosed(number);
        } else if (method instanceof ChannelCloseOk) {
            // nothing was closing: ignore, as RabbitMQ does
        } else if (method instanceof ExchangeDeclare d) {
            exchangeDeclare(d);
        } else if (method instanceof ExchangeDelete d) {
            exchangeDelete(d);
        } else if (method instanceof ExchangeBind b) {
            exchangeBind(b.destination(), b.source(), b.routingKey(), b.arguments(), true, b.noWait(), b);
        } else if (method instanceof ExchangeUnbind b) {
            exchangeBind(b.destination(), b.source(), b.routingKey(), b.arguments(), false, b.noWait(), b);
        } else if (method instanceof QueueDeclare d) {
            queueDeclare(d);
        } else if (method instanceof QueueBind b) {
            queueBind(b.queue(), b.exchange(), b.routingKey(), b.arguments(), true, b.noWait(), b);
        } else if (method instanceof QueueUnbind b) {
            queueBind(b.queue(), b.exchange(), b.routingKey(), b.arguments(), false, false, b);
        } else if (method instanceof QueuePurge p) {
            queuePurge(p);
        } else if (method instanceof QueueDelete d) {
            queueDelete(d);
        } else if (method instanceof BasicConsume c) {
            basicConsume(c);
        } else if (method instanceof BasicCancel c) {
            basicCancel(c);
        } else if (method instanceof BasicGet g) {
            basicGet(g);
        } else {
            throw new AmqpException(ReplyCodes.COMMAND_INVALID, ReplyCodes.text(ReplyCodes.COMMAND_INVALID,
                    "unexpected method " + method.name() + " from a client"), method.classId(), method.methodId(), true);
        }
    }

    private static AmqpException precondition(String text) {
        return ChannelCore.precondition(text);
    }

    private String vhost() { return conn.vhost(); }

    /** RabbitMQ's permission check of one operation: 403 ACCESS_REFUSED closes the channel when the user may not. */
    private void permit(ResourceKind kind, String name, Action action) {
        conn.broker().users().check(conn.user().name(), vhost(), kind, name, action);
    }

    /**
     * The exchange this channel last published to, and the access state that let it: publishes check the write
     * permission once per exchange and per change of the cluster's access state, not a regex per message (RabbitMQ's
     * channel caches its permission checks too). The state is immutable and replaced on every change.
     */
    private String writableExchange;
    private AccessState writableUnder;

    private void permitPublish(String exchange) {
        AccessState state = conn.broker().users().state();
        if (state == writableUnder && exchange.equals(writableExchange)) return;
        state.check(conn.user().name(), vhost(), ResourceKind.EXCHANGE, exchange, Action.WRITE);
        writableUnder = state;
        writableExchange = exchange;
    }

    private TopologyClient topology() { return conn.broker().topology(); }

    private RoutingTable table() { return topology().table(vhost()); }

    /**
     * The one asynchronous step the channel waits for (a topology change, a queue's answer), and what its answer
     * continues with. The answer comes back as a {@link ChannelAnswer}; what the client sends meanwhile waits.
     */
    private sealed interface Awaiting {
        Method cause();
    }

    /** The topology did it: send {@code ok} (null with no-wait). */
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
    private record ExclusiveChecked(Method cause, Binding binding, boolean bind, boolean noWait) implements Awaiting {}

    private Awaiting awaiting;

    /** Waits for an asynchronous answer without blocking the connection; the channel is busy meanwhile. */
    private void await(CompletionStage<?> stage, Awaiting step) {
        busy = true;
        awaiting = step;
        long gen = generation;
        conn.context().pipeToSelf(stage, (value, error) -> new ChannelAnswer(number, gen,
                value instanceof QueueReply reply ? reply : null, error));
    }

    /** The answer to what {@link #awaiting} waits for (the connection checked that it is this channel's generation). */
    void onAnswer(ChannelAnswer a) {
        Awaiting step = awaiting;
        awaiting = null;
        busy = false;
        if (step == null) return;
        runGuarded(() -> {
            if (a.failure() != null) {
                Throwable error = a.failure();
                Throwable t = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
                if (t instanceof AmqpException ae) throw ae;
                throw AmqpException.channel(ReplyCodes.INTERNAL_ERROR, ReplyCodes.text(ReplyCodes.INTERNAL_ERROR, String.valueOf(t)));
            }
            if (a.reply() instanceof QueueReply.Failed f) throw f.toException();
            continueWith(step, a.reply());
        }, step.cause());
        drainDeferred();
    }

    private void continueWith(Awaiting step, QueueReply reply) {
        if (step instanceof SendWhenDone s) {
            if (s.ok() != null) conn.sendMethod(number, s.ok());
        } else if (step instanceof QueueDeclared q) {
            queueDeclared(q.cause(), q.queue(), (QueueReply.Ok) reply);
        } else if (step instanceof ReplyQueueChecked c) {
            if (!(reply instanceof QueueReply.Ok)) throw replyQueueNotFound(c.cause().queue());
            replyQueueDeclared(c.cause());
        } else if (step instanceof Purged p) {
            if (!p.cause().noWait()) conn.sendMethod(number, new QueuePurgeOk(((QueueReply.Ok) reply).messageCount()));
        } else if (step instanceof QueueDeleted d) {
            int count = ((QueueReply.Ok) reply).messageCount();
            await(topology().deleteQueue(vhost(), d.queue()), new SendWhenDone(d.cause(), d.cause().noWait() ? null : new QueueDeleteOk(count)));
        } else if (step instanceof Got g) {
            got(g.cause(), g.queue(), reply);
        } else if (step instanceof ExclusiveChecked x) {
            Binding b = x.binding();
            await(x.bind() ? topology().bind(vhost(), b) : topology().unbind(vhost(), b),
                    new SendWhenDone(x.cause(), x.noWait() ? null : x.bind() ? new QueueBindOk() : new QueueUnbindOk()));
        }
    }

    // ---------------------------------------------------------------- exchanges

    private void exchangeDeclare(ExchangeDeclare d) {
        String name = d.exchange();
        if (name.isEmpty()) throw Names.defaultExchangeForbidden();
        if (d.passive()) {
            if (table().exchange(name).isEmpty()) throw Names.noExchange(name, vhost());
            if (!d.noWait()) conn.sendMethod(number, new ExchangeDeclareOk());
            return;
        }
        ExchangeType type = ExchangeType.parse(d.type()).orElseThrow(() -> {
            AmqpException e = ExchangeType.unknownType(d.type());
            return new AmqpException(e.replyCode(), e.replyText(), d.classId(), d.methodId(), true);
        });
        permit(ResourceKind.EXCHANGE, name, Action.CONFIGURE);
        ExchangeDefinition.validateArguments(args(d.arguments()), name, vhost());
        ExchangeDefinition def = new ExchangeDefinition(name, type, d.durable(), d.autoDelete(), d.internal(), args(d.arguments()));
        var existing = table().exchange(name);
        if (existing.isPresent()) {
            existing.get().checkEquivalent(def, vhost());
            if (!d.noWait()) conn.sendMethod(number, new ExchangeDeclareOk());
            return;
        }
        if (Names.isReserved(name)) throw Names.reservedExchangeName(name);
        await(topology().declareExchange(vhost(), def), new SendWhenDone(d, d.noWait() ? null : new ExchangeDeclareOk()));
    }

    private void exchangeDelete(ExchangeDelete d) {
        String name = d.exchange();
        if (name.isEmpty()) throw Names.defaultExchangeForbidden();
        if (Names.isReserved(name)) throw Names.systemExchangeDeletion(name, vhost());
        permit(ResourceKind.EXCHANGE, name, Action.CONFIGURE);
        await(topology().deleteExchange(vhost(), name, d.ifUnused()), new SendWhenDone(d, d.noWait() ? null : new ExchangeDeleteOk()));
    }

    private void exchangeBind(String destination, String source, String key, Map<String, Object> arguments,
                              boolean bind, boolean noWait, Method cause) {
        permit(ResourceKind.EXCHANGE, destination, Action.WRITE);
        permit(ResourceKind.EXCHANGE, source, Action.READ);
        if (destination.isEmpty() || source.isEmpty()) throw Names.defaultExchangeForbidden();
        Binding b = new Binding(source, Destination.exchange(destination), key, args(arguments));
        await(bind ? topology().bind(vhost(), b) : topology().unbind(vhost(), b),
                new SendWhenDone(cause, noWait ? null : bind ? new ExchangeBindOk() : new ExchangeUnbindOk()));
    }

    // ---------------------------------------------------------------- queues

    private String queueName(String requested) {
        return core.queueName(requested);
    }

    private static Map<String, Object> args(Map<String, Object> a) {
        return a == null ? Map.of() : a;
    }

    private void queueDeclare(QueueDeclare d) {
        String name = d.queue();
        if (name.startsWith(DirectReplyTo.QUEUE)) {
            declareReplyQueue(d);
            return;
        }
        final String queue = core.queueToDeclare(name, d.passive());
        if (!d.passive()) permit(ResourceKind.QUEUE, queue, Action.CONFIGURE);
        QueueDefinition def = new QueueDefinition(vhost(), queue, d.durable(), d.exclusive(), d.autoDelete(), args(d.arguments()));
        if (!d.passive()) QueueArguments.parse(def);
        if (!d.passive() && !table().hasQueue(queue)) conn.broker().access().checkQueueLimit(vhost(), queue, table().queueCount());
        await(conn.broker().queues().declare(vhost(), queue, def, conn.connectionId(), d.passive()), new QueueDeclared(d, queue));
    }

    private void queueDeclared(QueueDeclare d, String queue, QueueReply.Ok ok) {
        core.declared(queue);
        if (d.exclusive() && !d.passive()) conn.broker().queues().ownedBy(conn.connectionId(), vhost(), queue);
        Method answer = d.noWait() ? null : new QueueDeclareOk(queue, ok.messageCount(), ok.consumerCount());
        if (!table().hasQueue(queue)) {
            await(topology().declareQueue(vhost(), queue, d.durable()), new SendWhenDone(d, answer));
        } else if (answer != null) {
            conn.sendMethod(number, answer);
        }
    }

    /**
     * RabbitMQ answers any declare (passive or not) of the pseudo-queue with declare-ok (0 messages, 1 consumer), and
     * of a reply-to address the same while the reply consumer it names still exists, else 404.
     */
    private void declareReplyQueue(QueueDeclare d) {
        String name = d.queue();
        if (name.equals(DirectReplyTo.QUEUE)) {
            replyQueueDeclared(d);
            return;
        }
        var system = conn.context().getSystem();
        var address = DirectReplyTo.resolve(system, name).orElseThrow(() -> replyQueueNotFound(name));
        // A connection that is gone never answers: that too means the consumer does not exist.
        CompletionStage<QueueReply> answer = AskPattern.<ConnectionProtocol, QueueReply>ask(address.connection(),
                        r -> new ReplyConsumerQuery(address.channel(), address.key(), r), REPLY_QUERY_TIMEOUT, system.scheduler())
                .exceptionally(e -> new QueueReply.Empty());
        await(answer, new ReplyQueueChecked(d));
    }

    private void replyQueueDeclared(QueueDeclare d) {
        core.declared(d.queue());
        if (!d.noWait()) conn.sendMethod(number, new QueueDeclareOk(d.queue(), 0, 1));
    }

    private static final java.time.Duration REPLY_QUERY_TIMEOUT = java.time.Duration.ofSeconds(2);

    private AmqpException replyQueueNotFound(String name) {
        return AmqpException.channel(ReplyCodes.NOT_FOUND, ReplyCodes.text(ReplyCodes.NOT_FOUND,
                "no queue '" + name + "' in vhost '" + vhost() + "'"));
    }

    private void queueBind(String requestedQueue, String exchange, String key, Map<String, Object> arguments,
                           boolean bind, boolean noWait, Method cause) {
        String queue = queueName(requestedQueue);
        permit(ResourceKind.QUEUE, queue, Action.WRITE);
        permit(ResourceKind.EXCHANGE, exchange, Action.READ);
        String routingKey = core.bindingKey(requestedQueue, key);
        if (exchange.isEmpty()) throw Names.defaultExchangeForbidden();
        Binding b = new Binding(exchange, Destination.queue(queue), routingKey, args(arguments));
        // another connection's exclusive queue: 405 as RabbitMQ, before the topology changes
        await(conn.broker().queues().checkExclusive(vhost(), queue, conn.connectionId()),
                new ExclusiveChecked(cause, b, bind, noWait));
    }

    private void queuePurge(QueuePurge p) {
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = queueName(p.queue());
        permit(ResourceKind.QUEUE, queue, Action.READ);
        await(conn.broker().queues().purge(vhost(), queue, conn.connectionId()), new Purged(p));
    }

    private void queueDelete(QueueDelete d) {
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = queueName(d.queue());
        permit(ResourceKind.QUEUE, queue, Action.CONFIGURE);
        await(conn.broker().queues().delete(vhost(), queue, d.ifUnused(), d.ifEmpty(), conn.connectionId()), new QueueDeleted(d, queue));
    }

    // ---------------------------------------------------------------- publishing

    private void publish(BasicPublish p, EncodedProperties published, ByteString bytes) {
        PublishRules.checkFlags(p);
        RoutingTable table = table();
        String exchangeName = p.exchange();
        permitPublish(exchangeName);
        PublishRules.exchange(table.exchange(exchangeName), exchangeName, vhost());
        EncodedProperties props = PublishRules.properties(published, conn.user().name(),
                replyConsumer == null ? null : replyConsumer.replyTo());
        // Once per publish, shared by direct replies and routing: CC/BCC keys, and the properties without BCC.
        List<String> keys = SenderSelected.routingKeys(p.routingKey(), props.headers());
        EncodedProperties stored = SenderSelected.withoutBcc(props);
        if (exchangeName.isEmpty()) sendDirectReplies(p, keys, stored, bytes);
        Map<String, Object> headers = props.headers();
        if (core.transactional()) core.holdForCommit(new TxPublish(p, keys, headers, stored, bytes, table));
        else route(p, keys, headers, stored, bytes, table);
    }

    /**
     * A publish to the default exchange whose routing key (or a CC key) is a direct reply-to address goes straight to
     * that channel, on whatever node, even in a transaction (as in RabbitMQ). It is not a queue: for mandatory and
     * confirms the publish counts as unroutable, so it is acked at once and, with mandatory, returned.
     */
    private void sendDirectReplies(BasicPublish p, List<String> keys, EncodedProperties stored, ByteString bytes) {
        Message reply = null;
        for (String key : keys.size() == 1 ? keys : new HashSet<>(keys)) {
            if (!DirectReplyTo.isReplyKey(key)) continue;
            var address = DirectReplyTo.resolve(conn.context().getSystem(), key);
            if (address.isEmpty()) continue;
            if (reply == null) reply = new Message("", "", p.routingKey(), stored, bytes);
            address.get().connection().tell(new DirectReply(address.get().channel(), address.get().key(), reply));
        }
    }

    /**
     * {@code headers} are the published ones (a headers exchange may match BCC); {@code stored} go to the queues. The
     * publish path calls the core directly (no effect per message): the confirm sequence, then one batch entry per
     * queue.
     */
    private void route(BasicPublish p, List<String> keys, Map<String, Object> headers, EncodedProperties stored,
                       ByteString bytes, RoutingTable table) {
        String exchangeName = p.exchange();
        Set<String> queues = table.route(exchangeName, keys, headers);
        if (queues.isEmpty() && p.mandatory()) {
            conn.write(FrameEncoder.content(number, new BasicReturn(ReplyCodes.NO_ROUTE, "NO_ROUTE", exchangeName, p.routingKey()),
                    stored, bytes, conn.frameMax()));
        }
        long seq = core.routed(queues.size(), System.nanoTime(), hot);
        apply(hot);
        if (queues.isEmpty()) return;
        Message m = new Message(conn.nextMessageId(), exchangeName, p.routingKey(), stored, bytes);
        for (String q : queues) core.batch(q, m, seq);
    }

    /** End of a read (or of an asynchronous step): send what this read gathered, one message per queue. */
    void endOfInput() {
        core.endOfInput(System.nanoTime(), hot);
        apply(hot);
    }

    // ---------------------------------------------------------------- from queues

    void onQueueMessage(ToChannel m) {
        if (m instanceof Deliver d) {
            deliver(d);
        } else if (m instanceof EnqueueSettled s) {
            core.enqueueSettled(s.queue(), s.accepted(), s.rejected(), hot);
            apply(hot);
        } else if (m instanceof QueueIncarnation qi) {
            var previous = incarnations.get(qi.queue());
            if (previous != null && !previous.equals(qi.ref())) {
                // The next incarnation spoke first (to a publish of ours, say); the old one's death is still on its way.
                lostIncarnation(qi.queue());
            }
            incarnations.put(qi.queue(), qi.ref());
        } else if (m instanceof ConsumeResult r) {
            List<ChannelEffect> out = new ArrayList<>();
            boolean answered = core.consumeAnswered(r.consumerTag(), r.ok(), r.failureCode(), r.failureText(), out);
            if (answered) busy = false;
            apply(out);
            if (answered) drainDeferred();
        } else if (m instanceof ConsumerCancelled c) {
            List<ChannelEffect> out = new ArrayList<>();
            core.cancelled(c.consumerTag(), out);
            apply(out);
        } else if (m instanceof ConsumerTimedOut t) {
            if (lifecycle.isClosing()) return;
            List<ChannelEffect> out = new ArrayList<>();
            core.consumerTimedOut(t.queue(), t.deliveryId(), t.timeoutMillis(), out);
            apply(out);
        } else if (m instanceof DirectReply r) {
            directReply(r);
        }
    }

    /** The deliver path calls the core directly: it answers with the tag to write, or 0 (held, or taken back). */
    private void deliver(Deliver d) {
        for (QueueDelivery qd : d.deliveries()) {
            if (lifecycle.isClosing()) {
                core.refuse(d.queue(), qd.deliveryId());
                continue;
            }
            long tag = core.deliver(d.queue(), qd.consumerTag(), qd.deliveryId(), qd);
            if (tag != 0) sendDelivery(tag, qd);
        }
    }

    // ---------------------------------------------------------------- consuming

    private void basicConsume(BasicConsume c) {
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = queueName(c.queue());
        String tag = core.consumerTag(c.consumerTag());
        if (queue.equals(DirectReplyTo.QUEUE)) {
            consumeReplies(c, tag);
            return;
        }
        permit(ResourceKind.QUEUE, queue, Action.READ);
        int priority = ConsumerArguments.priority(vhost(), queue, c.arguments());
        List<ChannelEffect> out = new ArrayList<>();
        core.consume(queue, tag, c.noAck(), c.exclusive(), priority, c.noWait(), System.nanoTime(), out);
        busy = true;
        apply(out);
    }

    /** Direct reply-to: no queue, nothing to ack; the channel itself is where replies arrive. */
    private void consumeReplies(BasicConsume c, String tag) {
        if (!c.noAck()) throw precondition("reply consumer cannot acknowledge");
        if (replyConsumer != null) throw precondition("reply consumer already set");
        String key = DirectReplyTo.newKey();
        replyConsumer = new ReplyConsumer(tag, key, DirectReplyTo.routingKey(conn.context().getSystem(), conn.self(), number, key));
        if (!c.noWait()) conn.sendMethod(number, new BasicConsumeOk(tag));
    }

    /** Whether this channel's reply consumer (if any) holds {@code key}. */
    boolean hasReplyConsumer(String key) {
        return !lifecycle.isClosing() && replyConsumer != null && replyConsumer.key().equals(key);
    }

    /** A reply addressed to our reply consumer: delivered at once unless the consumer it was meant for is gone. */
    private void directReply(DirectReply r) {
        if (!hasReplyConsumer(r.key())) return;
        Message msg = r.message();
        conn.write(FrameEncoder.content(number,
                new BasicDeliver(replyConsumer.tag(), core.nextTag(), false, msg.exchange(), msg.routingKey()),
                msg.encodedProperties(), msg.body(), conn.frameMax()));
    }

    private void basicCancel(BasicCancel c) {
        if (replyConsumer != null && replyConsumer.tag().equals(c.consumerTag())) {
            replyConsumer = null;
            if (!c.noWait()) conn.sendMethod(number, new BasicCancelOk(c.consumerTag()));
            return;
        }
        List<ChannelEffect> out = new ArrayList<>();
        core.cancel(c.consumerTag(), c.noWait(), System.nanoTime(), out);
        apply(out);
    }

    private void basicGet(BasicGet g) {
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = queueName(g.queue());
        permit(ResourceKind.QUEUE, queue, Action.READ);
        core.touched(queue);
        await(conn.broker().queues().get(vhost(), queue, channelId, conn.self(), number, g.noAck(), conn.connectionId()), new Got(g, queue));
    }

    private void got(BasicGet g, String queue, QueueReply reply) {
        if (reply instanceof QueueReply.Got got) {
            QueueDelivery qd = got.delivery();
            long tag = core.got(queue, qd.deliveryId(), g.noAck());
            Message msg = qd.message();
            conn.write(FrameEncoder.content(number,
                    new BasicGetOk(tag, qd.redelivered(), msg.exchange(), msg.routingKey(), qd.messageCount()),
                    msg.encodedProperties(), msg.body(), conn.frameMax()));
        } else {
            conn.sendMethod(number, new BasicGetEmpty());
        }
    }

    // ---------------------------------------------------------------- failover and ticks

    /**
     * The incarnation of a queue this channel used has stopped (its node died, or sharding moved it): the core
     * decides what is re-attached and re-sent.
     */
    void onQueueGone(org.apache.pekko.actor.typed.ActorRef<QueueCommand> ref) {
        if (lifecycle.isClosing()) return;
        List<String> gone = new ArrayList<>();
        incarnations.forEach((q, r) -> { if (r.equals(ref)) gone.add(q); });
        for (String queue : gone) lostIncarnation(queue);
    }

    private void lostIncarnation(String queue) {
        incarnations.remove(queue);
        List<ChannelEffect> out = new ArrayList<>();
        core.queueLost(queue, System.nanoTime(), out);
        apply(out);
    }

    /** Retries the pending consume and failover recoveries unanswered for {@code afterNanos}. */
    void retryRecoveries(long afterNanos) {
        List<ChannelEffect> out = new ArrayList<>();
        core.retryRecoveries(System.nanoTime(), afterNanos, out);
        apply(out);
    }

    /** Nacks publishes unconfirmed for longer than {@code nanos} (warren.persistence.confirm-timeout; 0: never). */
    void nackUnconfirmedOlderThan(long nanos) {
        core.nackUnconfirmedOlderThan(System.nanoTime(), nanos, hot);
        apply(hot);
    }

    /** Publishes unconfirmed for this long are sent again: the message may have died with a node on its way. */
    void resendOlderThan(long nanos) {
        core.resendOlderThan(System.nanoTime(), nanos, hot);
        apply(hot);
    }

    /** Messages in enqueue batches this channel is waiting on, over all queues (one per destination queue). */
    int enqueuesOutstanding() {
        return core.enqueuesOutstanding();
    }

    /** Hands over (and forgets) the socket credit of deliveries written since the last call. */
    void takeWritten(List<WrittenCredit> out) {
        for (SocketCredit.Credit c : core.takeWritten()) {
            out.add(new WrittenCredit(c.queue(), new QueueCommand.NoAckWritten(channelId, c.consumerTag(), c.count())));
        }
    }

    /** The channel is closing (or its connection is): queues drop its consumers and requeue what it held. */
    void release() {
        generation++;
        busy = false;
        awaiting = null;
        deferred.clear();
        List<ChannelEffect> out = new ArrayList<>();
        core.release(System.nanoTime(), out);
        apply(out);
        incarnations.clear();
        content.reset();
        replyConsumer = null;
    }
}
