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
    /** {sequence, nanoTime routed} in publish order, for warren.persistence.confirm-timeout (see {@link #timedOut}). */
    private final java.util.ArrayDeque<long[]> since = new java.util.ArrayDeque<>();

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
        return routed(seq, queues, System.nanoTime());
    }

    /** As {@link #routed(long, int)}, routed at {@code now} (nanoTime): the confirm timeout counts from then. */
    public List<Confirm> routed(long seq, int queues, long now) {
        if (seq == 0) return List.of();
        if (queues == 0) return List.of(new Confirm(seq, false, true));
        unconfirmed.put(seq, new int[] {queues});
        since.add(new long[] {seq, now});
        return List.of();
    }

    /**
     * Nacks (and forgets) the publishes unconfirmed for longer than {@code nanos} at {@code now} (0: never), oldest
     * first: e.g. while the journal database is down, a publisher is told within a bounded time that the broker did
     * not take its message. A queue may still take it later; its answer is then ignored here.
     */
    public List<Confirm> timedOut(long now, long nanos) {
        List<Confirm> out = new ArrayList<>();
        while (!since.isEmpty()) {
            long[] oldest = since.peek();
            if (!unconfirmed.containsKey(oldest[0])) {
                since.poll();
                continue;
            }
            if (nanos <= 0 || now - oldest[1] <= nanos) break;
            since.poll();
            unconfirmed.remove(oldest[0]);
            out.add(new Confirm(oldest[0], false, false));
        }
        return out;
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
        since.clear();
    }
}
