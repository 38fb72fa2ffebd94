package io.warren.core.channel;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The delivery tags of one channel: which deliveries the client still has to settle, and the rules of settling
 * them (unknown tag is 406, multiple=true settles everything up to the tag, tag 0 with multiple everything). Tags of
 * a queue incarnation that died become stale: settling them is harmless and does nothing (the next incarnation
 * redelivers those messages).
 */
public final class UnackedDeliveries {

    private long nextTag = 1;
    private final TreeMap<Long, Unacked> unacked = new TreeMap<>();
    private final Set<Long> staleTags = new HashSet<>();

    /** The tag of the next delivery (acked or not). */
    public long nextTag() {
        return nextTag++;
    }

    public void add(Unacked u) {
        unacked.put(u.tag(), u);
    }

    public int size() {
        return unacked.size();
    }

    /**
     * basic.ack/nack/reject: removes and returns what the tag settles. Stale tags give an empty list; an unknown tag
     * throws 406 PRECONDITION_FAILED "unknown delivery tag N" and settles nothing.
     */
    public List<Unacked> settle(long tag, boolean multiple) {
        if (multiple) {
            boolean stale = staleTags.removeIf(t -> tag == 0 || t <= tag);
            if (tag != 0 && !unacked.containsKey(tag) && !stale) throw unknownTag(tag);
            NavigableMap<Long, Unacked> head = tag == 0 ? unacked : unacked.headMap(tag, true);
            List<Unacked> settled = new ArrayList<>(head.values());
            head.clear();
            return settled;
        }
        Unacked u = unacked.remove(tag);
        if (u != null) return List.of(u);
        if (staleTags.remove(tag)) return List.of();
        throw unknownTag(tag);
    }

    /** Deliveries whose settlement a transaction rolled back: the client must settle them again. */
    public void restore(Collection<Unacked> deliveries) {
        for (Unacked u : deliveries) unacked.put(u.tag(), u);
    }

    /** basic.recover: every unacked delivery goes back to its queue; returns them, oldest first. */
    public List<Unacked> takeAll() {
        List<Unacked> all = new ArrayList<>(unacked.values());
        unacked.clear();
        return all;
    }

    /** The incarnation of {@code queue} died: its deliveries' tags become stale; returns those deliveries. */
    public List<Unacked> queueLost(String queue) {
        List<Unacked> lost = new ArrayList<>();
        for (var it = unacked.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Unacked> e = it.next();
            if (e.getValue().queue().equals(queue)) {
                staleTags.add(e.getKey());
                lost.add(e.getValue());
                it.remove();
            }
        }
        return lost;
    }

    /** Whether the channel still holds this delivery of {@code queue} unsettled. */
    public boolean holds(String queue, long deliveryId) {
        for (Unacked u : unacked.values()) {
            if (u.deliveryId() == deliveryId && u.queue().equals(queue)) return true;
        }
        return false;
    }

    /** Adds the queue's delivery ids of the deliveries the client still has to settle. */
    void collect(String queue, LongList out) {
        for (Unacked u : unacked.values()) {
            if (u.queue().equals(queue)) out.add(u.deliveryId());
        }
    }

    /** The channel closed: its queues requeue everything themselves. */
    public void clear() {
        unacked.clear();
        staleTags.clear();
    }

    private static AmqpException unknownTag(long tag) {
        // delivery tags are unsigned 64-bit on the wire
        return AmqpException.channel(ReplyCodes.PRECONDITION_FAILED,
                ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED, "unknown delivery tag " + Long.toUnsignedString(tag)));
    }
}
