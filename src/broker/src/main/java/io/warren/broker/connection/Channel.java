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
import io.warren.core.channel.ChannelPrefetch;
import io.warren.core.channel.Confirm;
import io.warren.core.channel.ContentAssembler;
import io.warren.core.channel.DeclaredQueue;
import io.warren.core.channel.HeldDelivery;
import io.warren.core.channel.Outcome;
import io.warren.core.channel.PublisherConfirms;
import io.warren.core.channel.QueueFailover;
import io.warren.core.channel.Settlement;
import io.warren.core.channel.SocketCredit;
import io.warren.core.channel.Transaction;
import io.warren.core.channel.Unacked;
import io.warren.core.channel.UnackedDeliveries;
import io.warren.core.names.CrLfStripping;
import io.warren.core.names.Names;
import io.warren.core.queue.ConsumerArguments;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueArguments;
import io.warren.core.queue.QueueDefinition;
import io.warren.core.queue.QueueState;
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
 * One AMQP channel, a plain state object inside its {@link ConnectionActor}. It assembles content, routes
 * publishes through the node's routing table and batches them per queue for the rest of the current read, tracks
 * delivery tags, confirms and transactions. Methods that need another actor (declares, binds, consume, get) make the
 * channel busy: what the client sends meanwhile waits, so replies keep the order of requests.
 */
final class Channel {

    /** The direct reply-to consumer: its tag, its secret, and the reply-to that publishes on this channel carry. */
    private record ReplyConsumer(String tag, String key, String replyTo) {}

    /** Publishes to one queue gathered during one read of the socket. */
    private static final class PublishBatch {
        final List<Message> messages = new ArrayList<>();
        final LongList seqs = new LongList();
        void add(Message m, long seq) {
            messages.add(m);
            seqs.add(seq);
        }
    }

    /** Acks and rejects to one queue gathered during one read. */
    private static final class SettleBatch {
        final LongList acked = new LongList(), requeued = new LongList(), discarded = new LongList();
    }

    /**
     * No-ack deliveries a queue may have on their way to this channel's socket per consumer: credit comes back as
     * the TCP stage takes the bytes, so a slow no-ack consumer slows its queue instead of filling our memory.
     */
    static final int NO_ACK_WINDOW = 1000;

    private final ConnectionActor conn;
    private final int number;
    private final String channelId;
    private long generation;
    private boolean opened;
    private boolean closing;

    private final ContentAssembler content;

    // Work that waits while an asynchronous method is answered.
    private boolean busy;
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    /** The basic.consume waiting for its queue's answer, re-sent if none comes (it may be lost while shards move). */
    private PendingConsume pendingConsume;

    private static final class PendingConsume {
        final String queue;
        final QueueCommand.Consume command;
        final boolean noWait;
        long sentAt = System.nanoTime();

        PendingConsume(String queue, QueueCommand.Consume command, boolean noWait) {
            this.queue = queue;
            this.command = command;
            this.noWait = noWait;
        }
    }

    private final Map<String, PublishBatch> publishBatches = new HashMap<>();
    private final Map<String, SettleBatch> settleBatches = new HashMap<>();

    private final PublisherConfirms confirms = new PublisherConfirms();
    private final Transaction<TxPublish> tx = new Transaction<>();

    /** A publish inside a transaction, routed when it commits. */
    private record TxPublish(BasicPublish method, List<String> keys, Map<String, Object> headers, EncodedProperties stored,
                             ByteString body, RoutingTable table) {}

    private final ChannelConsumers consumers = new ChannelConsumers();
    /** basic.consume on amq.rabbitmq.reply-to (at most one per channel); null when there is none. */
    private ReplyConsumer replyConsumer;
    /** Which incarnation of each queue this channel uses (known once the queue has told us). */
    private final Map<String, org.apache.pekko.actor.typed.ActorRef<QueueCommand>> incarnations = new HashMap<>();
    private final QueueFailover<Message> failover = new QueueFailover<>();
    /** Deliveries written to the connection since its last socket write: queue credit once the socket takes them. */
    private final SocketCredit written = new SocketCredit();
    private final UnackedDeliveries unacked = new UnackedDeliveries();
    private final Set<String> queuesTouched = new HashSet<>();
    private final ChannelPrefetch<QueueDelivery> prefetch = new ChannelPrefetch<>();
    private final DeclaredQueue declaredQueue = new DeclaredQueue();

