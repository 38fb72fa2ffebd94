package io.warren.core.channel;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.method.AccessRequest;
import io.warren.amqp.method.AccessRequestOk;
import io.warren.amqp.method.BasicAck;
import io.warren.amqp.method.BasicCancel;
import io.warren.amqp.method.BasicCancelOk;
import io.warren.amqp.method.BasicConsumeOk;
import io.warren.amqp.method.BasicNack;
import io.warren.amqp.method.BasicQos;
import io.warren.amqp.method.BasicQosOk;
import io.warren.amqp.method.BasicRecover;
import io.warren.amqp.method.BasicRecoverAsync;
import io.warren.amqp.method.BasicRecoverOk;
import io.warren.amqp.method.BasicReject;
import io.warren.amqp.method.ChannelFlow;
import io.warren.amqp.method.ChannelFlowOk;
import io.warren.amqp.method.ConfirmSelect;
import io.warren.amqp.method.ConfirmSelectOk;
import io.warren.amqp.method.Method;
import io.warren.amqp.method.TxCommit;
import io.warren.amqp.method.TxCommitOk;
import io.warren.amqp.method.TxRollback;
import io.warren.amqp.method.TxRollbackOk;
import io.warren.amqp.method.TxSelect;
import io.warren.amqp.method.TxSelectOk;
import io.warren.amqp.method.BasicConsume;
import io.warren.core.names.Names;
import io.warren.core.queue.Message;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of one AMQP channel without actors, built like {@code QueueState}: each input (a method the channel
 * answers alone, a routed publish, a delivery or another answer from a queue, a lost queue, a tick with {@code now})
 * changes the state and appends {@link ChannelEffect}s to {@code out}, which the broker's channel carries out in
 * order. It owns confirms, transactions, delivery tags, prefetch, consumers, socket credit, failover and the batches
 * of one read. Errors a client method causes are thrown as {@link AmqpException} (the caller attributes them to the
 * method); errors without a method come out as {@link ChannelEffect.CloseChannel}.
 *
 * <p>The publish and deliver paths do not allocate an effect per message: {@link #deliver} returns the delivery tag to
 * write (0: nothing to write) and {@link #batch} gathers publishes into per-queue batches that leave as one
 * {@link ChannelEffect.EnqueueBatch} per queue and read, so the hot path costs what it did before the core existed.
 *
 * @param <D> a delivery as the broker carries it (opaque here)
 * @param <P> a publish waiting in a transaction (opaque here)
 */
public final class ChannelCore<D, P> {

    /**
     * No-ack deliveries a queue may have on their way to this channel's socket per consumer: credit comes back as
     * the socket takes the bytes, so a slow no-ack consumer slows its queue instead of filling our memory.
     */
    public static final int NO_ACK_WINDOW = 1000;

    /** Publishes to one queue gathered during one read of the socket. */
    private static final class PublishBatch {
        final List<Message> messages = new ArrayList<>();
        final LongList seqs = new LongList();
    }

    /** Acks and rejects to one queue gathered during one read. */
    private static final class SettleBatch {
        final LongList acked = new LongList(), requeued = new LongList(), discarded = new LongList();
    }

    /** The basic.consume waiting for its queue's answer, re-sent if none comes (it may be lost while shards move). */
    private record PendingConsume(ChannelEffect.Consume command, boolean noWait, long[] sentAt) {}

    private final int number;
    private final boolean cancelNotify;
    private final PublisherConfirms confirms = new PublisherConfirms();
    private final Transaction<P> tx = new Transaction<>();
    private final ChannelConsumers consumers = new ChannelConsumers();
    private final QueueFailover<Message> failover = new QueueFailover<>();
    /** Deliveries released since the last socket write: queue credit once the socket takes them. */
    private final SocketCredit written = new SocketCredit();
    private final UnackedDeliveries unacked = new UnackedDeliveries();
    private final ChannelPrefetch<D> prefetch = new ChannelPrefetch<>();
    private final DeclaredQueue declaredQueue = new DeclaredQueue();
    private final Set<String> queuesTouched = new HashSet<>();
    private final Map<String, PublishBatch> publishBatches = new HashMap<>();
    private final Map<String, SettleBatch> settleBatches = new HashMap<>();
    private final DeliveryGaps gaps = new DeliveryGaps();
    /** Answers to numbered deliveries, per queue, sent at the end of the read after its settlements. */
    private final Map<String, long[]> deliveryReports = new HashMap<>();
    private PendingConsume pendingConsume;

    /**
     * @param number       the channel number (in the consumer-timeout text)
     * @param cancelNotify whether the client announced the consumer_cancel_notify capability
     */
    public ChannelCore(int number, boolean cancelNotify) {
        this.number = number;
        this.cancelNotify = cancelNotify;
    }

    // ---------------------------------------------------------------- methods the channel answers alone

    /**
     * Carries out {@code method} if it needs nothing but this channel's state (acks, recover, qos, tx, confirms,
     * flow, access.request); returns false for any other method.
     */
    public boolean onMethod(Method method, long now, List<ChannelEffect> out) {
        if (method instanceof BasicAck a) {
            settle(a.deliveryTag(), a.multiple(), Outcome.ACK, out);
        } else if (method instanceof BasicNack n) {
            settle(n.deliveryTag(), n.multiple(), n.requeue() ? Outcome.REQUEUE : Outcome.DISCARD, out);
        } else if (method instanceof BasicReject r) {
            settle(r.deliveryTag(), false, r.requeue() ? Outcome.REQUEUE : Outcome.DISCARD, out);
        } else if (method instanceof BasicQos q) {
            NotImplemented.checkPrefetchSize(q.prefetchSize());
            qos(q.prefetchCount(), q.global(), now, out);
        } else if (method instanceof BasicRecover r) {
            NotImplemented.checkRecoverRequeue(r.requeue());
            recover(now, out);
            out.add(new ChannelEffect.SendMethod(new BasicRecoverOk()));
        } else if (method instanceof BasicRecoverAsync r) {
            NotImplemented.checkRecoverRequeue(r.requeue());
            recover(now, out);
        } else if (method instanceof TxSelect) {
            if (confirms.enabled()) throw precondition("cannot switch from confirm to tx mode");
            tx.select();
            out.add(new ChannelEffect.SendMethod(new TxSelectOk()));
        } else if (method instanceof TxCommit) {
            if (!tx.selected()) throw precondition("channel is not transactional");
            Transaction.Committed<P> done = tx.commit();
            for (P p : done.publishes()) out.add(new ChannelEffect.RoutePublish<>(p));
            for (Settlement st : done.settlements()) applySettlement(st, out);
            out.add(new ChannelEffect.SendMethod(new TxCommitOk()));
        } else if (method instanceof TxRollback) {
            if (!tx.selected()) throw precondition("channel is not transactional");
            unacked.restore(tx.rollback()); // the client may settle them again
            out.add(new ChannelEffect.SendMethod(new TxRollbackOk()));
        } else if (method instanceof ConfirmSelect c) {
            if (tx.selected()) throw precondition("cannot switch from tx to confirm mode");
            confirms.enable();
            if (!c.noWait()) out.add(new ChannelEffect.SendMethod(new ConfirmSelectOk()));
        } else if (method instanceof ChannelFlow f) {
            out.add(new ChannelEffect.SendMethod(new ChannelFlowOk(f.active())));
        } else if (method instanceof AccessRequest) {
            out.add(new ChannelEffect.SendMethod(new AccessRequestOk()));
        } else {
            return false;
        }
        return true;
    }

    public static AmqpException precondition(String text) {
        return AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED, text));
    }

    /** basic.ack/nack/reject: the tag is checked at once; a transaction applies the settlement when it commits. */
    private void settle(long tag, boolean multiple, Outcome outcome, List<ChannelEffect> out) {
        Settlement settlement = new Settlement(unacked.settle(tag, multiple), outcome);
        if (tx.selected()) tx.settle(settlement);
        else applySettlement(settlement, out);
    }

    private void applySettlement(Settlement st, List<ChannelEffect> out) {
        for (Unacked u : st.deliveries()) {
            SettleBatch b = settleBatch(u.queue());
            (st.outcome() == Outcome.ACK ? b.acked : st.outcome() == Outcome.REQUEUE ? b.requeued : b.discarded).add(u.deliveryId());
        }
        prefetch.settled(st.deliveries());
        releaseHeld(out);
    }

    private SettleBatch settleBatch(String queue) {
        return settleBatches.computeIfAbsent(queue, k -> new SettleBatch());
    }

    /**
     * basic.recover (requeue): what the client has unacked, and what waits for the channel-wide limit, goes back to
     * its queue; deliveries acked in the open transaction stay acked (RabbitMQ).
     */
    private void recover(long now, List<ChannelEffect> out) {
        List<Unacked> all = unacked.takeAll();
        prefetch.settled(all);
        applySettlement(new Settlement(all, Outcome.REQUEUE), out);
        for (HeldDelivery<D> h : prefetch.takeAll()) {
            settleBatch(h.queue()).requeued.add(h.deliveryId());
            written.released(h.queue(), h.consumerTag());
        }
        endOfInput(now, out); // the requeues reach the queues before anything later of this channel
    }

    /**
     * basic.qos: consumers whose limit at their queue changes are registered again with the new one (after this
     * read's acks), and a higher channel-wide limit lets held deliveries through.
     */
    private void qos(int count, boolean global, long now, List<ChannelEffect> out) {
        Map<String, Integer> before = new HashMap<>();
        for (ChannelConsumers.Consumer info : consumers.all()) before.put(info.tag(), queueLimit(info));
        prefetch.qos(count, global);
        endOfInput(now, out); // acks of this channel reach the queues before the new limits
        for (ChannelConsumers.Consumer info : consumers.all()) {
            if (queueLimit(info) != before.get(info.tag())) out.add(consumeCommand(info));
        }
        out.add(new ChannelEffect.SendMethod(new BasicQosOk()));
        releaseHeld(out);
    }

    // ---------------------------------------------------------------- consumers

    /** The queue an empty name means (the last declared one), else the name itself. */
    public String queueName(String requested) {
        return declaredQueue.queue(requested);
    }

    /** queue.bind/unbind's routing key (the queue's name when both queue and key are empty). */
    public String bindingKey(String requestedQueue, String requestedKey) {
        return declaredQueue.routingKey(requestedQueue, requestedKey);
    }

    /**
     * The queue a queue.declare names: an empty name is a new server-named queue ({@code amq.gen-...}), or for a
     * passive declare the last declared one; a non-passive declare of a reserved name ({@code amq.}) is 403.
     */
    public String queueToDeclare(String requested, boolean passive) {
        if (requested.isEmpty()) return passive ? queueName(requested) : Names.generateQueueName();
        if (!passive && Names.isReserved(requested)) throw Names.reservedQueueName(requested);
        return requested;
    }

    /** queue.declare was answered for this queue: empty names now mean it. */
    public void declared(String queue) {
        declaredQueue.declared(queue);
    }

    /** A queue this channel consumes or gets from: it hears when the channel closes. */
    public void touched(String queue) {
        queuesTouched.add(queue);
    }

    /** The tag a basic.consume gets (530 when in use). */
    public String consumerTag(String requested) {
        return consumers.tagFor(requested);
    }

    /**
     * basic.consume of {@code queue} (name resolved and permitted): registers the consumer with the current
     * per-consumer limit; the channel waits for the queue's answer ({@link #consumeAnswered}).
     */
    public void consume(String queue, String tag, boolean noAck, boolean exclusive, int priority, boolean noWait,
                        long now, List<ChannelEffect> out) {
        ChannelConsumers.Consumer info = new ChannelConsumers.Consumer(tag, queue, noAck, prefetch.consumerLimit(), exclusive, priority);
        consumers.add(info);
        queuesTouched.add(queue);
        ChannelEffect.Consume command = consumeCommand(info);
        pendingConsume = new PendingConsume(command, noWait, new long[] {now});
        out.add(command);
    }

    private ChannelEffect.Consume consumeCommand(ChannelConsumers.Consumer info) {
        return new ChannelEffect.Consume(info.queue(), info.tag(), info.noAck(), queueLimit(info), info.exclusive(), info.priority(),
                prefetch.channelLimit() > 0);
    }

    /** What the queue may send a consumer: the socket window for no-ack ones, else its (capped) prefetch. */
    private int queueLimit(ChannelConsumers.Consumer info) {
        return info.noAck() ? NO_ACK_WINDOW : prefetch.queueLimit(info.ownLimit());
    }

    /**
     * A queue answered a consume. Returns true when it answers the basic.consume the channel waits for (then
     * consume-ok, or the queue's refusal closes the channel); false for a re-attach after failover (a refused one
     * ends the consumer, with basic.cancel to a client that understands it).
     */
    public boolean consumeAnswered(String tag, boolean ok, int failureCode, String failureText, List<ChannelEffect> out) {
        if (pendingConsume == null || !tag.equals(pendingConsume.command().consumerTag())) {
            failover.reattached(tag);
            if (!ok) cancelled(tag, out);
            return false;
        }
        boolean noWait = pendingConsume.noWait();
        pendingConsume = null;
        if (!ok) {
            consumers.remove(tag);
            out.add(new ChannelEffect.CloseChannel(failureCode, failureText, BasicConsume.CLASS_ID, BasicConsume.METHOD_ID));
        } else if (!noWait) {
            out.add(new ChannelEffect.SendMethod(new BasicConsumeOk(tag)));
        }
        return true;
    }

    /** The queue ended this consumer (deleted, say): basic.cancel to a client that understands it. */
    public void cancelled(String tag, List<ChannelEffect> out) {
        if (consumers.remove(tag) != null && cancelNotify) out.add(new ChannelEffect.SendMethod(new BasicCancel(tag, true)));
    }

    /** basic.cancel from the client (after what this read gathered reaches the queue). */
    public void cancel(String tag, boolean noWait, long now, List<ChannelEffect> out) {
        endOfInput(now, out);
        ChannelConsumers.Consumer info = consumers.remove(tag);
        if (info != null) out.add(new ChannelEffect.Cancel(info.queue(), tag));
        if (!noWait) out.add(new ChannelEffect.SendMethod(new BasicCancelOk(tag)));
    }

    /**
     * RabbitMQ's consumer timeout: channel.close 406 with no method (class and method 0). Ignored when the delivery
     * is no longer ours: acked meanwhile, or sent to an earlier channel with this number.
     */
    public void consumerTimedOut(String queue, long deliveryId, long timeoutMillis, List<ChannelEffect> out) {
        if (!holds(queue, deliveryId)) return;
        out.add(new ChannelEffect.CloseChannel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED,
                "delivery acknowledgement on channel " + number + " timed out. Timeout value used: " + timeoutMillis
                        + " ms. This timeout value can be configured, see consumers doc guide to learn more"), 0, 0));
    }

    private boolean holds(String queue, long deliveryId) {
        return unacked.holds(queue, deliveryId) || prefetch.holds(queue, deliveryId);
    }

    // ---------------------------------------------------------------- deliveries

    /**
     * A queue's delivery to one of our consumers. Returns its delivery tag when it goes to the client now; 0 when it
     * does not: the consumer is gone (the queue takes it back) or the channel-wide limit holds it.
     */
    public long deliver(String queue, String consumerTag, long deliveryId, D delivery) {
        ChannelConsumers.Consumer consumer = consumers.get(consumerTag);
        if (consumer == null) {
            refuse(queue, deliveryId); // cancelled meanwhile: the queue takes it back untouched
            return 0;
        }
        if (prefetch.mustHold()) {
            prefetch.hold(new HeldDelivery<>(queue, consumerTag, deliveryId, !consumer.noAck(), delivery));
            return 0;
        }
        prefetch.delivered(!consumer.noAck());
        return sent(queue, consumerTag, deliveryId, consumer.noAck());
    }

    /** A delivery the channel does not take (it is closing): its queue gets it back untouched. */
    public void refuse(String queue, long deliveryId) {
        settleBatch(queue).requeued.add(deliveryId);
    }

    private long sent(String queue, String consumerTag, long deliveryId, boolean noAck) {
        long tag = unacked.nextTag();
        if (!noAck) unacked.add(new Unacked(tag, queue, deliveryId, consumerTag));
        written.released(queue, consumerTag);
        return tag;
    }

    private void releaseHeld(List<ChannelEffect> out) {
        for (HeldDelivery<D> h : prefetch.release()) {
            ChannelConsumers.Consumer consumer = consumers.get(h.consumerTag());
            if (consumer == null) {
                settleBatch(h.queue()).requeued.add(h.deliveryId());
                written.released(h.queue(), h.consumerTag());
                if (h.ackRequired()) prefetch.settled(List.of(new Unacked(0, h.queue(), h.deliveryId(), h.consumerTag())));
            } else {
                long tag = sent(h.queue(), h.consumerTag(), h.deliveryId(), consumer.noAck());
                out.add(new ChannelEffect.SendDelivery<>(h.queue(), h.consumerTag(), tag, h.delivery()));
            }
        }
    }

    /**
     * A queue's delivery message numbered {@code seq} by its {@code incarnation} (0: a queue on this node, not
     * numbered) was taken, its deliveries handed to {@link #deliver}; {@code maxDeliveryId} is the highest id it
     * carried. When one before it never arrived, the queue hears at the end of the read what this channel holds.
     */
    public void deliveriesArrived(String queue, long incarnation, long seq, long maxDeliveryId) {
        if (gaps.arrived(queue, incarnation, seq)) report(queue, seq, maxDeliveryId);
    }

    /**
     * A quiet queue asks whether its messages up to {@code seq}, carrying ids up to {@code lastDeliveryId}, arrived;
     * it is answered at the end of the read, with what this channel holds when some did not, or when the queue asks
     * for it ({@code wantHeld}: it heard no ack for long, and one may have been lost on its way).
     */
    public void deliveryProbe(String queue, long incarnation, long seq, long lastDeliveryId, boolean wantHeld) {
        DeliveryGaps.Report r = gaps.probed(queue, incarnation, seq);
        report(queue, r.seq(), r.missing() || wantHeld ? lastDeliveryId : 0);
    }

    private void report(String queue, long seq, long missingUpTo) {
        long[] pending = deliveryReports.get(queue);
        if (pending == null) {
            deliveryReports.put(queue, new long[] {seq, missingUpTo});
        } else {
            pending[0] = Math.max(pending[0], seq);
            pending[1] = Math.max(pending[1], missingUpTo);
        }
    }

    /** basic.get answered with a message: its delivery tag (unacked unless no-ack; it does not count for prefetch). */
    public long got(String queue, long deliveryId, boolean noAck) {
        long tag = unacked.nextTag();
        if (!noAck) unacked.add(new Unacked(tag, queue, deliveryId, null));
        return tag;
    }

    /** A tag for a delivery nobody settles (direct reply-to). */
    public long nextTag() {
        return unacked.nextTag();
    }

    /** Hands over (and forgets) the socket credit of deliveries released since the last call. */
    public List<SocketCredit.Credit> takeWritten() {
        return written.take();
    }

    // ---------------------------------------------------------------- publishing

    /** Whether publishes wait for tx.commit ({@link #holdForCommit}) instead of being routed now. */
    /** What the management API shows of this channel, read in one place. */
    public record Figures(int prefetchCount, int globalPrefetchCount, boolean confirm, boolean transactional,
                          int unacknowledged, int unconfirmed, List<ChannelConsumers.Consumer> consumers) {}

    public Figures figures() {
        List<ChannelConsumers.Consumer> all = new ArrayList<>();
        consumers.all().forEach(all::add);
        return new Figures(prefetch.consumerLimit(), prefetch.channelLimit(), confirms.enabled(), tx.selected(),
                unacked.size(), confirms.unconfirmedCount(), List.copyOf(all));
    }

    public boolean transactional() {
        return tx.selected();
    }

    public void holdForCommit(P publish) {
        tx.publish(publish);
    }

    /**
     * A publish was routed to {@code queues} queues: its confirm sequence (0 when not confirming); one routed to
     * none is confirmed at once. Then {@link #batch} it for each queue.
     */
    public long routed(int queues, long now, List<ChannelEffect> out) {
        long seq = confirms.next();
        if (seq != 0) confirmed(confirms.routed(seq, queues, now), out);
        return seq;
    }

    /** Adds a routed publish to the batch of one of its queues (sent at the end of the read). */
    public void batch(String queue, Message m, long seq) {
        PublishBatch b = publishBatches.get(queue);
        if (b == null) publishBatches.put(queue, b = new PublishBatch());
        b.messages.add(m);
        b.seqs.add(seq);
    }

    /** A queue took (or refused) publishes of ours. */
    public void enqueueSettled(String queue, long[] accepted, long[] rejected, long now, List<ChannelEffect> out) {
        QueueFailover.Resend<Message> lost = failover.answered(queue, accepted, rejected, now);
        if (confirms.enabled()) confirmed(confirms.settled(accepted, rejected), out);
        if (lost != null) resend(lost, out);
    }

    private static void confirmed(List<Confirm> done, List<ChannelEffect> out) {
        for (Confirm c : done) {
            out.add(new ChannelEffect.SendMethod(c.ack() ? new BasicAck(c.seq(), c.multiple()) : new BasicNack(c.seq(), c.multiple(), false)));
        }
    }

    /** End of a read (or of an asynchronous step): what it gathered goes out, one batch per queue. */
    public void endOfInput(long now, List<ChannelEffect> out) {
        if (!publishBatches.isEmpty()) {
            for (Map.Entry<String, PublishBatch> e : publishBatches.entrySet()) {
                List<Message> messages = List.copyOf(e.getValue().messages);
                long[] seqs = e.getValue().seqs.toArray();
                failover.sent(e.getKey(), seqs, messages, now);
                out.add(new ChannelEffect.EnqueueBatch(e.getKey(), messages, seqs));
            }
            publishBatches.clear();
        }
        if (!settleBatches.isEmpty()) {
            for (Map.Entry<String, SettleBatch> e : settleBatches.entrySet()) {
                SettleBatch b = e.getValue();
                out.add(new ChannelEffect.Settle(e.getKey(), b.acked.toArray(), b.requeued.toArray(), b.discarded.toArray()));
            }
            settleBatches.clear();
        }
        if (!deliveryReports.isEmpty()) {
            for (Map.Entry<String, long[]> e : deliveryReports.entrySet()) {
                long missingUpTo = e.getValue()[1];
                long[] held = NO_IDS;
                if (missingUpTo != 0) {
                    LongList ids = new LongList();
                    unacked.collect(e.getKey(), ids);
                    prefetch.collect(e.getKey(), ids);
                    tx.collect(e.getKey(), ids); // acked in an open transaction: not settled until the commit
                    held = ids.toArray();
                }
                out.add(new ChannelEffect.DeliveriesReceived(e.getKey(), e.getValue()[0], missingUpTo, held));
            }
            deliveryReports.clear();
        }
    }

    private static final long[] NO_IDS = new long[0];

    /** Messages in enqueue batches this channel is waiting on, over all queues. */
    public int enqueuesOutstanding() {
        return failover.outstanding();
    }

    // ---------------------------------------------------------------- failover and time

    /**
     * The incarnation of {@code queue} this channel used has stopped (its node died, or sharding moved it). Its
     * unacked deliveries will be redelivered by the next incarnation, so their tags become harmless to ack; consumers
     * re-attach with the same tags, and unconfirmed publishes are sent again (the queue drops duplicates by id).
     */
    public void queueLost(String queue, long now, List<ChannelEffect> out) {
        prefetch.settled(unacked.queueLost(queue));
        prefetch.queueLost(queue);
        recover(failover.lost(queue, consumers.on(queue), now), out);
        releaseHeld(out);
    }

    private void recover(QueueFailover.Recovery<Message> r, List<ChannelEffect> out) {
        for (String tag : r.reattach()) out.add(consumeCommand(consumers.get(tag)));
        if (r.resend() != null) resend(r.resend(), out);
    }

    private static void resend(QueueFailover.Resend<Message> r, List<ChannelEffect> out) {
        out.add(new ChannelEffect.EnqueueBatch(r.queue(), r.messages(), r.seqs(), true));
    }

    /** Publishes unconfirmed for {@code nanos} are sent again: the message may have died with a node on its way. */
    public void resendOlderThan(long now, long nanos, List<ChannelEffect> out) {
        for (QueueFailover.Resend<Message> r : failover.resendOlderThan(now, nanos)) resend(r, out);
    }

    /**
     * Queues that have left our enqueue batches unanswered for {@code quietNanos} get a probe (an empty batch, see
     * {@link QueueFailover#probesDue}): its answer tells a lost batch or answer from a slow journal.
     */
    public void probeUnanswered(long now, long quietNanos, List<ChannelEffect> out) {
        for (String queue : failover.probesDue(now, quietNanos)) {
            out.add(new ChannelEffect.EnqueueBatch(queue, List.of(), new long[0]));
        }
    }

    /**
     * Retries what a queue's next incarnation has not answered for {@code afterNanos}: the pending basic.consume and
     * consumer re-attaches (idempotent), and unconfirmed publishes while nothing at all was settled since the loss
     * (the queue drops ids it holds).
     */
    public void retryRecoveries(long now, long afterNanos, List<ChannelEffect> out) {
        if (pendingConsume != null && now - pendingConsume.sentAt()[0] >= afterNanos) {
            pendingConsume.sentAt()[0] = now;
            out.add(pendingConsume.command());
        }
        for (QueueFailover.Recovery<Message> r : failover.retry(now, afterNanos, consumers::consumes)) recover(r, out);
    }

    /**
     * Nacks publishes unconfirmed for longer than {@code nanos} (0: never), e.g. while the journal database is down:
     * a publisher is told within a bounded time that the broker did not take its message. The queue may still write
     * and deliver it later, so a publisher that re-publishes on nack may cause a duplicate, as with any nack. Nacked
     * publishes are no longer sent again after a failover.
     */
    public void nackUnconfirmedOlderThan(long now, long nanos, List<ChannelEffect> out) {
        List<Confirm> nacks = confirms.timedOut(now, nanos);
        if (nacks.isEmpty()) return;
        failover.forget(nacks.stream().mapToLong(Confirm::seq).toArray());
        confirmed(nacks, out);
    }

    // ---------------------------------------------------------------- closing

    /** The channel is closing (or its connection is): what this read gathered goes out, then queues drop it. */
    public void release(long now, List<ChannelEffect> out) {
        pendingConsume = null;
        endOfInput(now, out);
        for (String q : queuesTouched) out.add(new ChannelEffect.LeaveQueue(q));
        queuesTouched.clear();
        consumers.clear();
        unacked.clear();
        prefetch.clear();
        confirms.clear();
        failover.clear();
        written.clear();
        tx.clear();
        gaps.clear();
        deliveryReports.clear();
    }
}
