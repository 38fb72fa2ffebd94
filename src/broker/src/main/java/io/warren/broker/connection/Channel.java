package io.warren.broker.connection;

import io.warren.amqp.AmqpException;
import io.warren.amqp.BasicProperties;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.frame.ContentBodyFrame;
import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.frame.FrameEncoder;
import io.warren.amqp.method.*;
import io.warren.broker.connection.ConnectionProtocol.*;
import io.warren.broker.queue.QueueCommand;
import io.warren.broker.queue.QueueDelivery;
import io.warren.broker.queue.QueueReply;
import io.warren.broker.topology.TopologyClient;
import io.warren.core.names.Names;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * One AMQP channel, a plain state object inside its {@link ConnectionActor}. It assembles content, routes
 * publishes through the node's routing table and batches them per queue for the rest of the current read, tracks
 * delivery tags, confirms and transactions. Methods that need another actor (declares, binds, consume, get) make the
 * channel busy: what the client sends meanwhile waits, so replies keep the order of requests.
 */
final class Channel {

    private record Unacked(String queue, long deliveryId) {}

    private record ConsumerInfo(String queue, boolean noAck, int prefetch, boolean exclusive, int priority) {}

    /** The direct reply-to consumer: its tag, its secret, and the reply-to that publishes on this channel carry. */
    private record ReplyConsumer(String tag, String key, String replyTo) {}

    /** Confirmed-mode publishes to one queue that it has not accepted yet: re-sent if its incarnation dies. */
    private static final class InFlight {
        final LinkedHashMap<Long, Message> bySeq = new LinkedHashMap<>();
        long sentAt = System.nanoTime();
    }

    /**
     * A queue whose incarnation died, until its next incarnation has answered this channel: the consumers still to
     * be re-attached, and whether an enqueue was settled since. A re-attach or re-send can be lost on its way (a
     * region may still route to the dead node for a moment), so both are retried until answered.
     */
    private static final class Recovery {
        final Set<String> consumerTags = new HashSet<>();
        boolean settledSince;
        long lastTry = System.nanoTime();
    }

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

    private enum Outcome { ACK, REQUEUE, DISCARD }

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

    // Content being assembled.
    private BasicPublish publishing;
    private BasicProperties publishingProperties;
    private long bodyRemaining;
    private ByteStringBuilder body;

    // Work that waits while an asynchronous method is answered.
    private boolean busy;
    private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
    /** The basic.consume waiting for its queue's answer, re-sent if none comes (it may be lost while shards move). */
    private PendingConsume pendingConsume;

    private static final class PendingConsume {
        final String queue;
        final QueueCommand.Consume command;
        final Runnable ok;
        long sentAt = System.nanoTime();

        PendingConsume(String queue, QueueCommand.Consume command, Runnable ok) {
            this.queue = queue;
            this.command = command;
            this.ok = ok;
        }
    }

    private final Map<String, PublishBatch> publishBatches = new HashMap<>();
    private final Map<String, SettleBatch> settleBatches = new HashMap<>();

    private boolean confirmMode;
    private long nextPublishSeq = 1;
    /** Confirm sequence → how many queues still have to accept it. */
    private final TreeMap<Long, int[]> unconfirmed = new TreeMap<>();
    /** {confirm sequence, nanoTime published} in publish order, for warren.persistence.confirm-timeout. */
    private final ArrayDeque<long[]> confirmsSince = new ArrayDeque<>();

    private boolean txMode;
    private final List<Runnable> txActions = new ArrayList<>();

    private final Map<String, ConsumerInfo> consumers = new HashMap<>();
    /** basic.consume on amq.rabbitmq.reply-to (at most one per channel); null when there is none. */
    private ReplyConsumer replyConsumer;
    /** Which incarnation of each queue this channel uses (known once the queue has told us). */
    private final Map<String, org.apache.pekko.actor.typed.ActorRef<QueueCommand>> incarnations = new HashMap<>();
    private final Map<String, InFlight> inFlight = new HashMap<>();
    private final Map<String, Recovery> recovering = new HashMap<>();
    /** No-ack deliveries written to the connection since its last socket write, per queue and consumer tag. */
    private final Map<String, Map<String, int[]>> written = new HashMap<>();
    /** Messages in enqueue batches sent per queue and not yet answered: the connection stops reading when there are too many. */
    private final Map<String, Outstanding> enqueuesOutstanding = new HashMap<>();

