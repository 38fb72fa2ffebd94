package io.warren.core.channel;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Publisher confirms of one channel, like RabbitMQ's {@code rabbit_confirms}: each publish of a confirming channel
 * gets the next sequence number and is confirmed once every queue it was routed to has taken it, nacked as soon as
 * one refuses it. Confirms that settle everything up to the oldest still unconfirmed publish go out as one ack with
 * multiple=true when they are several, a single one with multiple=false.
 */
public final class PublisherConfirms {

    private boolean enabled;
    private long nextSeq = 1;
    /** Sequence number → queues that still have to take it. */
    private final TreeMap<Long, int[]> unconfirmed = new TreeMap<>();

    /** confirm.select. */
    public void enable() {
        enabled = true;
    }

    public boolean enabled() {
        return enabled;
    }

    /** The sequence number of the next publish (counted also when it is unroutable), 0 when not confirming. */
    public long next() {
        return enabled ? nextSeq++ : 0;
    }

    /** Publish {@code seq} went to {@code queues} queues; with none it is confirmed at once (returned). */
    public List<Confirm> routed(long seq, int queues) {
        if (seq == 0) return List.of();
        if (queues == 0) return List.of(new Confirm(seq, false, true));
        unconfirmed.put(seq, new int[] {queues});
        return List.of();
    }

    /** Publishes still waiting for a queue. */
    public int unconfirmedCount() {
        return unconfirmed.size();
    }

    /** A queue took the publishes {@code accepted} and refused {@code rejected} (0s are unconfirmed publishes). */
    public List<Confirm> settled(long[] accepted, long[] rejected) {
        List<Confirm> out = new ArrayList<>();
        for (long seq : rejected) {
            if (seq != 0 && unconfirmed.remove(seq) != null) out.add(new Confirm(seq, false, false));
        }
        List<Long> done = new ArrayList<>();
        for (long seq : accepted) {
            if (seq == 0) continue;
            int[] remaining = unconfirmed.get(seq);
            if (remaining != null && --remaining[0] == 0) {
                unconfirmed.remove(seq);
                done.add(seq);
            }
        }
        if (done.isEmpty()) return out;
        // Everything below the oldest unconfirmed publish is settled: one ack with multiple=true can cover it.
        long low = unconfirmed.isEmpty() ? Long.MAX_VALUE : unconfirmed.firstKey();
        long highestBelow = 0;
        int below = 0;
        for (long seq : done) {
            if (seq < low) {
                highestBelow = Math.max(highestBelow, seq);
                below++;
            } else {
                out.add(new Confirm(seq, false, true));
            }
        }
        if (below > 0) out.add(new Confirm(highestBelow, below > 1, true));
        return out;
    }

    /** The channel is closing: nothing is confirmed any more. */
    public void clear() {
        unconfirmed.clear();
    }
}
