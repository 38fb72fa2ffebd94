package io.warren.broker.connection;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.frame.ContentBodyFrame;
import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.frame.FrameEncoder;
import io.warren.amqp.method.*;
import io.warren.broker.protocol.ConnectionProtocol.*;
import io.warren.broker.protocol.QueueCommand;
import io.warren.broker.protocol.QueueDelivery;
import io.warren.core.access.Action;
import io.warren.core.access.ResourceKind;
import io.warren.core.channel.*;
import io.warren.core.names.CrLfStripping;
import io.warren.core.queue.ConsumerArguments;
import io.warren.core.queue.Message;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One AMQP channel, a plain state object inside its {@link ConnectionActor}: glue between the world and the channel's
 * rules in {@link ChannelCore} (confirms, transactions, delivery tags, prefetch, consumers, failover, batches). It
 * assembles content, routes publishes through the node's routing table, feeds the core its inputs (methods, queue
 * answers, deliveries, lost queues, ticks) and hands the core's {@link ChannelEffect}s to the connection's
 * {@link ChannelEffects}. Topology methods and basic.get are {@link ChannelTopology}'s, direct reply-to is
 * {@link ChannelReplyTo}'s. While one of them (or a consume) waits for an answer, what the client sends waits in
 * {@link InputsWhileBusy}, so replies keep the order of requests.
 */
final class Channel {

    private final ConnectionActor conn;
    private final ChannelEffects effects;
    private final int number;
    private final String channelId;
    private long generation;
    private final ChannelLifecycle lifecycle = new ChannelLifecycle();
    private final ContentAssembler content;
    private final ChannelCore<QueueDelivery, TxPublish> core;
    private final InputsWhileBusy<DeferredInput> inputs = new InputsWhileBusy<>();
    private final ChannelTopology topology;
    private final ChannelReplyTo replies;
    /**
     * Effects of the deliver, settle and end-of-read paths, carried out and cleared at once: one reused buffer, so
     * those paths allocate nothing per message for the core's sake (the publish path has its own). Other inputs get a
     * list of their own.
     */
    private final List<ChannelEffect> hot = new ArrayList<>();
    /** Which incarnation of each queue this channel uses (known once the queue has told us). */
    private final QueueIncarnations<ActorRef<QueueCommand>> incarnations = new QueueIncarnations<>();
    private final ChannelPublisher publisher;

    Channel(ConnectionActor conn, int number) {
        this.conn = conn;
        this.effects = conn.channelEffects();
        this.number = number;
        this.channelId = conn.channelId(number);
        this.content = new ContentAssembler(conn.broker().settings().maxMessageSize());
        this.core = new ChannelCore<>(number, conn.clientCapability("consumer_cancel_notify"));
        this.topology = new ChannelTopology(conn, this);
        this.replies = new ChannelReplyTo(conn, number);
        this.publisher = new ChannelPublisher(conn, this, replies);
    }

    long generation() { return generation; }
    int number() { return number; }
    String channelId() { return channelId; }
    ChannelCore<QueueDelivery, TxPublish> core() { return core; }
    InputsWhileBusy<DeferredInput> inputs() { return inputs; }
    ChannelReplyTo replies() { return replies; }
    ChannelPublisher publisher() { return publisher; }

    /** This channel as the management API lists it: the one place its figures are gathered. */
    ConnectionRegistry.ChannelDetails details() {
        return ConnectionRegistry.ChannelDetails.of(number, core.figures());
    }

    // ---------------------------------------------------------------- frames from the client