    /** The sizes of the enqueue batches a queue has not answered yet (queues answer in order), and their sum. */
    private static final class Outstanding {
        final ArrayDeque<Integer> batches = new ArrayDeque<>();
        int messages;
        void sent(int size) { batches.add(size); messages += size; }
        void answered() { Integer n = batches.poll(); if (n != null) messages -= n; }
    }
    /** Delivery tags from a queue incarnation that died: acking them is not an error, and does nothing. */
    private final Set<Long> staleTags = new HashSet<>();
    private long nextDeliveryTag = 1;
    private final LinkedHashMap<Long, Unacked> unacked = new LinkedHashMap<>();
    private final Set<String> queuesTouched = new HashSet<>();
    private int prefetchCount;
    /** basic.qos global=true: unacked deliveries allowed on the whole channel (0 = no limit). */
    private int globalPrefetch;
    /** Deliveries the queues sent beyond the channel-wide limit, released as acks come in. */
    private final ArrayDeque<Held> held = new ArrayDeque<>();

    private record Held(String queue, QueueDelivery delivery) {}

    /** No-ack window credit for one consumer of one queue. */
    record WrittenCredit(String queue, QueueCommand.NoAckWritten credit) {}
    private String lastQueue;

    Channel(ConnectionActor conn, int number) {
        this.conn = conn;
        this.number = number;
        this.channelId = conn.channelId(number);
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
        if (publishing != null) {
            throw new AmqpException(ReplyCodes.UNEXPECTED_FRAME, ReplyCodes.text(ReplyCodes.UNEXPECTED_FRAME,
                    "expected content header for class 60, got non content header frame instead"),
                    method.classId(), method.methodId(), true);
        }
        if (method instanceof ChannelOpen) {
            throw new AmqpException(ReplyCodes.CHANNEL_ERROR, ReplyCodes.text(ReplyCodes.CHANNEL_ERROR,
                    "second 'channel.open' seen"), method.classId(), method.methodId(), true);
        }
        if (method instanceof BasicPublish p) {
            publishing = p;
            return;
        }
        run(() -> dispatch(method), method);
    }

