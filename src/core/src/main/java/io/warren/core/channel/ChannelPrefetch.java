package io.warren.core.channel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * basic.qos of one channel. The per-consumer limit (global=false) applies to consumers created after it and is
 * enforced by their queues. The channel-wide limit (global=true, RabbitMQ's limiter) counts the channel's unacked
 * deliveries over all its consumers: a queue is also told it, as a cap on each consumer, and what its consumers
 * receive beyond it waits here until acks, a recover or a higher limit make room. As in RabbitMQ 3.x, while the
 * channel-wide limit is used up no-ack consumers wait too, though their deliveries do not count against it;
 * basic.get deliveries neither count nor wait; and an ack in a transaction makes room only when it commits.
 */
public final class ChannelPrefetch<D> {

    private int consumerLimit;
    private int channelLimit;
    private final ArrayDeque<HeldDelivery<D>> held = new ArrayDeque<>();
    /** Ack-requiring consumer deliveries not settled yet (settlements in an open transaction still count). */
    private int volume;

    /** basic.qos prefetch-count (0: no limit). */
    public void qos(int count, boolean global) {
        if (global) channelLimit = count;
        else consumerLimit = count;
    }

    /** The limit a consumer created now gets for itself (0: none). */
    public int consumerLimit() {
        return consumerLimit;
    }

    public int channelLimit() {
        return channelLimit;
    }

    /** What the queue may have unacked for an ack-requiring consumer with this limit of its own (0: no limit). */
    public int queueLimit(int ownLimit) {
        if (channelLimit == 0) return ownLimit;
        return ownLimit == 0 ? channelLimit : Math.min(ownLimit, channelLimit);
    }

    /** Whether a consumer delivery arriving now must wait. */
    public boolean mustHold() {
        return channelLimit > 0 && (volume >= channelLimit || !held.isEmpty());
    }

    /** A consumer delivery went to the client. */
    public void delivered(boolean ackRequired) {
        if (ackRequired) volume++;
    }

    /** These deliveries are settled for good (acked, rejected, recovered, or their queue is gone). */
    public void settled(Iterable<Unacked> deliveries) {
        for (Unacked u : deliveries) {
            if (u.consumerTag() != null) volume--;
        }
    }

    /** Consumer deliveries counted against the channel-wide limit. */
    public int volume() {
        return volume;
    }

    public void hold(HeldDelivery<D> h) {
        held.add(h);
    }

    /** The held deliveries the limit now lets through, oldest first, counted as delivered. */
    public List<HeldDelivery<D>> release() {
        List<HeldDelivery<D>> out = new ArrayList<>();
        while (!held.isEmpty() && (channelLimit == 0 || volume < channelLimit)) {
            HeldDelivery<D> h = held.poll();
            out.add(h);
            delivered(h.ackRequired());
        }
        return out;
    }

    /** Takes every held delivery (basic.recover: they go back to their queues). */
    public List<HeldDelivery<D>> takeAll() {
        List<HeldDelivery<D>> all = new ArrayList<>(held);
        held.clear();
        return all;
    }

    /** Drops the held deliveries of a queue incarnation that died (the next one redelivers them). */
    public void queueLost(String queue) {
        held.removeIf(h -> h.queue().equals(queue));
    }

    public boolean holds(String queue, long deliveryId) {
        for (HeldDelivery<D> h : held) {
            if (h.deliveryId() == deliveryId && h.queue().equals(queue)) return true;
        }
        return false;
    }

    /** Adds the queue's delivery ids of the held deliveries. */
    void collect(String queue, LongList out) {
        for (HeldDelivery<D> h : held) {
            if (h.queue().equals(queue)) out.add(h.deliveryId());
        }
    }

    public int heldCount() {
        return held.size();
    }

    public void clear() {
        held.clear();
        volume = 0;
    }
}