    void onMethod(Method method) {
        switch (lifecycle.onMethod(method)) {
            case OPEN_OK -> conn.sendMethod(number, new ChannelOpenOk());
            case CLOSED -> conn.channelClosed(number);
            case REPLY_CLOSE_OK -> conn.sendMethod(number, new ChannelCloseOk());
            case IGNORE -> { }
            case PROCESS -> {
                content.onMethod(method); // 505 while content is expected; basic.publish starts assembling
                ChannelLifecycle.checkNotReopened(method);
                if (method instanceof BasicPublish) return;
                if (inputs.busy()) inputs.waits(new DeferredInput.OfMethod(method));
                else runMethod(method);
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
        if (inputs.busy()) inputs.waits(p);
        else runPublish(p);
    }

    // Run a method or a publish now; soft errors close just this channel.
    private void runMethod(Method m) {
        try { dispatch(m); } catch (AmqpException e) { failFor(e, m); }
    }

    private void runPublish(AssembledPublish p) {
        try { publisher.publish(p.method(), p.properties(), p.body()); } catch (AmqpException e) { failFor(e, p.method()); }
    }

    /** Runs what waited, in order, until the channel waits again (or closes). */
    private void runWaiting() {
        DeferredInput next;
        while (!lifecycle.isClosing() && (next = inputs.next()) != null) {
            if (next instanceof AssembledPublish p) runPublish(p);
            else runMethod(next.cause());
        }
    }

    private void failFor(AmqpException e, Method cause) {
        AmqpException attributed = e.classId() == 0 ? e.causedBy(cause.classId(), cause.methodId()) : e;
        if (attributed.connectionLevel()) throw attributed;
        fail(attributed);
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

    void apply(List<ChannelEffect> out) {
        effects.apply(this, out);
    }

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
        } else if (method instanceof BasicConsume c) {
            basicConsume(c);
        } else if (method instanceof BasicCancel c) {
            if (!replies.cancel(c)) {
                core.cancel(c.consumerTag(), c.noWait(), System.nanoTime(), out);
                apply(out);
            }
        } else if (!topology.onMethod(method)) {
            throw new AmqpException(ReplyCodes.COMMAND_INVALID, ReplyCodes.text(ReplyCodes.COMMAND_INVALID,
                    "unexpected method " + method.name() + " from a client"), method.classId(), method.methodId(), true);
        }
    }

    /** The answer to what {@link ChannelTopology} waits for (the connection checked that it is this generation's). */
    void onAnswer(ChannelAnswer a) {
        Method cause = topology.awaitedCause();
        inputs.answered();
        if (cause == null) return;
        try {
            topology.onAnswer(a);
        } catch (AmqpException e) {
            failFor(e, cause);
        }
        runWaiting();
    }

    private void basicConsume(BasicConsume c) {
        endOfInput(); // publishes and acks of this channel reach the queue before this command
        String queue = core.queueName(c.queue());
        String tag = core.consumerTag(c.consumerTag());
        if (queue.equals(DirectReplyConsumer.QUEUE)) {
            replies.consume(c, tag);
            return;
        }
        conn.broker().users().check(conn.user().name(), conn.vhost(), ResourceKind.QUEUE, queue, Action.READ);
        int priority = ConsumerArguments.priority(conn.vhost(), queue, c.arguments());
        List<ChannelEffect> out = new ArrayList<>();
        core.consume(queue, tag, c.noAck(), c.exclusive(), priority, c.noWait(), System.nanoTime(), out);
        inputs.startWaiting(); // until the queue answers (ConsumeResult)
        apply(out);
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
            if (!lifecycle.isClosing()) core.deliveriesArrived(d.queue(), d.incarnation(), d.seq(), d.maxDeliveryId());
        } else if (m instanceof DeliveryProbe p) {
            if (!lifecycle.isClosing()) core.deliveryProbe(p.queue(), p.incarnation(), p.seq(), p.lastDeliveryId(), p.wantHeld());
        } else if (m instanceof EnqueueSettled s) {
            core.enqueueSettled(s.queue(), s.accepted(), s.rejected(), System.nanoTime(), hot);
            apply(hot);
        } else if (m instanceof QueueIncarnation qi) {
            // A newer incarnation that speaks first (to a publish of ours, say) means the old one is gone.
            if (incarnations.heard(qi.queue(), qi.ref())) lost(qi.queue());
        } else if (m instanceof ConsumeResult r) {
            List<ChannelEffect> out = new ArrayList<>();
            boolean answered = core.consumeAnswered(r.consumerTag(), r.ok(), r.failureCode(), r.failureText(), out);
            if (answered) inputs.answered();
            apply(out);
            if (answered) runWaiting();
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
            if (!lifecycle.isClosing() && replies.holds(r.key())) replies.deliver(r, core.nextTag());
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

    void sendDelivery(long tag, QueueDelivery qd) {
        Message msg = qd.message();
        conn.write(FrameEncoder.content(number,
                new BasicDeliver(qd.consumerTag(), tag, qd.redelivered(), msg.exchange(), msg.routingKey()),
                msg.encodedProperties(), msg.body(), conn.frameMax()));
    }

    /** Whether this channel's reply consumer (if any) holds {@code key}. */
    boolean hasReplyConsumer(String key) {
        return !lifecycle.isClosing() && replies.holds(key);
    }

    // ---------------------------------------------------------------- failover and ticks

    /**
     * The incarnation of a queue this channel used has stopped (its node died, or sharding moved it): the core
     * decides what is re-attached and re-sent.
     */
    void onQueueGone(ActorRef<QueueCommand> ref) {
        if (lifecycle.isClosing()) return;
        for (String queue : incarnations.stopped(ref)) lost(queue);
    }

    private void lost(String queue) {
        List<ChannelEffect> out = new ArrayList<>();
        core.queueLost(queue, System.nanoTime(), out);
        apply(out);
    }

    /**
     * The connection's periodic tick: publishes unconfirmed for {@code resendAfter} are sent again (the message may
     * have died with a node on its way), consume and failover recoveries unanswered for {@code retryAfter} are retried,
     * publishes unconfirmed for {@code nackAfter} are nacked (warren.persistence.confirm-timeout; 0: never).
     */
    /**
     * A queue silent this long about our enqueue batches is probed: remoting may have lost a batch or its answer (a
     * flapping link), and the long {@code resendAfter} would leave a confirming publisher waiting meanwhile; a lost
     * answer would also count against reading on for good.
     */
    private static final long PROBE_UNANSWERED_AFTER_NANOS = 1_000_000_000L;

    void onTick(long now, long resendAfter, long retryAfter, long nackAfter) {
        core.resendOlderThan(now, resendAfter, hot);
        apply(hot);
        core.probeUnanswered(now, PROBE_UNANSWERED_AFTER_NANOS, hot);
        apply(hot);
        List<ChannelEffect> out = new ArrayList<>(); // not the hot buffer: as any input but publish/deliver
        core.retryRecoveries(now, retryAfter, out);
        apply(out);
        core.nackUnconfirmedOlderThan(now, nackAfter, hot);
        apply(hot);
    }

    /** Messages in enqueue batches this channel is waiting on, over all queues (one per destination queue). */
    int enqueuesOutstanding() {
        return core.enqueuesOutstanding();
    }

    /** The channel is closing (or its connection is): queues drop its consumers and requeue what it held. */
    void release() {
        generation++;
        inputs.clear();
        topology.clear();
        List<ChannelEffect> out = new ArrayList<>();
        core.release(System.nanoTime(), out);
        apply(out);
        incarnations.clear();
        content.reset();
        replies.clear();
    }
}