    void onContentHeader(ContentHeaderFrame h) {
        if (closing) return;
        if (publishing == null || publishingProperties != null) {
            throw AmqpException.connection(ReplyCodes.UNEXPECTED_FRAME, ReplyCodes.text(ReplyCodes.UNEXPECTED_FRAME,
                    "unexpected content header frame on channel " + number));
        }
        long max = conn.broker().settings().maxMessageSize();
        if (h.bodySize() > max) {
            BasicPublish p = publishing;
            publishing = null;
            fail(new AmqpException(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED,
                    "message size " + h.bodySize() + " is larger than configured max size " + max), p.classId(), p.methodId(), false));
            return;
        }
        publishingProperties = h.properties();
        bodyRemaining = h.bodySize();
        body = null;
        if (bodyRemaining == 0) completePublish(ByteString.emptyByteString());
    }

    void onContentBody(ContentBodyFrame b) {
        if (closing) return;
        if (publishingProperties == null) {
            throw AmqpException.connection(ReplyCodes.UNEXPECTED_FRAME, ReplyCodes.text(ReplyCodes.UNEXPECTED_FRAME,
                    "unexpected content body frame on channel " + number));
        }
        long size = b.payload().size();
        if (size > bodyRemaining) {
            throw AmqpException.connection(ReplyCodes.FRAME_ERROR, ReplyCodes.text(ReplyCodes.FRAME_ERROR,
                    "content body is longer than the header's body size"));
        }
        bodyRemaining -= size;
        if (bodyRemaining == 0 && body == null) {
            completePublish(b.payload()); // the common single-frame body: keep the slice as it is
            return;
        }
        if (body == null) body = new ByteStringBuilder();
        body.append(b.payload());
        if (bodyRemaining == 0) completePublish(body.result());
    }

    private void completePublish(ByteString bytes) {
        conn.markPublisher();
        BasicPublish p = publishing;
        BasicProperties props = publishingProperties;
        publishing = null;
        publishingProperties = null;
        body = null;
        run(() -> publish(p, props, bytes), p);
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
            if (q.global()) globalPrefetch = q.prefetchCount();
            else prefetchCount = q.prefetchCount();
            conn.sendMethod(number, new BasicQosOk());
            releaseHeld();
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
            if (confirmMode) throw precondition("cannot switch from confirm to tx mode");
            txMode = true;
            conn.sendMethod(number, new TxSelectOk());
        } else if (method instanceof TxCommit) {
            if (!txMode) throw precondition("channel is not transactional");
            List<Runnable> actions = new ArrayList<>(txActions);
            txActions.clear();
            for (Runnable a : actions) a.run();
            conn.sendMethod(number, new TxCommitOk());
        } else if (method instanceof TxRollback) {
            if (!txMode) throw precondition("channel is not transactional");
            txActions.clear();
            conn.sendMethod(number, new TxRollbackOk());
        } else if (method instanceof ConfirmSelect c) {
            if (txMode) throw precondition("cannot switch from tx to confirm mode");
            confirmMode = true;
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

    private TopologyClient topology() { return conn.broker().topology(); }

    private RoutingTable table() { return topology().table(vhost()); }

    /** Waits for an asynchronous answer without blocking the connection; the channel is busy meanwhile. */
    private <T> void await(CompletionStage<T> stage, Method cause, Consumer<T> then) {
        busy = true;
        long gen = generation;
        conn.context().pipeToSelf(stage, (value, error) -> new Resume(number, gen, () -> {
            busy = false;
            runGuarded(() -> {
                if (error != null) {
                    Throwable t = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (t instanceof AmqpException ae) throw ae;
                    throw AmqpException.channel(ReplyCodes.INTERNAL_ERROR, ReplyCodes.text(ReplyCodes.INTERNAL_ERROR, String.valueOf(t)));
                }
                then.accept(value);
            }, cause);
            drainDeferred();
        }));
    }

    private void awaitQueue(CompletionStage<QueueReply> stage, Method cause, Consumer<QueueReply> then) {
        await(stage, cause, reply -> {
            if (reply instanceof QueueReply.Failed f) throw f.toException();
            then.accept(reply);
        });
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
        ExchangeDefinition.validateArguments(args(d.arguments()), name, vhost());
        ExchangeDefinition def = new ExchangeDefinition(name, type, d.durable(), d.autoDelete(), d.internal(), args(d.arguments()));
        var existing = table().exchange(name);
        if (existing.isPresent()) {
            existing.get().checkEquivalent(def, vhost());
            if (!d.noWait()) conn.sendMethod(number, new ExchangeDeclareOk());
            return;
        }
        if (Names.isReserved(name)) throw Names.reservedExchangeName(name);
        await(topology().declareExchange(vhost(), def), d, v -> {
            if (!d.noWait()) conn.sendMethod(number, new ExchangeDeclareOk());
        });
    }

    private void exchangeDelete(ExchangeDelete d) {
        String name = d.exchange();
        if (name.isEmpty()) throw Names.defaultExchangeForbidden();
        if (Names.isReserved(name)) throw Names.systemExchangeDeletion(name, vhost());
        await(topology().deleteExchange(vhost(), name, d.ifUnused()), d, v -> {
            if (!d.noWait()) conn.sendMethod(number, new ExchangeDeleteOk());
        });
    }

    private void exchangeBind(String destination, String source, String key, Map<String, Object> arguments,
                              boolean bind, boolean noWait, Method cause) {
        if (destination.isEmpty() || source.isEmpty()) throw Names.defaultExchangeForbidden();
        Binding b = new Binding(source, Destination.exchange(destination), key, args(arguments));
        await(bind ? topology().bind(vhost(), b) : topology().unbind(vhost(), b), cause, v -> {
            if (!noWait) conn.sendMethod(number, bind ? new ExchangeBindOk() : new ExchangeUnbindOk());
        });
    }

    // ---------------------------------------------------------------- queues

    private String queueName(String requested) {
        if (!requested.isEmpty()) return requested;
        if (lastQueue == null) {
            throw AmqpException.channel(ReplyCodes.NOT_FOUND, ReplyCodes.text(ReplyCodes.NOT_FOUND, "no previously declared queue"));
        }
        return lastQueue;
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
        QueueDefinition def = new QueueDefinition(vhost(), queue, d.durable(), d.exclusive(), d.autoDelete(), args(d.arguments()));
        if (!d.passive()) QueueArguments.parse(def);
        awaitQueue(conn.broker().queues().declare(vhost(), queue, def, conn.connectionId(), d.passive()), d, reply -> {
            QueueReply.Ok ok = (QueueReply.Ok) reply;
            lastQueue = queue;
            if (d.exclusive() && !d.passive()) conn.broker().queues().ownedBy(conn.connectionId(), vhost(), queue);
            Runnable answer = () -> {
                if (!d.noWait()) conn.sendMethod(number, new QueueDeclareOk(queue, ok.messageCount(), ok.consumerCount()));
            };
            if (table().hasQueue(queue)) answer.run();
            else await(topology().declareQueue(vhost(), queue, d.durable()), d, v -> answer.run());
        });
    }

    /**
     * RabbitMQ answers any declare (passive or not) of the pseudo-queue with declare-ok (0 messages, 1 consumer), and
     * of a reply-to address the same while the reply consumer it names still exists, else 404.
     */
    private void declareReplyQueue(QueueDeclare d) {
        String name = d.queue();
        Runnable ok = () -> {
            lastQueue = name;
            if (!d.noWait()) conn.sendMethod(number, new QueueDeclareOk(name, 0, 1));
        };
        if (name.equals(DirectReplyTo.QUEUE)) {
            ok.run();
            return;
        }
        var system = conn.context().getSystem();
        var address = DirectReplyTo.resolve(system, name).orElseThrow(() -> replyQueueNotFound(name));
        // A connection that is gone never answers: that too means the consumer does not exist.
        CompletionStage<QueueReply> answer = AskPattern.<ConnectionProtocol, QueueReply>ask(address.connection(),
                        r -> new ReplyConsumerQuery(address.channel(), address.key(), r), REPLY_QUERY_TIMEOUT, system.scheduler())
                .exceptionally(e -> new QueueReply.Empty());
        await(answer, d, reply -> {
            if (!(reply instanceof QueueReply.Ok)) throw replyQueueNotFound(name);
            ok.run();
        });
    }

    private static final java.time.Duration REPLY_QUERY_TIMEOUT = java.time.Duration.ofSeconds(2);

    private AmqpException replyQueueNotFound(String name) {
        return AmqpException.channel(ReplyCodes.NOT_FOUND, ReplyCodes.text(ReplyCodes.NOT_FOUND,
                "no queue '" + name + "' in vhost '" + vhost() + "'"));
    }

    private void queueBind(String requestedQueue, String exchange, String key, Map<String, Object> arguments,
                           boolean bind, boolean noWait, Method cause) {
        String queue = queueName(requestedQueue);
        if (exchange.isEmpty()) throw Names.defaultExchangeForbidden();
        Binding b = new Binding(exchange, Destination.queue(queue), key, args(arguments));
        await(bind ? topology().bind(vhost(), b) : topology().unbind(vhost(), b), cause, v -> {
            if (!noWait) conn.sendMethod(number, bind ? new QueueBindOk() : new QueueUnbindOk());
        });
    }

    private void queuePurge(QueuePurge p) {
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = queueName(p.queue());
        awaitQueue(conn.broker().queues().purge(vhost(), queue, conn.connectionId()), p, reply -> {
            if (!p.noWait()) conn.sendMethod(number, new QueuePurgeOk(((QueueReply.Ok) reply).messageCount()));
        });
    }

    private void queueDelete(QueueDelete d) {
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = queueName(d.queue());
        awaitQueue(conn.broker().queues().delete(vhost(), queue, d.ifUnused(), d.ifEmpty(), conn.connectionId()), d, reply -> {
            int count = ((QueueReply.Ok) reply).messageCount();
            await(topology().deleteQueue(vhost(), queue), d, v -> {
                if (!d.noWait()) conn.sendMethod(number, new QueueDeleteOk(count));
            });
        });
    }

    // ---------------------------------------------------------------- publishing

    private void publish(BasicPublish p, BasicProperties published, ByteString bytes) {
        if (p.immediate()) {
            throw new AmqpException(ReplyCodes.NOT_IMPLEMENTED, ReplyCodes.text(ReplyCodes.NOT_IMPLEMENTED, "immediate=true"),
                    p.classId(), p.methodId(), true);
        }
        RoutingTable table = table();
        String exchangeName = p.exchange();
        ExchangeDefinition exchange = table.exchange(exchangeName).orElseThrow(() -> Names.noExchange(exchangeName, vhost()));
        if (exchange.internal()) throw Names.internalExchangePublish(exchangeName, vhost());
        BasicProperties props = published;
        if (DirectReplyTo.QUEUE.equals(props.replyTo())) {
            // The requester asks for replies on this channel: tell the responder how to reach it.
            if (replyConsumer == null) throw precondition("fast reply consumer does not exist");
            props = props.withReplyTo(replyConsumer.replyTo());
        }
        if (props.userId() != null && !props.userId().equals(conn.user().name())) {
            throw precondition("user_id property set to '" + props.userId() + "' but authenticated user was '" + conn.user().name() + "'");
        }
        if (props.expiration() != null) QueueState.validateExpiration(props.expiration());
        // Once per publish, shared by direct replies and routing: CC/BCC keys, and the properties without BCC.
        List<String> keys = SenderSelected.routingKeys(p.routingKey(), props.headers());
        BasicProperties stored = SenderSelected.withoutBcc(props);
        if (exchangeName.isEmpty()) sendDirectReplies(p, keys, stored, bytes);
        Map<String, Object> headers = props.headers();
        if (txMode) txActions.add(() -> route(p, keys, headers, stored, bytes, table, exchangeName));
        else route(p, keys, headers, stored, bytes, table, exchangeName);
    }

    /**
     * A publish to the default exchange whose routing key (or a CC key) is a direct reply-to address goes straight to
     * that channel, on whatever node, even in a transaction (as in RabbitMQ). It is not a queue: for mandatory and
     * confirms the publish counts as unroutable, so it is acked at once and, with mandatory, returned.
     */
    private void sendDirectReplies(BasicPublish p, List<String> keys, BasicProperties stored, ByteString bytes) {
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
    private void route(BasicPublish p, List<String> keys, Map<String, Object> headers, BasicProperties stored,
                       ByteString bytes, RoutingTable table, String exchangeName) {
        Set<String> queues = table.route(exchangeName, keys, headers);
        long seq = confirmMode ? nextPublishSeq++ : 0;
        if (queues.isEmpty()) {
            if (p.mandatory()) {
                conn.write(FrameEncoder.content(number, new BasicReturn(ReplyCodes.NO_ROUTE, "NO_ROUTE", exchangeName, p.routingKey()),
                        stored, bytes, conn.frameMax()));
            }
            if (seq != 0) conn.sendMethod(number, new BasicAck(seq, false));
            return;
        }
        Message m = new Message(conn.nextMessageId(), exchangeName, p.routingKey(), stored, bytes);
        if (seq != 0) {
            unconfirmed.put(seq, new int[] {queues.size()});
            confirmsSince.add(new long[] {seq, System.nanoTime()});
        }
        for (String q : queues) {
            publishBatches.computeIfAbsent(q, k -> new PublishBatch()).add(m, seq);
            if (seq != 0) inFlight.computeIfAbsent(q, k -> new InFlight()).bySeq.put(seq, m);
        }
    }

    /** End of a read (or of an asynchronous step): send what this read gathered, one message per queue. */
    void endOfInput() {
        if (!publishBatches.isEmpty()) {
            for (Map.Entry<String, PublishBatch> e : publishBatches.entrySet()) {
                PublishBatch b = e.getValue();
                InFlight f = inFlight.get(e.getKey());
                if (f != null) f.sentAt = System.nanoTime();
                conn.broker().queues().enqueue(vhost(), e.getKey(),
                        new QueueCommand.Enqueue(List.copyOf(b.messages), b.seqs.toArray(), conn.self().narrow(), number));
                enqueuesOutstanding.computeIfAbsent(e.getKey(), k -> new Outstanding()).sent(b.messages.size());
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
        if (m instanceof EnqueueSettled s) {
            Outstanding n = enqueuesOutstanding.get(s.queue());
            if (n != null) {
                n.answered();
                if (n.batches.isEmpty()) enqueuesOutstanding.remove(s.queue());
            }
            Recovery r = recovering.get(s.queue());
            if (r != null) {
                r.settledSince = true;
                endRecoveryIfDone(s.queue(), r);
            }
        }
        if (m instanceof Deliver d) {
            deliver(d);
        } else if (m instanceof EnqueueSettled s) {
            confirm(s);
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
                reattached(r.consumerTag());
                // A re-attach after failover that the new incarnation refused: the consumer is gone.
                if (!r.ok() && consumers.remove(r.consumerTag()) != null && conn.clientCapability("consumer_cancel_notify")) {
                    conn.sendMethod(number, new BasicCancel(r.consumerTag(), true));
                }
                return;
            }
            Runnable ok = pendingConsume.ok;
            pendingConsume = null;
            busy = false;
            if (!r.ok()) {
                consumers.remove(r.consumerTag());
                fail(new AmqpException(r.failureCode(), r.failureText(), BasicConsume.CLASS_ID, BasicConsume.METHOD_ID, false));
                return;
            }
            ok.run();
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
        for (Unacked u : unacked.values()) {
            if (u.deliveryId() == deliveryId && u.queue().equals(queue)) return true;
        }
        for (Held h : held) {
            if (h.delivery().deliveryId() == deliveryId && h.queue().equals(queue)) return true;
        }
        return false;
    }

    private void deliver(Deliver d) {
        for (QueueDelivery qd : d.deliveries()) {
            ConsumerInfo consumer = consumers.get(qd.consumerTag());
            if (consumer == null || closing) {
                // Cancelled meanwhile: the queue takes it back untouched.
                settleBatches.computeIfAbsent(d.queue(), k -> new SettleBatch()).requeued.add(qd.deliveryId());
                continue;
            }
            if (!consumer.noAck() && globalPrefetch > 0 && (unacked.size() >= globalPrefetch || !held.isEmpty())) {
                held.add(new Held(d.queue(), qd));
                continue;
            }
            send(d.queue(), qd, consumer);
        }
    }

    private void releaseHeld() {
        while (!held.isEmpty() && (globalPrefetch == 0 || unacked.size() < globalPrefetch)) {
            Held h = held.poll();
            String queue = h.queue();
            QueueDelivery qd = h.delivery();
            ConsumerInfo consumer = consumers.get(qd.consumerTag());
            if (consumer == null) {
                settleBatches.computeIfAbsent(queue, k -> new SettleBatch()).requeued.add(qd.deliveryId());
            } else {
                send(queue, qd, consumer);
            }
        }
    }

    private void send(String queue, QueueDelivery qd, ConsumerInfo consumer) {
        {
            long tag = nextDeliveryTag++;
            if (!consumer.noAck()) unacked.put(tag, new Unacked(queue, qd.deliveryId()));
            else written.computeIfAbsent(queue, k -> new HashMap<>()).computeIfAbsent(qd.consumerTag(), k -> new int[1])[0]++;
            Message msg = qd.message();
            conn.write(FrameEncoder.content(number,
                    new BasicDeliver(qd.consumerTag(), tag, qd.redelivered(), msg.exchange(), msg.routingKey()),
                    msg.properties(), msg.body(), conn.frameMax()));
        }
    }

    private void confirm(EnqueueSettled s) {
        if (!confirmMode) return;
        InFlight f = inFlight.get(s.queue());
        if (f != null) {
            for (long seq : s.accepted()) f.bySeq.remove(seq);
            for (long seq : s.rejected()) f.bySeq.remove(seq);
            if (f.bySeq.isEmpty()) inFlight.remove(s.queue());
        }
        List<Long> done = new ArrayList<>();
        for (long seq : s.rejected()) {
            if (seq != 0 && unconfirmed.remove(seq) != null) conn.sendMethod(number, new BasicNack(seq, false, false));
        }
        for (long seq : s.accepted()) {
            if (seq == 0) continue;
            int[] remaining = unconfirmed.get(seq);
            if (remaining != null && --remaining[0] == 0) {
                unconfirmed.remove(seq);
                done.add(seq);
            }
        }
        if (done.isEmpty()) return;
        // Everything below the oldest unconfirmed publish is settled: one ack with multiple=true covers it.
        long low = unconfirmed.isEmpty() ? Long.MAX_VALUE : unconfirmed.firstKey();
        long highestBelow = 0;
        for (long seq : done) {
            if (seq < low) highestBelow = Math.max(highestBelow, seq);
            else conn.sendMethod(number, new BasicAck(seq, false));
        }
        if (highestBelow != 0) conn.sendMethod(number, new BasicAck(highestBelow, true));
    }

    // ---------------------------------------------------------------- consuming

    private void basicConsume(BasicConsume c) {
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = queueName(c.queue());
        String tag = c.consumerTag().isEmpty()
                ? "amq.ctag-" + UUID.randomUUID().toString().replace("-", "").substring(0, 22)
                : c.consumerTag();
        if (consumers.containsKey(tag)) {
            throw new AmqpException(ReplyCodes.NOT_ALLOWED, ReplyCodes.text(ReplyCodes.NOT_ALLOWED,
                    "attempt to reuse consumer tag '" + tag + "'"), c.classId(), c.methodId(), true);
        }
        if (queue.equals(DirectReplyTo.QUEUE)) {
            consumeReplies(c, tag);
            return;
        }
        int priority = consumerPriority(c.arguments());
        int prefetch = c.noAck() ? NO_ACK_WINDOW : queuePrefetch();
        ConsumerInfo info = new ConsumerInfo(queue, c.noAck(), prefetch, c.exclusive(), priority);
        consumers.put(tag, info);
        queuesTouched.add(queue);
        busy = true;
        pendingConsume = new PendingConsume(queue, consumeCommand(tag, info), () -> {
            if (!c.noWait()) conn.sendMethod(number, new BasicConsumeOk(tag));
        });
        conn.broker().queues().tell(vhost(), queue, pendingConsume.command);
    }

    /** Registers a consumer with its queue: sent on basic.consume, and again to re-attach it after failover. */
    private QueueCommand.Consume consumeCommand(String tag, ConsumerInfo info) {
        return new QueueCommand.Consume(channelId, conn.self(), number, tag, info.noAck(), info.prefetch(),
                info.exclusive(), info.priority(), conn.connectionId());
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
                new BasicDeliver(replyConsumer.tag(), nextDeliveryTag++, false, msg.exchange(), msg.routingKey()),
                msg.properties(), msg.body(), conn.frameMax()));
    }

    /** What the queue may have outstanding for a new consumer: its own limit, capped by the channel's. */
    private int queuePrefetch() {
        if (globalPrefetch == 0) return prefetchCount;
        return prefetchCount == 0 ? globalPrefetch : Math.min(prefetchCount, globalPrefetch);
    }

    private static int consumerPriority(Map<String, Object> args) {
        if (args == null) return 0;
        Object p = args.get("x-priority");
        if (p == null) return 0;
        if (p instanceof Number n) return n.intValue();
        throw precondition("invalid arg 'x-priority' for consumer: not an integer");
    }

    private void basicCancel(BasicCancel c) {
        if (replyConsumer != null && replyConsumer.tag().equals(c.consumerTag())) {
            replyConsumer = null;
            if (!c.noWait()) conn.sendMethod(number, new BasicCancelOk(c.consumerTag()));
            return;
        }
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        ConsumerInfo info = consumers.remove(c.consumerTag());
        if (info != null) conn.broker().queues().tell(vhost(), info.queue(), new QueueCommand.Cancel(channelId, c.consumerTag(), null));
        if (!c.noWait()) conn.sendMethod(number, new BasicCancelOk(c.consumerTag()));
    }

    private void basicGet(BasicGet g) {
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = queueName(g.queue());
        queuesTouched.add(queue);
        awaitQueue(conn.broker().queues().get(vhost(), queue, channelId, conn.self(), number, g.noAck(), conn.connectionId()), g, reply -> {
            if (reply instanceof QueueReply.Got got) {
                QueueDelivery qd = got.delivery();
                long tag = nextDeliveryTag++;
                if (!g.noAck()) unacked.put(tag, new Unacked(queue, qd.deliveryId()));
                Message msg = qd.message();
                conn.write(FrameEncoder.content(number,
                        new BasicGetOk(tag, qd.redelivered(), msg.exchange(), msg.routingKey(), qd.messageCount()),
                        msg.properties(), msg.body(), conn.frameMax()));
            } else {
                conn.sendMethod(number, new BasicGetEmpty());
            }
        });
    }

    private void settle(long tag, boolean multiple, Outcome outcome) {
        List<Unacked> settled = new ArrayList<>();
        if (multiple) {
            boolean stale = staleTags.removeIf(t -> tag == 0 || t <= tag);
            if (tag != 0 && !unacked.containsKey(tag) && !stale) throw unknownTag(tag);
            Iterator<Map.Entry<Long, Unacked>> it = unacked.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Long, Unacked> e = it.next();
                if (tag != 0 && e.getKey() > tag) break;
                settled.add(e.getValue());
                it.remove();
            }
        } else {
            Unacked u = unacked.remove(tag);
            if (u == null && staleTags.remove(tag)) return;
            if (u == null) throw unknownTag(tag);
            settled.add(u);
        }
        Runnable apply = () -> {
            for (Unacked u : settled) {
                SettleBatch b = settleBatches.computeIfAbsent(u.queue(), k -> new SettleBatch());
                (outcome == Outcome.ACK ? b.acked : outcome == Outcome.REQUEUE ? b.requeued : b.discarded).add(u.deliveryId());
            }
        };
        if (txMode) txActions.add(apply);
        else apply.run();
        releaseHeld();
    }

    private static AmqpException unknownTag(long tag) {
        return precondition("unknown delivery tag " + tag);
    }

    private void recover() {
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        for (String q : queuesTouched) conn.broker().queues().tell(vhost(), q, new QueueCommand.Recover(channelId));
        unacked.clear();
        held.clear();
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
        enqueuesOutstanding.remove(queue);
        for (Iterator<Map.Entry<Long, Unacked>> it = unacked.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Unacked> e = it.next();
            if (e.getValue().queue().equals(queue)) {
                staleTags.add(e.getKey());
                it.remove();
            }
        }
        held.removeIf(h -> h.queue().equals(queue));
        Recovery r = new Recovery();
        consumers.forEach((tag, info) -> { if (info.queue().equals(queue)) r.consumerTags.add(tag); });
        recovering.put(queue, r);
        reattach(queue, r);
        resend(queue);
        endRecoveryIfDone(queue, r);
    }

    private void reattach(String queue, Recovery r) {
        for (Iterator<String> it = r.consumerTags.iterator(); it.hasNext(); ) {
            String tag = it.next();
            ConsumerInfo info = consumers.get(tag);
            if (info == null || !info.queue().equals(queue)) {
                it.remove(); // cancelled by the client meanwhile
                continue;
            }
            conn.broker().queues().tell(vhost(), queue, consumeCommand(tag, info));
        }
    }

    private void reattached(String consumerTag) {
        for (Iterator<Map.Entry<String, Recovery>> it = recovering.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Recovery> e = it.next();
            if (e.getValue().consumerTags.remove(consumerTag) && isRecovered(e.getKey(), e.getValue())) it.remove();
        }
    }

    private void endRecoveryIfDone(String queue, Recovery r) {
        if (isRecovered(queue, r)) recovering.remove(queue);
    }

    private boolean isRecovered(String queue, Recovery r) {
        InFlight f = inFlight.get(queue);
        return r.consumerTags.isEmpty() && (r.settledSince || f == null || f.bySeq.isEmpty());
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
        for (Map.Entry<String, Recovery> e : List.copyOf(recovering.entrySet())) {
            Recovery r = e.getValue();
            if (now - r.lastTry < afterNanos) continue;
            r.lastTry = now;
            reattach(e.getKey(), r);
            if (!r.settledSince) resend(e.getKey());
            endRecoveryIfDone(e.getKey(), r);
        }
    }

    private void resend(String queue) {
        InFlight f = inFlight.get(queue);
        if (f == null || f.bySeq.isEmpty()) return;
        List<Message> messages = new ArrayList<>(f.bySeq.values());
        long[] seqs = f.bySeq.keySet().stream().mapToLong(Long::longValue).toArray();
        f.sentAt = System.nanoTime();
        conn.broker().queues().enqueue(vhost(), queue, new QueueCommand.Enqueue(messages, seqs, conn.self().narrow(), number));
        // Whatever went to the old incarnation will never be answered: count just this batch.
        Outstanding only = new Outstanding();
        only.sent(messages.size());
        enqueuesOutstanding.put(queue, only);
    }

    /**
     * Nacks publishes unconfirmed for longer than {@code nanos} (0: never), e.g. while the journal database is down:
     * a publisher is told within a bounded time that the broker did not take its message. The queue may still write
     * and deliver it later, so a publisher that re-publishes on nack may cause a duplicate, as with any nack.
     */
    void nackUnconfirmedOlderThan(long nanos) {
        long now = System.nanoTime();
        while (!confirmsSince.isEmpty()) {
            long[] oldest = confirmsSince.peek();
            if (!unconfirmed.containsKey(oldest[0])) { confirmsSince.poll(); continue; }
            if (nanos <= 0 || now - oldest[1] <= nanos) return;
            confirmsSince.poll();
            unconfirmed.remove(oldest[0]);
            for (InFlight f : inFlight.values()) f.bySeq.remove(oldest[0]);
            inFlight.values().removeIf(f -> f.bySeq.isEmpty());
            conn.sendMethod(number, new BasicNack(oldest[0], false, false));
        }
    }

    /** Publishes unconfirmed for this long are sent again: the message may have died with a node on its way. */
    void resendOlderThan(long nanos) {
        long now = System.nanoTime();
        for (Map.Entry<String, InFlight> e : List.copyOf(inFlight.entrySet())) {
            if (now - e.getValue().sentAt > nanos) resend(e.getKey());
        }
    }

    /** Messages in enqueue batches this channel is waiting on, over all queues (one per destination queue). */
    int enqueuesOutstanding() {
        int total = 0;
        for (Outstanding n : enqueuesOutstanding.values()) total += n.messages;
        return total;
    }

    /** Hands over (and forgets) the no-ack window credit of deliveries written since the last call. */
    void takeWritten(List<WrittenCredit> out) {
        if (written.isEmpty()) return;
        for (Map.Entry<String, Map<String, int[]>> q : written.entrySet()) {
            for (Map.Entry<String, int[]> t : q.getValue().entrySet()) {
                out.add(new WrittenCredit(q.getKey(), new QueueCommand.NoAckWritten(channelId, t.getKey(), t.getValue()[0])));
            }
        }
        written.clear();
    }

    /** The channel is closing (or its connection is): queues drop its consumers and requeue what it held. */
    void release() {
        generation++;
        busy = false;
        deferred.clear();
        pendingConsume = null;
        endOfInput();
        for (String q : queuesTouched) conn.broker().queues().tell(vhost(), q, new QueueCommand.ChannelClosed(channelId));
        queuesTouched.clear();
        consumers.clear();
        unacked.clear();
        held.clear();
        unconfirmed.clear();
        confirmsSince.clear();
        inFlight.clear();
        written.clear();
        enqueuesOutstanding.clear();
        staleTags.clear();
        incarnations.clear();
        recovering.clear();
        txActions.clear();
        replyConsumer = null;
    }
}
