package io.warren.core.queue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The numbering of one queue incarnation's delivery messages to each channel on another node. Pekko's remoting
 * delivers at most once: a message still in a send queue or a TCP buffer when its connection breaks (a flapping link)
 * is gone, in order with what follows, and nobody is told. A queue would then hold the lost deliveries unacked for a
 * channel whose client never saw them, until that channel closes. Numbered messages let the channel see a gap when a
 * later one arrives; a channel that went quiet is asked for the number it has (a probe), so that a loss at the tail is
 * seen too. The channel answers with the number it has and, after a gap, with the delivery ids it holds (see
 * {@link QueueState#requeueUnreceived}). Time is passed in ({@code now}, any monotonic clock, one unit throughout).
 */
public final class DeliveryStreams {

    /**
     * Ask the channel: the number of the last delivery message sent to it, and the highest delivery id it carried;
     * {@code wantHeld}: answer with the ids it holds even if nothing is missing (an audit, below).
     */
    public record Probe(String channelId, long seq, long lastDeliveryId, boolean wantHeld) {}

    private static final class Stream {
        long seq;
        long lastDeliveryId;
        long confirmed;
        long lastSentAt;
        long lastProbeAt;
        boolean probed;
        /** The last delivery sent or settlement heard: a channel quiet since holds its deliveries, or lost its acks. */
        long lastActivityAt;
    }

    private final Map<String, Stream> streams = new HashMap<>();

    /** A delivery message to {@code channelId} carrying ids up to {@code maxDeliveryId} leaves now: its number. */
    public long sent(String channelId, long maxDeliveryId, long now) {
        Stream s = streams.computeIfAbsent(channelId, k -> new Stream());
        s.seq++;
        s.lastDeliveryId = Math.max(s.lastDeliveryId, maxDeliveryId);
        s.lastSentAt = now;
        s.lastActivityAt = now;
        s.probed = false;
        return s.seq;
    }

    /** The channel settled deliveries (acks, rejects): it is alive and working through what it got. */
    public void settled(String channelId, long now) {
        Stream s = streams.get(channelId);
        if (s != null) s.lastActivityAt = now;
    }

    /** The channel has every message up to {@code seq} (or said what it holds of those it missed). */
    public void confirmed(String channelId, long seq) {
        Stream s = streams.get(channelId);
        if (s != null && seq > s.confirmed) s.confirmed = Math.min(seq, s.seq);
    }

    /** The channel is gone: its numbering ends (a channel id is never reused). */
    public void closed(String channelId) {
        streams.remove(channelId);
    }

    /**
     * The channels to ask now:
     * <ul>
     *   <li>a message to them is not confirmed yet, nothing went to them for {@code quietFor} (a channel that keeps
     *       receiving sees a gap by itself), and they were not asked within {@code quietFor} (a probe or its answer
     *       may be lost too);
     *   <li>or, an audit: they hold unacked deliveries of ours ({@code holdsUnacked}) and neither got nor settled
     *       anything for {@code auditAfter}, nor were asked within it. Their acks may have been lost on the way (a
     *       consumer with prefetch 1 would wait for good); they answer with what they hold, and the queue takes back
     *       the rest.
     * </ul>
     */
    public List<Probe> probesDue(long now, long quietFor, long auditAfter, Predicate<String> holdsUnacked) {
        List<Probe> due = null;
        for (Map.Entry<String, Stream> e : streams.entrySet()) {
            Stream s = e.getValue();
            boolean unconfirmed = s.confirmed < s.seq && now - s.lastSentAt >= quietFor
                    && (!s.probed || now - s.lastProbeAt >= quietFor);
            boolean audit = !unconfirmed && now - s.lastActivityAt >= auditAfter
                    && (!s.probed || now - s.lastProbeAt >= auditAfter) && holdsUnacked.test(e.getKey());
            if (!unconfirmed && !audit) continue;
            s.probed = true;
            s.lastProbeAt = now;
            if (due == null) due = new ArrayList<>();
            due.add(new Probe(e.getKey(), s.seq, s.lastDeliveryId, audit));
        }
        return due == null ? List.of() : due;
    }

    /** The queue's channels are all gone (the queue was deleted). */
    public void clear() {
        streams.clear();
    }

    /** Whether a probe may still be due: some channel has not confirmed its last message, or holds deliveries. */
    public boolean watching(Predicate<String> holdsUnacked) {
        for (Map.Entry<String, Stream> e : streams.entrySet()) {
            if (e.getValue().confirmed < e.getValue().seq || holdsUnacked.test(e.getKey())) return true;
        }
        return false;
    }
}