    /** Socket credit for one consumer of one queue. */
    record WrittenCredit(String queue, QueueCommand.NoAckWritten credit) {}

    Channel(ConnectionActor conn, int number) {
        this.conn = conn;
        this.number = number;
        this.channelId = conn.channelId(number);
        this.content = new ContentAssembler(conn.broker().settings().maxMessageSize());
    }

    long generation() { return generation; }

    // ---------------------------------------------------------------- frames from the client

    void onMethod(Method method) {
        if (!opened) {
            if (!(method instanceof ChannelOpen)) {
                throw new AmqpException(ReplyCodes.CHANNEL_ERROR, ReplyCodes.text(ReplyCodes.CHANNEL_ERROR,
                        "expected 'channel.open'"), method.classId(), method.methodId(), true);
            }
            opened = true;
            conn.sendMethod(number, new ChannelOpenOk());
            return;
        }
        if (closing) {
            if (method instanceof ChannelCloseOk) conn.channelClosed(number);
            else if (method instanceof ChannelClose) conn.sendMethod(number, new ChannelCloseOk());
            return;
        }
        content.onMethod(method); // 505 while content is expected; basic.publish starts assembling
        if (method instanceof ChannelOpen) {
            throw new AmqpException(ReplyCodes.CHANNEL_ERROR, ReplyCodes.text(ReplyCodes.CHANNEL_ERROR,
                    "second 'channel.open' seen"), method.classId(), method.methodId(), true);
        }
        if (method instanceof BasicPublish) return;
        run(() -> dispatch(method), method);
    }

    void onContentHeader(ContentHeaderFrame h) {
        if (closing) return;
        try {
            content.onHeader(h).ifPresent(this::completePublish);
        } catch (AmqpException e) {
            if (e.connectionLevel()) throw e;
            fail(e);
        }
    }

    void onContentBody(ContentBodyFrame b) {
        if (closing) return;
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
        while (!busy && !closing && !deferred.isEmpty()) deferred.poll().run();
    }

    /** Sends channel.close for a soft error; everything but close/close-ok is dropped until close-ok. */
    void fail(AmqpException e) {
        if (e.connectionLevel()) {
            conn.closeConnection(e.replyCode(), e.replyText(), e.classId(), e.methodId());
            return;
        }
        if (closing) return;
        conn.sendMethod(number, new ChannelClose(e.replyCode(), ReplyCodes.fitShortstr(e.replyText()), e.classId(), e.methodId()));
        release();
        closing = true;
    }

    // ---------------------------------------------------------------- method dispatch

    private void dispatch(Method method) {
        method = CrLfStripping.apply(method); // RabbitMQ strips CR/LF from declared and bound names
        if (method instanceof ChannelClose) {
            release();
            conn.sendMethod(number, new ChannelCloseOk());
            conn.channelClosed(number);
        } else if (method instanceof ChannelCloseOk) {
            // nothing was closing: ignore, as RabbitMQ does
        } else if (method instanceof ChannelFlow f) {
            conn.sendMethod(number, new ChannelFlowOk(f.active()));
        } else if (method instanceof AccessRequest) {
            conn.sendMethod(number, new AccessRequestOk());
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
        } else if (method instanceof BasicQos q) {
            basicQos(q);
        } else if (method instanceof BasicConsume c) {
            basicConsume(c);
        } else if (method instanceof BasicCancel c) {
            basicCancel(c);
        } else if (method instanceof BasicGet g) {
            basicGet(g);
        } else if (method instanceof BasicAck a) {
            settle(a.deliveryTag(), a.multiple(), Outcome.ACK);
        } else if (method instanceof BasicNack n) {
            settle(n.deliveryTag(), n.multiple(), n.requeue() ? Outcome.REQUEUE : Outcome.DISCARD);
        } else if (method instanceof BasicReject r) {
            settle(r.deliveryTag(), false, r.requeue() ? Outcome.REQUEUE : Outcome.DISCARD);
        } else if (method instanceof BasicRecover) {
            recover();
            conn.sendMethod(number, new BasicRecoverOk());
        } else if (method instanceof BasicRecoverAsync) {
            recover();
        } else if (method instanceof TxSelect) {
            if (confirms.enabled()) throw precondition("cannot switch from confirm to tx mode");
            tx.select();
            conn.sendMethod(number, new TxSelectOk());
        } else if (method instanceof TxCommit) {
            if (!tx.selected()) throw precondition("channel is not transactional");
            Transaction.Committed<TxPublish> done = tx.commit();
            for (TxPublish p : done.publishes()) route(p.method(), p.keys(), p.headers(), p.stored(), p.body(), p.table());
            for (Settlement st : done.settlements()) applySettlement(st);
            conn.sendMethod(number, new TxCommitOk());
        } else if (method instanceof TxRollback) {
            if (!tx.selected()) throw precondition("channel is not transactional");
            unacked.restore(tx.rollback()); // the client may settle them again
            conn.sendMethod(number, new TxRollbackOk());
        } else if (method instanceof ConfirmSelect c) {
            if (tx.selected()) throw precondition("cannot switch from tx to confirm mode");
            confirms.enable();
            if (!c.noWait()) conn.sendMethod(number, new ConfirmSelectOk());
        } else {
            throw new AmqpException(ReplyCodes.COMMAND_INVALID, ReplyCodes.text(ReplyCodes.COMMAND_INVALID,
                    "unexpected method " + method.name() + " from a client"), method.classId(), method.methodId(), true);
        }
    }

