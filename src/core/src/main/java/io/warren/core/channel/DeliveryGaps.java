package io.warren.core.channel;

import java.util.HashMap;
import java.util.Map;

/**
 * The channel's side of the numbered delivery messages (the queue's side is
 * {@link io.warren.core.queue.DeliveryStreams}): per queue, the incarnation that numbers them and the last number
 * seen. Remoting loses a message only with everything still queued behind it in the same connection, and never
 * reorders, so a number that skips, or a probe naming a number not seen, means what lay between is lost. Then the
 * channel answers with what it holds, and the queue takes back the rest. Messages of a queue on this node are not
 * numbered (0): nothing is lost between actors of one node.
 */
public final class DeliveryGaps {

    /** What the queue needs to hear: the last number the channel has, and whether some before it went missing. */
    public record Report(long seq, boolean missing) {}

    private static final class Received {
        final long incarnation;
        long seq;

        Received(long incarnation) {
            this.incarnation = incarnation;
        }
    }

    private final Map<String, Received> byQueue = new HashMap<>();

    /** A delivery message numbered {@code seq} by {@code incarnation} of {@code queue} arrived: true if one before it is missing. */
    public boolean arrived(String queue, long incarnation, long seq) {
        if (seq == 0) return false;
        Received r = received(queue, incarnation);
        boolean missing = seq > r.seq + 1;
        if (seq > r.seq) r.seq = seq;
        return missing;
    }

    /** The queue asks whether its messages up to {@code seq} arrived: the answer to send. */
    public Report probed(String queue, long incarnation, long seq) {
        Received r = received(queue, incarnation);
        boolean missing = seq > r.seq;
        if (missing) r.seq = seq;
        return new Report(r.seq, missing);
    }

    /** The last number seen from {@code queue}'s current incarnation (0: none). */
    public long last(String queue) {
        Received r = byQueue.get(queue);
        return r == null ? 0 : r.seq;
    }

    /** The channel closed: its queues forget its numbering with it. */
    public void clear() {
        byQueue.clear();
    }

    /** A message from another incarnation starts that incarnation's numbering (the old one died, or moved). */
    private Received received(String queue, long incarnation) {
        Received r = byQueue.get(queue);
        if (r == null || r.incarnation != incarnation) byQueue.put(queue, r = new Received(incarnation));
        return r;
    }
}
