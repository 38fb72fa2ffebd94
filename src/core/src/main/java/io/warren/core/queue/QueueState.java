package io.warren.core.queue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.BasicProperties;
import io.warren.amqp.ReplyCodes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * The state machine of one classic queue: every AMQP queue rule, no I/O. Mutable and single-threaded: the
 * queue actor feeds it commands, then takes the resulting {@link QueueEffect}s with {@link #takeEffects()},
 * persists the {@link QueueEffect.Journal} events, sends deliveries and dead letters, and schedules a timer at
 * {@link #nextDeadline()} that calls {@link #tick(long)}.
 *
 * <p>Time is passed in as epoch milliseconds ({@code now}). Commands without a {@code now} parameter use the
 * latest time seen (e.g. for the x-death time of a rejected message).
 *
 * <p>Delivery: {@link #publish} already hands the new message to a consumer with credit when there is one.
 * Commands that give credit back or add consumers ({@link #ack}, {@link #reject}, {@link #recover},
 * {@link #addConsumer}, {@link #channelClosed}) do not deliver by themselves: call {@link #deliver(long)} after
 * them (calling it after every command is always correct and cheap when there is nothing to do).
 *
 * <p>Journal: only persistent messages of a durable queue are journalled ({@link QueueEvent.Enqueued} when
 * stored, one {@link QueueEvent.Removed} per command for everything that left). A persistent message that is
 * dead-lettered is removed from the journal only when {@link #deadLetterSettled(long)} says the dead letter is
 * safe, so a crash in between brings it back in this queue.
 *
 * <p>Recovery: a new state (or {@link #fromSnapshot}) accepts {@link #replay} of journal events until the first
 * other command; recovered messages are ready and flagged redelivered (they may have been delivered before).
 */
public final class QueueState {

    private final QueueDefinition def;
    /** The arguments in force: the declared ones merged with the queue's policy (see {@link #applyArguments}). */
    private QueueArguments args;
    private final ReadyMessages ready;
    /** Unacked deliveries per channel, in delivery order (oldest first). */
    private final Map<String, LinkedHashMap<Long, UnackedDelivery>> unackedByChannel = new HashMap<>();
    private int unackedCount;
    /** Consumers in registration order (single-active-consumer hands over in this order). */
    private final LinkedHashMap<ConsumerKey, QueueConsumer> consumers = new LinkedHashMap<>();
    /** Consumers with credit, per x-priority, highest first; round robin within a priority. */
    private final TreeMap<Integer, ArrayDeque<QueueConsumer>> ring = new TreeMap<>(Comparator.reverseOrder());
    private QueueConsumer exclusiveConsumer;
    private QueueConsumer singleActive;
    /** Ids of the messages the queue holds (ready, unacked, awaiting dead-letter settlement). */
    private final Set<String> ids = new HashSet<>();
    /** Ids of the resendable messages the queue settled lately: a channel's re-send of one is not enqueued again. */
    private final SettledIds settledIds = new SettledIds(DEFAULT_SETTLED_IDS, DEFAULT_SETTLED_IDS_AGE_MILLIS);
    /** Defaults of warren.persistence.settled-ids (max and max-age). */
    public static final int DEFAULT_SETTLED_IDS = 10_000;
    public static final long DEFAULT_SETTLED_IDS_AGE_MILLIS = 120_000;
    /** Journalled messages dead-lettered but not yet settled, by seq. */
    private final LinkedHashMap<Long, QueuedMessage> pendingDeadLetters = new LinkedHashMap<>();
    private final Set<String> timedOutChannels = new HashSet<>();
    /** The broker-wide consumer timeout (RabbitMQ's consumer_timeout), for queues without x-consumer-timeout. */
    private Long defaultConsumerTimeout;

    private List<QueueEffect> effects = new ArrayList<>();
    private long[] removedSeqs = new long[16];
    private int removedCount;

    private long nextSeq = 1;
    private long nextDeliveryId = 1;
    /** Latest time seen (epoch ms); the time of commands that carry none. */
    private long clock;
    /** When the queue was last used in x-expires' sense (declare, consumer, basic.get); MIN_VALUE: unknown. */
    private long lastUsed = Long.MIN_VALUE;
    /** Replayed entries by seq until the first non-replay command; null once recovered. */
    private LinkedHashMap<Long, QueueSnapshot.Entry> recovering = new LinkedHashMap<>();

    public QueueState(QueueDefinition def, QueueArguments args) {
        this.def = def;
        this.args = args;
        this.ready = new ReadyMessages(args.isPriorityQueue() ? args.maxPriority() : 0);
    }

    /** A queue declared at {@code now}: x-expires counts from then. */
    public QueueState(QueueDefinition def, QueueArguments args, long now) {
        this(def, args);
        touch(now);
    }

    public QueueDefinition definition() {
        return def;
    }

    public QueueArguments arguments() {
        return args;
    }

    /**
     * The broker-wide consumer timeout in ms (RabbitMQ's {@code consumer_timeout}), null for none: applies when the
     * queue has no x-consumer-timeout of its own.
     */
    public void defaultConsumerTimeout(Long millis) {
        this.defaultConsumerTimeout = millis;
    }

    /**
     * How many ids of settled messages the queue remembers, and for how long (ms), to drop re-sent publishes it already
     * took ({@link PublishKind#RESENT}); 0 ids remembers none. The oldest are forgotten at once beyond a lower count.
     */
    public void settledIdMemory(int maxIds, long maxAgeMillis) {
        settledIds.bounds(maxIds, maxAgeMillis);
    }

    /** The consumer timeout in force: x-consumer-timeout, else the broker-wide default; null for none. */
    private Long consumerTimeout() {
        return args.consumerTimeout() != null ? args.consumerTimeout() : defaultConsumerTimeout;
    }

    // ---------------------------------------------------------------------------------------------- publish

    /**
     * Enqueues {@code m} at {@code now}, as RabbitMQ's classic queue does: a message whose id the queue already
     * holds is a {@link PublishOutcome#DUPLICATE} (nothing happens). With x-overflow reject-publish(-dlx), a
     * message that would take the ready count above x-max-length or the ready bytes above x-max-length-bytes is
     * {@link PublishOutcome#REJECTED} (emits {@link QueueEffect.PublishRejected}; reject-publish-dlx also
     * dead-letters it, reason maxlen). Otherwise it is stored (journalled if persistent on a durable queue),
     * handed to a consumer with credit if any, then with drop-head the oldest ready messages over the limits are
     * dead-lettered (reason maxlen) and an already expired head (TTL 0) is expired.
     */
    public PublishOutcome publish(Message m, long now) {
        return publish(m, now, PublishKind.CONFIRMED);
    }

    /**
     * {@link #publish(Message, long)} of a publish sent as {@code kind} says. A {@link PublishKind#RESENT} one whose
     * id the queue settled lately is {@link PublishOutcome#SETTLED} (nothing happens); one it does not know is enqueued
     * flagged redelivered (an earlier incarnation of this queue may have delivered it). The ids of settled
     * {@link PublishKind#CONFIRMED} and RESENT messages are remembered, bounded ({@link #settledIdMemory}).
     */
    public PublishOutcome publish(Message m, long now, PublishKind kind) {
        enter(now);
        if (ids.contains(m.id())) {
            return PublishOutcome.DUPLICATE;
        }
        boolean resent = kind == PublishKind.RESENT;
        if (resent && settledIds.contains(m.id(), clock)) {
            return PublishOutcome.SETTLED;
        }
        if (args.overflow() != Overflow.DROP_HEAD && wouldOverflow(m)) {
            if (args.overflow() == Overflow.REJECT_PUBLISH_DLX) {
                long seq = nextSeq++;
                deadLetter(new QueuedMessage(seq, m, now, Long.MAX_VALUE, false, 0, resent), DeathReason.MAXLEN,
                        now);
            }
            effects.add(new QueueEffect.PublishRejected(m.id()));
            return PublishOutcome.REJECTED;
        }
        long seq = nextSeq++;
        boolean journalled = journalled(m);
        QueuedMessage entry = new QueuedMessage(seq, m, now, expiryFor(m, now), journalled, ready.bucketFor(m),
                resent);
        entry.resendable = kind != PublishKind.UNCONFIRMED;
        ids.add(m.id());
        if (journalled) {
            effects.add(new QueueEffect.Journal(new QueueEvent.Enqueued(seq, m, now)));
        }
        deliverReady(now);
        QueueConsumer waiting = ready.count() == 0 ? nextConsumer() : null;
        if (waiting != null) {
            // straight to a waiting consumer, as RabbitMQ's attempt_delivery: even with TTL 0
            deliverTo(waiting, entry, now);
        } else {
            ready.addLast(entry);
            dropHeadOverLimits(now);
            expireHeads(now);
        }
        flushRemoved();
        return PublishOutcome.ACCEPTED;
    }

    /**
     * The arguments in force changed: a policy that applies to this queue was set, changed or cleared (RabbitMQ's
     * process_args_policy). The new limits act at once: with a new message TTL every ready message expires at its
     * enqueue time plus the TTL (or its own expiration, the lower), so messages already held expire too (RabbitMQ
     * keeps the expiry a message got when it was enqueued; a deliberate difference); drop-head removes the oldest
     * ready messages over a new length limit; both dead-letter through the dead-letter exchange now in force.
     */
    public void applyArguments(QueueArguments next, long now) {
        enter(now);
        boolean ttlChanged = !java.util.Objects.equals(next.messageTtl(), args.messageTtl());
        args = next;
        if (ttlChanged) {
            List<QueuedMessage> held = new ArrayList<>(ready.count());
            ready.drain(held::add);
            for (QueuedMessage m : held) {
                QueuedMessage restamped = new QueuedMessage(m.seq, m.message, m.enqueuedAt,
                        expiryFor(m.message, m.enqueuedAt), m.journalled, m.bucket, m.redelivered);
                restamped.deliveryCount = m.deliveryCount;
                restamped.resendable = m.resendable;
                ready.addLast(restamped);
            }
        }
        dropHeadOverLimits(now);
        expireHeads(now);
        flushRemoved();
    }

    /** Persistent messages of a durable queue are journalled; a quorum queue journals every message. */
    private boolean journalled(Message m) {
        return def.durable() && (m.persistent() || args.isQuorum());
    }

    private boolean wouldOverflow(Message m) {
        return (args.maxLength() != null && ready.count() + 1L > args.maxLength())
                || (args.maxLengthBytes() != null && ready.bytes() + m.bodySize() > args.maxLengthBytes());
    }

    private boolean overLimits() {
        return (args.maxLength() != null && ready.count() > args.maxLength())
                || (args.maxLengthBytes() != null && ready.bytes() > args.maxLengthBytes());
    }

    private void dropHeadOverLimits(long now) {
        if (args.overflow() != Overflow.DROP_HEAD) return;
        while (overLimits()) {
            QueuedMessage head = ready.pollNext();
            if (head == null) return;
            deadLetter(head, DeathReason.MAXLEN, now);
        }
    }

    /** Queue TTL and per-message TTL both apply; the lower wins. */
    private long expiryFor(Message m, long enqueuedAt) {
        long ttl = args.messageTtl() != null ? args.messageTtl() : Long.MAX_VALUE;
        Long perMessage = MessageExpiration.ttl(m.encodedProperties().expiration());
        if (perMessage != null) ttl = Math.min(ttl, perMessage);
        return ttl == Long.MAX_VALUE ? Long.MAX_VALUE : enqueuedAt + ttl;
    }

    /**
     * Checks a publish's expiration property as RabbitMQ's channel does before routing: a non-negative decimal
     * integer of milliseconds up to 4294967295. Throws 406 PRECONDITION_FAILED "invalid expiration 'x': ..."
     * otherwise. Null (absent) is fine.
     */
    public static void validateExpiration(String expiration) {
        MessageExpiration.validate(expiration);
    }

    // -------------------------------------------------------------------------------------------- consumers

    /**
     * basic.consume. {@code prefetch} 0 means unlimited; for a no-ack consumer it is the window of deliveries not yet
     * reported written ({@link #noAckWritten}). {@code priority}
     * is the consumer's x-priority. Throws 403 ACCESS_REFUSED "queue 'q' in vhost '/' in exclusive use" when an
     * exclusive consumer exists, or when {@code exclusive} is asked while others exist; 530 NOT_ALLOWED when
     * the key is already registered.
     */
    public void addConsumer(ConsumerKey key, boolean ackRequired, int prefetch, int priority, boolean exclusive) {
        enter(Long.MIN_VALUE);
        if (consumers.containsKey(key)) {
            throw AmqpException.channel(ReplyCodes.NOT_ALLOWED, ReplyCodes.text(ReplyCodes.NOT_ALLOWED,
                    "attempt to reuse consumer tag '" + key.consumerTag() + "'"));
        }
        if (exclusiveConsumer != null || (exclusive && !consumers.isEmpty())) {
            throw AmqpException.channel(ReplyCodes.ACCESS_REFUSED, ReplyCodes.text(ReplyCodes.ACCESS_REFUSED,
                    def.resourceName() + " in exclusive use"));
        }
        QueueConsumer c = new QueueConsumer(key, ackRequired, prefetch, priority, exclusive);
        consumers.put(key, c);
        if (exclusive) exclusiveConsumer = c;
        if (args.singleActiveConsumer()) {
            if (singleActive == null) singleActive = c;
        } else {
            enterRing(c);
        }
    }

    /**
     * A new consumer on a channel whose global (channel-wide) prefetch limit is set: a quorum queue refuses it with
     * RabbitMQ 3.10's connection error 540 (its consumers take a per-consumer prefetch only).
     */
    public void checkGlobalQos(boolean channelPrefetchLimited) {
        if (channelPrefetchLimited && args.isQuorum()) {
            throw AmqpException.connection(ReplyCodes.NOT_IMPLEMENTED, ReplyCodes.text(ReplyCodes.NOT_IMPLEMENTED,
                    def.resourceName() + " does not support global qos"));
        }
    }

    /**
     * basic.cancel: the consumer gets nothing more; its unacked messages stay unacked and ackable by its channel
     * (RabbitMQ). With single-active-consumer the next consumer in registration order takes over.
     */
    public void cancelConsumer(ConsumerKey key) {
        enter(Long.MIN_VALUE);
        QueueConsumer c = consumers.get(key);
        if (c != null) removeConsumer(c);
    }

    /** {@link #cancelConsumer(ConsumerKey)} at a known time (x-expires counts from the last consumer leaving). */
    public void cancelConsumer(ConsumerKey key, long now) {
        enter(now);
        cancelConsumer(key);
    }

    private void removeConsumer(QueueConsumer c) {
        consumers.remove(c.key);
        c.removed = true;
        if (c.inRing) {
            ArrayDeque<QueueConsumer> group = ring.get(c.priority);
            group.remove(c);
            if (group.isEmpty()) ring.remove(c.priority);
            c.inRing = false;
        }
        if (exclusiveConsumer == c) exclusiveConsumer = null;
        if (singleActive == c) {
            Iterator<QueueConsumer> it = consumers.values().iterator();
            singleActive = it.hasNext() ? it.next() : null;
        }
        if (consumers.isEmpty()) {
            lastUsed = clock;
        }
    }

    private void enterRing(QueueConsumer c) {
        if (c.removed || c.inRing || !c.hasCredit() || args.singleActiveConsumer()) return;
        ring.computeIfAbsent(c.priority, p -> new ArrayDeque<>()).addLast(c);
        c.inRing = true;
    }

    /** The consumer to deliver the next message to, or null when none has credit. */
    private QueueConsumer nextConsumer() {
        if (args.singleActiveConsumer()) {
            return singleActive != null && singleActive.hasCredit() ? singleActive : null;
        }
        for (ArrayDeque<QueueConsumer> group : ring.values()) {
            QueueConsumer c = group.peekFirst();
            if (c != null) return c;
        }
        return null;
    }

    /** After a delivery to the head of its ring group: to the back if it still has credit, else out. */
    private void rotate(QueueConsumer c) {
        if (!c.inRing) return;
        ArrayDeque<QueueConsumer> group = ring.get(c.priority);
        group.pollFirst();
        if (c.hasCredit()) {
            group.addLast(c);
        } else {
            c.inRing = false;
            if (group.isEmpty()) ring.remove(c.priority);
        }
    }

    // --------------------------------------------------------------------------------------------- delivery

    /**
     * Hands ready messages to consumers with credit: round robin among the consumers of the highest x-priority
     * that have credit (or only the single active consumer), highest message priority first, FIFO within a
     * priority. Expired messages met on the way are expired, never delivered. Emits
     * {@link QueueEffect.Deliver}; no-ack deliveries are settled at once.
     */
    public void deliver(long now) {
        enter(now);
        expireHeads(now);
        deliverReady(now);
        flushRemoved();
    }

    private void deliverReady(long now) {
        while (ready.count() > 0) {
            QueueConsumer c = nextConsumer();
            if (c == null) return;
            QueuedMessage m = pollLive(now);
            if (m == null) return;
            deliverTo(c, m, now);
        }
    }

    private void deliverTo(QueueConsumer c, QueuedMessage m, long now) {
        long deliveryId = nextDeliveryId++;
        effects.add(new QueueEffect.Deliver(c.key, deliveryId, withDeliveryCount(m, false), m.redelivered));
        if (c.ackRequired) {
            track(c.key.channelId(), new UnackedDelivery(deliveryId, m, c, now));
            c.unacked++;
        } else {
            settle(m);
        }
        c.sent(m.message.bodySize());
        rotate(c);
    }

    /** The next ready message that is not expired, expiring the expired ones met first. */
    private QueuedMessage pollLive(long now) {
        QueuedMessage m;
        while ((m = ready.pollNext()) != null) {
            if (m.expiresAt > now) return m;
            deadLetter(m, DeathReason.EXPIRED, now);
        }
        return null;
    }

    private void track(String channelId, UnackedDelivery d) {
        unackedByChannel.computeIfAbsent(channelId, ch -> new LinkedHashMap<>()).put(d.deliveryId, d);
        unackedCount++;
    }

    /**
     * basic.get: the next live message, or empty. With {@code noAck} it is settled at once, else it is unacked
     * on {@code channelId} (ack/reject it by its delivery id). Counts as use for x-expires.
     */
    public Optional<GetResult> get(String channelId, boolean noAck, long now) {
        enter(now);
        lastUsed = now;
        expireHeads(now);
        QueuedMessage m = pollLive(now);
        if (m == null) {
            flushRemoved();
            return Optional.empty();
        }
        long deliveryId = nextDeliveryId++;
        if (noAck) {
            settle(m);
        } else {
            track(channelId, new UnackedDelivery(deliveryId, m, null, now));
        }
        flushRemoved();
        return Optional.of(new GetResult(deliveryId, withDeliveryCount(m, true), m.redelivered, ready.count()));
    }

    // ------------------------------------------------------------------------------------------ settlement

    /** basic.ack of these delivery ids on {@code channelId}: settled, credit returned. Unknown ids are ignored
     *  (the channel validates delivery tags). */
    public void ack(String channelId, long[] deliveryIds) {
        enter(Long.MIN_VALUE);
        LinkedHashMap<Long, UnackedDelivery> unacked = unackedByChannel.get(channelId);
        if (unacked == null) return;
        for (long id : deliveryIds) {
            UnackedDelivery d = unacked.remove(id);
            if (d == null) continue;
            unackedCount--;
            returnCredit(d);
            settle(d.message);
        }
        if (unacked.isEmpty()) unackedByChannel.remove(channelId);
        flushRemoved();
    }

    /**
     * The channel has written {@code count} deliveries of this consumer to its socket (or let go of them): that much
     * window comes back. Unknown consumers are ignored (cancelled meanwhile).
     */
    public void noAckWritten(ConsumerKey key, int count) {
        QueueConsumer c = consumers.get(key);
        if (c == null) return;
        c.written(count);
        enterRing(c);
    }

    /**
     * A registered consumer's prefetch changes (its channel's basic.qos global=true changed): it gets more at once when
     * the limit rose, nothing more until acks bring it below a lowered one.
     */
    public void changePrefetch(ConsumerKey key, int prefetch) {
        QueueConsumer c = consumers.get(key);
        if (c == null || c.prefetch == prefetch) return;
        c.prefetch = prefetch;
        if (c.inRing && !c.hasCredit()) {
            ArrayDeque<QueueConsumer> group = ring.get(c.priority);
            group.remove(c);
            if (group.isEmpty()) ring.remove(c.priority);
            c.inRing = false;
        }
        enterRing(c);
    }

    /**
     * basic.reject / basic.nack of these delivery ids. {@code requeue}: back where they were (at the head, in
     * original order) with redelivered=true; otherwise dead-lettered (reason rejected) when the queue has a DLX,
     * else dropped. Credit is returned either way.
     */
    public void reject(String channelId, long[] deliveryIds, boolean requeue) {
        enter(Long.MIN_VALUE);
        LinkedHashMap<Long, UnackedDelivery> unacked = unackedByChannel.get(channelId);
        if (unacked == null) return;
        List<QueuedMessage> back = new ArrayList<>(deliveryIds.length);
        for (long id : deliveryIds) {
            UnackedDelivery d = unacked.remove(id);
            if (d == null) continue;
            unackedCount--;
            returnCredit(d);
            if (requeue) {
                back.add(d.message);
            } else {
                deadLetter(d.message, DeathReason.REJECTED, clock);
            }
        }
        if (unacked.isEmpty()) unackedByChannel.remove(channelId);
        requeue(back);
        flushRemoved();
    }

    /** basic.recover (requeue=true, the only form RabbitMQ supports): requeue all of the channel's unacked. */
    public void recover(String channelId) {
        enter(Long.MIN_VALUE);
        requeueChannel(channelId);
        flushRemoved();
    }

    /**
     * The channel reports that deliveries to it went missing on the way (see {@link DeliveryStreams}): of its
     * consumers' unacked deliveries with ids up to {@code upToDeliveryId}, those it does not hold ({@code held}) go back
     * to the head, redelivered, as on a requeue. Everything up to that id left before the message the channel answered,
     * and its settlements of them came before its answer, so a delivery it does not hold never reached its client (or
     * its ack was lost too, and the message comes again, redelivered). basic.get deliveries are not numbered and stay.
     * Returns how many went back.
     */
    public int requeueUnreceived(String channelId, long upToDeliveryId, long[] held) {
        enter(Long.MIN_VALUE);
        LinkedHashMap<Long, UnackedDelivery> unacked = unackedByChannel.get(channelId);
        if (unacked == null) return 0;
        Set<Long> holds = new HashSet<>(held.length * 2);
        for (long id : held) holds.add(id);
        List<QueuedMessage> back = new ArrayList<>();
        for (var it = unacked.values().iterator(); it.hasNext(); ) {
            UnackedDelivery d = it.next();
            if (d.consumer == null || d.deliveryId > upToDeliveryId || holds.contains(d.deliveryId)) continue;
            it.remove();
            unackedCount--;
            returnCredit(d);
            back.add(d.message);
        }
        if (unacked.isEmpty()) unackedByChannel.remove(channelId);
        requeue(back);
        flushRemoved();
        return back.size();
    }

    /**
     * The channel is gone (closed, or its connection or node died): its consumers are removed and all its
     * unacked messages, basic.get ones included, go back to the head in their original order, redelivered.
     */
    public void channelClosed(String channelId) {
        enter(Long.MIN_VALUE);
        List<QueueConsumer> gone = new ArrayList<>();
        for (QueueConsumer c : consumers.values()) {
            if (c.key.channelId().equals(channelId)) gone.add(c);
        }
        gone.forEach(this::removeConsumer);
        requeueChannel(channelId);
        timedOutChannels.remove(channelId);
        flushRemoved();
    }

    /** {@link #channelClosed(String)} at a known time. */
    public void channelClosed(String channelId, long now) {
        enter(now);
        channelClosed(channelId);
    }

    private void requeueChannel(String channelId) {
        LinkedHashMap<Long, UnackedDelivery> unacked = unackedByChannel.remove(channelId);
        if (unacked == null) return;
        List<QueuedMessage> back = new ArrayList<>(unacked.size());
        for (UnackedDelivery d : unacked.values()) {
            unackedCount--;
            returnCredit(d);
            back.add(d.message);
        }
        requeue(back);
    }

    private void requeue(List<QueuedMessage> back) {
        if (back.isEmpty()) return;
        if (args.isQuorum()) back = countReturns(back);
        for (QueuedMessage m : back) m.redelivered = true;
        ready.requeue(back);
        dropHeadOverLimits(clock);
    }

    /**
     * A quorum queue counts every return (requeue by reject/nack/recover, or the channel closing) as RabbitMQ 3.10's
     * does; a message returned more than x-delivery-limit times is dead-lettered (reason delivery_limit) or dropped
     * instead of requeued. The messages still to requeue are returned.
     */
    private List<QueuedMessage> countReturns(List<QueuedMessage> back) {
        Long limit = args.deliveryLimit();
        List<QueuedMessage> kept = limit == null ? back : new ArrayList<>(back.size());
        long[] returned = new long[back.size()];
        int journalledReturns = 0;
        for (QueuedMessage m : back) {
            if (m.journalled) returned[journalledReturns++] = m.seq;
        }
        // journalled before a delivery_limit dead-letter's Removed, so that replay sees the count go up first
        if (journalledReturns > 0) {
            effects.add(new QueueEffect.Journal(new QueueEvent.Returned(Arrays.copyOf(returned, journalledReturns))));
        }
        for (QueuedMessage m : back) {
            m.deliveryCount++;
            if (limit == null) continue;
            if (m.deliveryCount > limit) {
                deadLetter(m, DeathReason.DELIVERY_LIMIT, clock);
            } else {
                kept.add(m);
            }
        }
        return kept;
    }

    /**
     * What a quorum queue hands out carries the {@code x-delivery-count} header (long): on basic.get always, on a
     * consumer delivery once the message was returned at least once (RabbitMQ 3.10). The stored message is unchanged,
     * so a dead letter does not carry it.
     */
    private Message withDeliveryCount(QueuedMessage m, boolean get) {
        if (!args.isQuorum() || (!get && m.deliveryCount == 0)) return m.message;
        BasicProperties props = m.message.properties();
        Map<String, Object> headers = props.headers() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(props.headers());
        headers.put(DELIVERY_COUNT_HEADER, (long) m.deliveryCount);
        Message out = m.message;
        return new Message(out.id(), out.exchange(), out.routingKey(), props.withHeaders(headers), out.body());
    }

    /** The header a quorum queue's deliveries carry. */
    public static final String DELIVERY_COUNT_HEADER = "x-delivery-count";

    private void returnCredit(UnackedDelivery d) {
        QueueConsumer c = d.consumer;
        if (c == null) return;
        c.unacked--;
        enterRing(c);
    }

    /** The message left the queue for good. */
    private void settle(QueuedMessage m) {
        forget(m);
        if (m.journalled) addRemoved(m.seq);
    }

    /** The queue no longer holds {@code m}; a re-send of it must not enqueue it again (for a while). */
    private void forget(QueuedMessage m) {
        ids.remove(m.message.id());
        if (m.resendable) settledIds.add(m.message.id(), clock);
    }

    // -------------------------------------------------------------------------------------------- dead letters

    private void deadLetter(QueuedMessage m, DeathReason reason, long now) {
        String dlx = args.deadLetterExchange();
        if (dlx == null) {
            settle(m);
            return;
        }
        Message dead = DeathHeaders.recordDeath(m.message, reason, def.name(), now, dlx,
                args.deadLetterRoutingKey(), deadLetterId(m));
        effects.add(new QueueEffect.DeadLetter(m.seq, dead, dlx, dead.routingKey()));
        if (m.journalled) {
            pendingDeadLetters.put(m.seq, m);
        } else {
            forget(m);
        }
    }

    /** Deterministic, so a dead letter re-sent after a crash is a duplicate in its target queues. Bounded in
     *  length however often a message cycles. */
    private String deadLetterId(QueuedMessage m) {
        return "dl:" + def.vhost() + "/" + def.name() + ":" + m.seq + ":"
                + Integer.toHexString(m.message.id().hashCode());
    }

    /**
     * The dead letter emitted with {@code seq} is safe in its target queues (or was unroutable): a persistent
     * message's removal is journalled now. Unknown seqs are ignored.
     */
    public void deadLetterSettled(long seq) {
        enter(Long.MIN_VALUE);
        QueuedMessage m = pendingDeadLetters.remove(seq);
        if (m != null) {
            settle(m);
            flushRemoved();
        }
    }

    // ----------------------------------------------------------------------------------------------- timers

    /**
     * Expires ready messages whose TTL (x-message-ttl or the expiration property, the lower) has passed: at the
     * head of the queue, as RabbitMQ does (a message behind a longer-lived one waits; it is still never
     * delivered once expired). Expired messages are dead-lettered with reason expired, or dropped. Also flags
     * channels whose oldest delivery exceeded x-consumer-timeout ({@link QueueEffect.DeliveryTimedOut}).
     */
    public void tick(long now) {
        enter(now);
        expireHeads(now);
        checkConsumerTimeouts(now);
        flushRemoved();
    }

    private void expireHeads(long now) {
        QueuedMessage m;
        while ((m = ready.pollExpiredHead(now)) != null) {
            deadLetter(m, DeathReason.EXPIRED, now);
        }
    }

    private void checkConsumerTimeouts(long now) {
        Long timeout = consumerTimeout();
        if (timeout == null) return;
        for (Map.Entry<String, LinkedHashMap<Long, UnackedDelivery>> e : unackedByChannel.entrySet()) {
            if (timedOutChannels.contains(e.getKey()) || e.getValue().isEmpty()) continue;
            UnackedDelivery oldest = e.getValue().values().iterator().next();
            if (oldest.deliveredAt + timeout <= now) {
                timedOutChannels.add(e.getKey());
                effects.add(new QueueEffect.DeliveryTimedOut(e.getKey(), oldest.deliveryId, timeout));
            }
        }
    }

    /**
     * When {@link #tick(long)} next has work: the earliest head expiry, the earliest consumer timeout, and,
     * while the queue is unused, when x-expires says to delete it. Empty when nothing is scheduled.
     */
    public OptionalLong nextDeadline() {
        ensureRecovered();
        long next = ready.earliestHeadExpiry();
        if (args.expires() != null && isUnused() && lastUsed != Long.MIN_VALUE) {
            next = Math.min(next, lastUsed + args.expires());
        }
        Long timeout = consumerTimeout();
        if (timeout != null) {
            for (Map.Entry<String, LinkedHashMap<Long, UnackedDelivery>> e : unackedByChannel.entrySet()) {
                if (timedOutChannels.contains(e.getKey()) || e.getValue().isEmpty()) continue;
                next = Math.min(next, e.getValue().values().iterator().next().deliveredAt + timeout);
            }
        }
        return next == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(next);
    }

    /** The queue was used at {@code now} in x-expires' sense: call it on every queue.declare (passive too). */
    public void touch(long now) {
        // not enter(): a declare may precede journal replay
        if (now > clock) clock = now;
        lastUsed = now;
    }

    /** When the queue was last used (declare, basic.get, last consumer leaving); MIN_VALUE if never told. */
    public long lastUsed() {
        return lastUsed;
    }

    /** No consumers: x-expires is counting. */
    public boolean isUnused() {
        return consumers.isEmpty();
    }

    /** Whether x-expires says to delete the queue at {@code now}: it has been unused for x-expires ms. */
    public boolean expiresAt(long now) {
        return args.expires() != null && isUnused() && lastUsed != Long.MIN_VALUE
                && now >= lastUsed + args.expires();
    }

    // --------------------------------------------------------------------------------------- purge, delete

    /** queue.purge: drops the ready messages (not the unacked ones, not dead-lettered) and returns how many. */
    public int purge() {
        enter(Long.MIN_VALUE);
        int[] n = {0};
        ready.drain(m -> {
            settle(m);
            n[0]++;
        });
        flushRemoved();
        return n[0];
    }

    /**
     * queue.delete: cancels every consumer ({@link QueueEffect.ConsumerCancelled}) and forgets every message
     * (the broker drops the whole journal). Returns the ready count for delete-ok.
     */
    public int delete() {
        enter(Long.MIN_VALUE);
        int count = ready.count();
        for (QueueConsumer c : new ArrayList<>(consumers.values())) {
            effects.add(new QueueEffect.ConsumerCancelled(c.key));
            removeConsumer(c);
        }
        ready.drain(m -> ids.remove(m.message.id()));
        unackedByChannel.clear();
        unackedCount = 0;
        pendingDeadLetters.clear();
        ids.clear();
        settledIds.clear();
        return count;
    }

    // --------------------------------------------------------------------------------------------- effects

    /** The effects of the commands since the last call, in order. */
    public List<QueueEffect> takeEffects() {
        if (effects.isEmpty()) return Collections.emptyList();
        List<QueueEffect> taken = effects;
        effects = new ArrayList<>();
        return taken;
    }

    private void addRemoved(long seq) {
        if (removedCount == removedSeqs.length) removedSeqs = Arrays.copyOf(removedSeqs, removedCount * 2);
        removedSeqs[removedCount++] = seq;
    }

    /** One Removed event per command, however many messages left. */
    private void flushRemoved() {
        if (removedCount == 0) return;
        effects.add(new QueueEffect.Journal(new QueueEvent.Removed(Arrays.copyOf(removedSeqs, removedCount))));
        removedCount = 0;
    }

    // ---------------------------------------------------------------------------------------------- counts

    /** Ready messages (message-count of declare-ok / get-ok). */
    public int messageCount() {
        ensureRecovered();
        return ready.count();
    }

    public int unackedCount() {
        ensureRecovered();
        return unackedCount;
    }

    /** Whether the channel holds unacked deliveries of this queue (to its consumers or basic.get). */
    public boolean hasUnacked(String channelId) {
        return unackedByChannel.containsKey(channelId);
    }

    /** Whether this consumer is registered (a channel re-sends a Consume it got no answer to). */
    public boolean hasConsumer(ConsumerKey key) {
        return consumers.containsKey(key);
    }

    public int consumerCount() {
        return consumers.size();
    }

    /** Body bytes of the ready messages. */
    public long readyBytes() {
        ensureRecovered();
        return ready.bytes();
    }

    /** Which consumer gets messages under x-single-active-consumer (empty otherwise or with no consumers). */
    public Optional<ConsumerKey> singleActiveConsumer() {
        return singleActive == null ? Optional.empty() : Optional.of(singleActive.key);
    }

    // -------------------------------------------------------------------------------------------- recovery

    /**
     * Applies one journal event, in journal order, before any other command. Enqueued messages come back as
     * ready and redelivered; Removed ones are forgotten, their ids remembered as settled (a channel may still re-send
     * them: their confirm may have been lost with the previous incarnation).
     */
    public void replay(QueueEvent event) {
        if (recovering == null) {
            throw new IllegalStateException("replay after the queue started serving commands");
        }
        if (event instanceof QueueEvent.Enqueued e) {
            recovering.put(e.seq(), new QueueSnapshot.Entry(e.seq(), e.message(), e.enqueuedAt()));
            nextSeq = Math.max(nextSeq, e.seq() + 1);
        } else if (event instanceof QueueEvent.Removed r) {
            for (long seq : r.seqs()) {
                QueueSnapshot.Entry gone = recovering.remove(seq);
                if (gone != null) settledIds.addUnstamped(gone.message().id());
                nextSeq = Math.max(nextSeq, seq + 1);
            }
        } else if (event instanceof QueueEvent.Returned r) {
            for (long seq : r.seqs()) recovering.computeIfPresent(seq, (s, e) -> e.returnedOnceMore());
        }
    }

    /** The persistent messages (ready, unacked, awaiting dead-letter settlement) in seq order, and the seq
     *  counter. Empty for a non-durable queue. */
    public QueueSnapshot snapshot() {
        List<QueueSnapshot.Entry> entries = new ArrayList<>();
        if (recovering != null) {
            entries.addAll(recovering.values());
        } else {
            ready.forEach(m -> addSnapshotEntry(entries, m));
            for (LinkedHashMap<Long, UnackedDelivery> unacked : unackedByChannel.values()) {
                for (UnackedDelivery d : unacked.values()) addSnapshotEntry(entries, d.message);
            }
            for (QueuedMessage m : pendingDeadLetters.values()) addSnapshotEntry(entries, m);
        }
        entries.sort(Comparator.comparingLong(QueueSnapshot.Entry::seq));
        return new QueueSnapshot(nextSeq, entries);
    }

    private static void addSnapshotEntry(List<QueueSnapshot.Entry> entries, QueuedMessage m) {
        if (m.journalled) entries.add(new QueueSnapshot.Entry(m.seq, m.message, m.enqueuedAt, m.deliveryCount));
    }

    /** A queue rebuilt from a snapshot; journal events after it can still be {@link #replay}ed. */
    public static QueueState fromSnapshot(QueueDefinition def, QueueArguments args, QueueSnapshot snapshot) {
        QueueState state = new QueueState(def, args);
        for (QueueSnapshot.Entry e : snapshot.messages()) {
            state.recovering.put(e.seq(), e);
            state.nextSeq = Math.max(state.nextSeq, e.seq() + 1);
        }
        state.nextSeq = Math.max(state.nextSeq, snapshot.nextSeq());
        return state;
    }

    /** Every command starts here: finish recovery, advance the clock. */
    private void enter(long now) {
        ensureRecovered();
        if (now > clock) clock = now;
        settledIds.stampRecovered(now);
        if (lastUsed == Long.MIN_VALUE && now != Long.MIN_VALUE && isUnused()) {
            // x-expires needs a start; a state built without a declare time starts counting at first contact
            lastUsed = now;
        }
    }

    private void ensureRecovered() {
        if (recovering == null) return;
        List<QueueSnapshot.Entry> entries = new ArrayList<>(recovering.values());
        recovering = null;
        entries.sort(Comparator.comparingLong(QueueSnapshot.Entry::seq));
        for (QueueSnapshot.Entry e : entries) {
            Message m = e.message();
            if (!ids.add(m.id())) continue;
            QueuedMessage back = new QueuedMessage(e.seq(), m, e.enqueuedAt(), expiryFor(m, e.enqueuedAt()),
                    journalled(m), ready.bucketFor(m), true);
            back.deliveryCount = e.deliveryCount();
            back.resendable = true; // whether it was confirmed is not journalled: remember it when settled
            ready.addLast(back);
        }
    }
}