    private static AmqpException precondition(String text) {
        return AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED, text));
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
        return declaredQueue.queue(requested);
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
        if (name.isEmpty()) {
            name = d.passive() ? queueName(name) : Names.generateQueueName();
        } else if (!d.passive() && Names.isReserved(name)) {
            throw Names.reservedQueueName(name);
        }
        final String queue = name;
        if (!d.passive()) permit(ResourceKind.QUEUE, queue, Action.CONFIGURE);
        QueueDefinition def = new QueueDefinition(vhost(), queue, d.durable(), d.exclusive(), d.autoDelete(), args(d.arguments()));
        if (!d.passive()) QueueArguments.parse(def);
        if (!d.passive() && !table().hasQueue(queue)) conn.broker().access().checkQueueLimit(vhost(), queue, table().queueCount());
        await(conn.broker().queues().declare(vhost(), queue, def, conn.connectionId(), d.passive()), new QueueDeclared(d, queue));
    }

    private void queueDeclared(QueueDeclare d, String queue, QueueReply.Ok ok) {
        declaredQueue.declared(queue);
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
        declaredQueue.declared(d.queue());
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
        String routingKey = declaredQueue.routingKey(requestedQueue, key);
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
        if (p.immediate()) {
            throw new AmqpException(ReplyCodes.NOT_IMPLEMENTED, ReplyCodes.text(ReplyCodes.NOT_IMPLEMENTED, "immediate=true"),
                    p.classId(), p.methodId(), true);
        }
        RoutingTable table = table();
        String exchangeName = p.exchange();
        permitPublish(exchangeName);
        ExchangeDefinition exchange = table.exchange(exchangeName).orElseThrow(() -> Names.noExchange(exchangeName, vhost()));
        if (exchange.internal()) throw Names.internalExchangePublish(exchangeName, vhost());
        // Kept as published; read only where a rule needs a property, re-encoded only when one changes.
        EncodedProperties props = published;
        if (DirectReplyTo.QUEUE.equals(props.replyTo())) {
            // The requester asks for replies on this channel: tell the responder how to reach it.
            if (replyConsumer == null) throw precondition("fast reply consumer does not exist");
            props = EncodedProperties.of(props.decoded().withReplyTo(replyConsumer.replyTo()));
        }
        if (props.userId() != null && !props.userId().equals(conn.user().name())) {
            throw precondition("user_id property set to '" + props.userId() + "' but authenticated user was '" + conn.user().name() + "'");
        }
        if (props.expiration() != null) QueueState.validateExpiration(props.expiration());
        // Once per publish, shared by direct replies and routing: CC/BCC keys, and the properties without BCC.
        List<String> keys = SenderSelected.routingKeys(p.routingKey(), props.headers());
        EncodedProperties stored = SenderSelected.withoutBcc(props);
        if (exchangeName.isEmpty()) sendDirectReplies(p, keys, stored, bytes);
        Map<String, Object> headers = props.headers();
        if (tx.selected()) tx.publish(new TxPublish(p, keys, headers, stored, bytes, table));
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

    /** {@code headers} are the published ones (a headers exchange may match BCC); {@code stored} go to the queues. */
    private void route(BasicPublish p, List<String> keys, Map<String, Object> headers, EncodedProperties stored,
                       ByteString bytes, RoutingTable table) {
        String exchangeName = p.exchange();
        Set<String> queues = table.route(exchangeName, keys, headers);
        long seq = confirms.next();
        if (queues.isEmpty() && p.mandatory()) {
            conn.write(FrameEncoder.content(number, new BasicReturn(ReplyCodes.NO_ROUTE, "NO_ROUTE", exchangeName, p.routingKey()),
                    stored, bytes, conn.frameMax()));
        }
        sendConfirms(confirms.routed(seq, queues.size()));
        if (queues.isEmpty()) return;
        Message m = new Message(conn.nextMessageId(), exchangeName, p.routingKey(), stored, bytes);
        for (String q : queues) {
            publishBatches.computeIfAbsent(q, k -> new PublishBatch()).add(m, seq);
        }
    }

    /** End of a read (or of an asynchronous step): send what this read gathered, one message per queue. */
    void endOfInput() {
        if (!publishBatches.isEmpty()) {
            for (Map.Entry<String, PublishBatch> e : publishBatches.entrySet()) {
                PublishBatch b = e.getValue();
                List<Message> messages = List.copyOf(b.messages);
                long[] seqs = b.seqs.toArray();
                failover.sent(e.getKey(), seqs, messages, System.nanoTime());
                conn.broker().queues().enqueue(vhost(), e.getKey(), new QueueCommand.Enqueue(messages, seqs, conn.self().narrow(), number));
            }
            publishBatches.clear();
        }
        if (!settleBatches.isEmpty()) {
            for (Map.Entry<String, SettleBatch> e : settleBatches.entrySet()) {
                SettleBatch b = e.getValue();
                conn.broker().queues().tell(vhost(), e.getKey(),
                        new QueueCommand.Settle(channelId, b.acked.toArray(), b.requeued.toArray(), b.discarded.toArray()));
            }
            settleBatches.clear();
        }
    }

    // ---------------------------------------------------------------- from queues

    void onQueueMessage(ToChannel m) {
        if (m instanceof Deliver d) {
            deliver(d);
        } else if (m instanceof EnqueueSettled s) {
            failover.answered(s.queue(), s.accepted(), s.rejected());
            if (confirms.enabled()) sendConfirms(confirms.settled(s.accepted(), s.rejected()));
        } else if (m instanceof QueueIncarnation qi) {
            var previous = incarnations.get(qi.queue());
            if (previous != null && !previous.equals(qi.ref())) {
                // The next incarnation spoke first (to a publish of ours, say); the old one's death is still on its way.
                lostIncarnation(qi.queue());
                releaseHeld();
            }
            incarnations.put(qi.queue(), qi.ref());
        } else if (m instanceof ConsumeResult r) {
            if (pendingConsume == null || !r.consumerTag().equals(pendingConsume.command.consumerTag())) {
                failover.reattached(r.consumerTag());
                // A re-attach after failover that the new incarnation refused: the consumer is gone.
                if (!r.ok() && consumers.remove(r.consumerTag()) != null && conn.clientCapability("consumer_cancel_notify")) {
                    conn.sendMethod(number, new BasicCancel(r.consumerTag(), true));
                }
                return;
            }
            boolean noWait = pendingConsume.noWait;
            pendingConsume = null;
            busy = false;
            if (!r.ok()) {
                consumers.remove(r.consumerTag());
                fail(new AmqpException(r.failureCode(), r.failureText(), BasicConsume.CLASS_ID, BasicConsume.METHOD_ID, false));
                return;
            }
            if (!noWait) conn.sendMethod(number, new BasicConsumeOk(r.consumerTag()));
            drainDeferred();
        } else if (m instanceof ConsumerCancelled c) {
            if (consumers.remove(c.consumerTag()) != null && conn.clientCapability("consumer_cancel_notify")) {
                conn.sendMethod(number, new BasicCancel(c.consumerTag(), true));
            }
        } else if (m instanceof ConsumerTimedOut t) {
            consumerTimedOut(t);
        } else if (m instanceof DirectReply r) {
            directReply(r);
        }
    }

    /**
     * RabbitMQ's consumer timeout: channel.close 406 with no method (class and method 0). Ignored when the delivery
     * is no longer ours: acked meanwhile, or sent to an earlier channel with this number.
     */
    private void consumerTimedOut(ConsumerTimedOut t) {
        if (closing || !holds(t.queue(), t.deliveryId())) return;
        fail(new AmqpException(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED,
                "delivery acknowledgement on channel " + number + " timed out. Timeout value used: " + t.timeoutMillis()
                        + " ms. This timeout value can be configured, see consumers doc guide to learn more"), 0, 0, false));
    }

    private boolean holds(String queue, long deliveryId) {
        return unacked.holds(queue, deliveryId) || prefetch.holds(queue, deliveryId);
    }

    private void deliver(Deliver d) {
        for (QueueDelivery qd : d.deliveries()) {
            ChannelConsumers.Consumer consumer = consumers.get(qd.consumerTag());
            if (consumer == null || closing) {
                // Cancelled meanwhile: the queue takes it back untouched.
                settleBatches.computeIfAbsent(d.queue(), k -> new SettleBatch()).requeued.add(qd.deliveryId());
                continue;
            }
            if (prefetch.mustHold()) {
                prefetch.hold(new HeldDelivery<>(d.queue(), qd.consumerTag(), qd.deliveryId(), !consumer.noAck(), qd));
                continue;
            }
            prefetch.delivered(!consumer.noAck());
            send(d.queue(), qd, consumer);
        }
    }

    private void releaseHeld() {
        for (HeldDelivery<QueueDelivery> h : prefetch.release()) {
            ChannelConsumers.Consumer consumer = consumers.get(h.consumerTag());
            if (consumer == null) {
                settleBatches.computeIfAbsent(h.queue(), k -> new SettleBatch()).requeued.add(h.deliveryId());
                written.released(h.queue(), h.consumerTag());
                if (h.ackRequired()) prefetch.settled(List.of(new Unacked(0, h.queue(), h.deliveryId(), h.consumerTag())));
            } else {
                send(h.queue(), h.delivery(), consumer);
            }
        }
    }

    private void send(String queue, QueueDelivery qd, ChannelConsumers.Consumer consumer) {
        long tag = unacked.nextTag();
        if (!consumer.noAck()) unacked.add(new Unacked(tag, queue, qd.deliveryId(), qd.consumerTag()));
        written.released(queue, qd.consumerTag());
        Message msg = qd.message();
        conn.write(FrameEncoder.content(number,
                new BasicDeliver(qd.consumerTag(), tag, qd.redelivered(), msg.exchange(), msg.routingKey()),
                msg.encodedProperties(), msg.body(), conn.frameMax()));
    }

    private void sendConfirms(List<Confirm> done) {
        for (Confirm c : done) {
            conn.sendMethod(number, c.ack() ? new BasicAck(c.seq(), c.multiple()) : new BasicNack(c.seq(), c.multiple(), false));
        }
    }

    // ---------------------------------------------------------------- consuming

    private void basicConsume(BasicConsume c) {
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = queueName(c.queue());
        String tag = consumers.tagFor(c.consumerTag());
        if (queue.equals(DirectReplyTo.QUEUE)) {
            consumeReplies(c, tag);
            return;
        }
        permit(ResourceKind.QUEUE, queue, Action.READ);
        int priority = ConsumerArguments.priority(vhost(), queue, c.arguments());
        ChannelConsumers.Consumer info = new ChannelConsumers.Consumer(tag, queue, c.noAck(), prefetch.consumerLimit(), c.exclusive(), priority);
        consumers.add(info);
        queuesTouched.add(queue);
        busy = true;
        pendingConsume = new PendingConsume(queue, consumeCommand(tag, info), c.noWait());
        conn.broker().queues().tell(vhost(), queue, pendingConsume.command);
    }

    /**
     * Registers a consumer with its queue: sent on basic.consume, again to re-attach it after failover, and again to
     * change its limit when the channel-wide one changes (a registered consumer takes the new limit).
     */
    private QueueCommand.Consume consumeCommand(String tag, ChannelConsumers.Consumer info) {
        return new QueueCommand.Consume(channelId, conn.self(), number, tag, info.noAck(), queueLimit(info),
                info.exclusive(), info.priority(), conn.connectionId());
    }

    /** What the queue may send a consumer: the socket window for no-ack ones, else its (capped) prefetch. */
    private int queueLimit(ChannelConsumers.Consumer info) {
        return info.noAck() ? NO_ACK_WINDOW : prefetch.queueLimit(info.ownLimit());
    }

    private void basicQos(BasicQos q) {
        Map<String, Integer> before = new HashMap<>();
        for (ChannelConsumers.Consumer info : consumers.all()) before.put(info.tag(), queueLimit(info));
        prefetch.qos(q.prefetchCount(), q.global());
        endOfInput(); // acks of this channel reach the queues before the new limits
        for (ChannelConsumers.Consumer info : consumers.all()) {
            if (queueLimit(info) != before.get(info.tag())) conn.broker().queues().tell(vhost(), info.queue(), consumeCommand(info.tag(), info));
        }
        conn.sendMethod(number, new BasicQosOk());
        releaseHeld();
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
        return !closing && replyConsumer != null && replyConsumer.key().equals(key);
    }

    /** A reply addressed to our reply consumer: delivered at once unless the consumer it was meant for is gone. */
    private void directReply(DirectReply r) {
        if (!hasReplyConsumer(r.key())) return;
        Message msg = r.message();
        conn.write(FrameEncoder.content(number,
                new BasicDeliver(replyConsumer.tag(), unacked.nextTag(), false, msg.exchange(), msg.routingKey()),
                msg.encodedProperties(), msg.body(), conn.frameMax()));
    }

    private void basicCancel(BasicCancel c) {
        if (replyConsumer != null && replyConsumer.tag().equals(c.consumerTag())) {
            replyConsumer = null;
            if (!c.noWait()) conn.sendMethod(number, new BasicCancelOk(c.consumerTag()));
            return;
        }
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        ChannelConsumers.Consumer info = consumers.remove(c.consumerTag());
        if (info != null) conn.broker().queues().tell(vhost(), info.queue(), new QueueCommand.Cancel(channelId, c.consumerTag(), null));
        if (!c.noWait()) conn.sendMethod(number, new BasicCancelOk(c.consumerTag()));
    }

    private void basicGet(BasicGet g) {
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = queueName(g.queue());
        permit(ResourceKind.QUEUE, queue, Action.READ);
        queuesTouched.add(queue);
        await(conn.broker().queues().get(vhost(), queue, channelId, conn.self(), number, g.noAck(), conn.connectionId()), new Got(g, queue));
    }

    private void got(BasicGet g, String queue, QueueReply reply) {
        if (reply instanceof QueueReply.Got got) {
            QueueDelivery qd = got.delivery();
            long tag = unacked.nextTag();
            if (!g.noAck()) unacked.add(new Unacked(tag, queue, qd.deliveryId(), null));
            Message msg = qd.message();
            conn.write(FrameEncoder.content(number,
                    new BasicGetOk(tag, qd.redelivered(), msg.exchange(), msg.routingKey(), qd.messageCount()),
                    msg.encodedProperties(), msg.body(), conn.frameMax()));
        } else {
            conn.sendMethod(number, new BasicGetEmpty());
        }
    }

    /** basic.ack/nack/reject: the tag is checked at once; a transaction applies the settlement when it commits. */
    private void settle(long tag, boolean multiple, Outcome outcome) {
        Settlement settlement = new Settlement(unacked.settle(tag, multiple), outcome);
        if (tx.selected()) tx.settle(settlement);
        else applySettlement(settlement);
    }

    private void applySettlement(Settlement st) {
        for (Unacked u : st.deliveries()) {
            SettleBatch b = settleBatches.computeIfAbsent(u.queue(), k -> new SettleBatch());
            (st.outcome() == Outcome.ACK ? b.acked : st.outcome() == Outcome.REQUEUE ? b.requeued : b.discarded).add(u.deliveryId());
        }
        prefetch.settled(st.deliveries());
        releaseHeld();
    }

    /**
     * basic.recover (requeue): what the client has unacked, and what waits for the channel-wide limit, goes back to
     * its queue; deliveries acked in the open transaction stay acked (RabbitMQ).
     */
    private void recover() {
        List<Unacked> all = unacked.takeAll();
        prefetch.settled(all);
        applySettlement(new Settlement(all, Outcome.REQUEUE));
        for (HeldDelivery<QueueDelivery> h : prefetch.takeAll()) {
            settleBatches.computeIfAbsent(h.queue(), k -> new SettleBatch()).requeued.add(h.deliveryId());
            written.released(h.queue(), h.consumerTag());
        }
        endOfInput(); // the requeues reach the queues before anything later of this channel
    }

    /**
     * The incarnation of a queue this channel used has stopped (its node died, or sharding moved it). Its unacked
     * deliveries will be redelivered by the next incarnation, so their tags become harmless to ack; consumers
     * re-attach with the same tags, and unconfirmed publishes are sent again (the queue drops duplicates by id).
     */
    void onQueueGone(org.apache.pekko.actor.typed.ActorRef<QueueCommand> ref) {
        if (closing) return;
        List<String> gone = new ArrayList<>();
        incarnations.forEach((q, r) -> { if (r.equals(ref)) gone.add(q); });
        for (String queue : gone) lostIncarnation(queue);
        releaseHeld();
    }

    private void lostIncarnation(String queue) {
        incarnations.remove(queue);
        prefetch.settled(unacked.queueLost(queue));
        prefetch.queueLost(queue);
        recover(failover.lost(queue, consumers.on(queue), System.nanoTime()));
    }

    private void recover(QueueFailover.Recovery<Message> r) {
        for (String tag : r.reattach()) {
            conn.broker().queues().tell(vhost(), r.queue(), consumeCommand(tag, consumers.get(tag)));
        }
        if (r.resend() != null) resend(r.resend());
    }

    private void resend(QueueFailover.Resend<Message> r) {
        conn.broker().queues().enqueue(vhost(), r.queue(), new QueueCommand.Enqueue(r.messages(), r.seqs(), conn.self().narrow(), number));
    }

    /**
     * Retries what a queue's next incarnation has not answered for this long: consumer re-attaches (idempotent), and
     * unconfirmed publishes while nothing at all was settled since the loss (the queue drops ids it holds).
     */
    void retryRecoveries(long afterNanos) {
        long now = System.nanoTime();
        if (pendingConsume != null && now - pendingConsume.sentAt >= afterNanos) {
            pendingConsume.sentAt = now;
            conn.broker().queues().tell(vhost(), pendingConsume.queue, pendingConsume.command);
        }
        for (QueueFailover.Recovery<Message> r : failover.retry(now, afterNanos, consumers::consumes)) recover(r);
    }

    /**
     * Nacks publishes unconfirmed for longer than {@code nanos} (0: never), e.g. while the journal database is down:
     * a publisher is told within a bounded time that the broker did not take its message. The queue may still write
     * and deliver it later, so a publisher that re-publishes on nack may cause a duplicate, as with any nack. Nacked
     * publishes are no longer sent again after a failover.
     */
    void nackUnconfirmedOlderThan(long nanos) {
        List<Confirm> nacks = confirms.timedOut(System.nanoTime(), nanos);
        if (nacks.isEmpty()) return;
        failover.forget(nacks.stream().mapToLong(Confirm::seq).toArray());
        sendConfirms(nacks);
    }

    /** Publishes unconfirmed for this long are sent again: the message may have died with a node on its way. */
    void resendOlderThan(long nanos) {
        for (QueueFailover.Resend<Message> r : failover.resendOlderThan(System.nanoTime(), nanos)) resend(r);
    }

    /** Messages in enqueue batches this channel is waiting on, over all queues (one per destination queue). */
    int enqueuesOutstanding() {
        return failover.outstanding();
    }

    /** Hands over (and forgets) the socket credit of deliveries written since the last call. */
    void takeWritten(List<WrittenCredit> out) {
        for (SocketCredit.Credit c : written.take()) {
            out.add(new WrittenCredit(c.queue(), new QueueCommand.NoAckWritten(channelId, c.consumerTag(), c.count())));
        }
    }

    /** The channel is closing (or its connection is): queues drop its consumers and requeue what it held. */
    void release() {
        generation++;
        busy = false;
        awaiting = null;
        deferred.clear();
        pendingConsume = null;
        endOfInput();
        for (String q : queuesTouched) conn.broker().queues().tell(vhost(), q, new QueueCommand.ChannelClosed(channelId));
        queuesTouched.clear();
        consumers.clear();
        unacked.clear();
        prefetch.clear();
        confirms.clear();
        failover.clear();
        written.clear();
        incarnations.clear();
        tx.clear();
        content.reset();
        replyConsumer = null;
    }
}
