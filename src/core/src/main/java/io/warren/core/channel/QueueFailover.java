package io.warren.core.channel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * What one channel must do when a queue incarnation it uses dies (its node crashed, or sharding moved it): the
 * bookkeeping of publishes not yet answered by their queue and of the recovery of each lost queue. Messages
 * ({@code M}) are opaque here. Time is passed in ({@code now}, nanoseconds of any monotonic clock).
 *
 * <ul>
 *   <li>Confirmed publishes a queue has not accepted yet are kept per queue and sent again to its next
 *       incarnation, and also when unanswered for long (the queue may have died before the channel knew which
 *       incarnation served it, or its journal stalls). The re-send is marked as such ({@link Resend}): the queue drops
 *       ids it holds or settled lately, so a message consumed while its enqueue was unanswered is not delivered again
 *       on every retry.
 *   <li>Enqueue batches not answered yet are counted per queue: the connection stops reading while there are
 *       too many. A lost queue never answers what went to it: only the re-sent batch counts then.
 *   <li>Consumers of a lost queue are re-attached with the same tags, retried (a re-attach may be lost on its way
 *       while shards move) until the next incarnation answers; publishes are re-sent on retry while nothing at all
 *       was settled since the loss.
 * </ul>
 */
public final class QueueFailover<M> {

    /**
     * Publishes to send again to a queue: confirm sequence numbers and their messages, in order. They go marked as
     * re-sent: the queue answers those it holds or settled lately without enqueuing them again, and flags those it
     * does enqueue redelivered (the incarnation that got the first send may have delivered them).
     */
    public record Resend<M>(String queue, long[] seqs, List<M> messages) {}

    /** What to do for a lost queue now: consumers to re-attach, publishes to re-send (null if none). */
    public record Recovery<M>(String queue, List<String> reattach, Resend<M> resend) {}

    private static final class InFlight<M> {
        /** In the order sent, so in increasing confirm sequence. */
        final LinkedHashMap<Long, M> bySeq = new LinkedHashMap<>();
        long sentAt;
        /** The last sequence put: the highest, as a channel's confirm sequences only grow. */
        long highestSeq;
    }

    /**
     * A batch waiting for its answer; a probe ({@link #probesDue}) is an empty batch that remembers the highest
     * confirm sequence in flight when it left (0: none).
     */
    private record Batch(int size, boolean probe, long probeUpTo) {}

    private static final class Outstanding {
        final ArrayDeque<Batch> batches = new ArrayDeque<>();
        int messages;
        /** The queue's last answer, or when this wait began: how long the queue has been quiet. */
        long progressAt;
        /** A probe is on its way (since probeSentAt). */
        boolean probing;
        long probeSentAt;

        Outstanding(long now) {
            progressAt = now;
        }

        void sent(int size) {
            sent(new Batch(size, false, 0));
        }

        void sent(Batch b) {
            batches.add(b);
            messages += b.size();
        }

        Batch answered() {
            Batch b = batches.poll();
            if (b != null) messages -= b.size();
            return b;
        }

        /**
         * An empty answer while a probe waits is taken for the probe's: the batches ahead of it lost their answers, and
         * leave with it. In confirm mode it is (every batch of publishes is answered with its sequence numbers); without
         * confirms it may be a batch's, and the count is short by what was in flight for a while.
         */
        Batch answeredProbe() {
            if (batches.stream().noneMatch(Batch::probe)) return answered();
            Batch b;
            do {
                b = answered();
            } while (!b.probe());
            return b;
        }
    }

    private static final class Lost {
        final Set<String> consumerTags = new HashSet<>();
        boolean settledSince;
        long lastTry;
    }

    private final Map<String, InFlight<M>> inFlight = new HashMap<>();
    private final Map<String, Outstanding> outstanding = new HashMap<>();
    private final Map<String, Lost> recovering = new HashMap<>();

    /**
     * An enqueue batch went to {@code queue}: {@code seqs[i]} is the confirm sequence of {@code messages[i]} (0 when
     * the channel does not confirm: nothing to re-send).
     */
    public void sent(String queue, long[] seqs, List<M> messages, long now) {
        InFlight<M> f = null;
        for (int i = 0; i < seqs.length; i++) {
            if (seqs[i] == 0) continue;
            if (f == null) f = inFlight.computeIfAbsent(queue, k -> new InFlight<>());
            f.bySeq.put(seqs[i], messages.get(i));
            f.highestSeq = seqs[i];
        }
        InFlight<M> existing = inFlight.get(queue);
        if (existing != null) existing.sentAt = now;
        outstanding.computeIfAbsent(queue, k -> new Outstanding(now)).sent(messages.size());
    }

    /**
     * The queue answered a batch (queues answer in order): those publishes need no re-send. When the answer is a
     * probe's, every publish still unanswered that left before the probe was lost on its way, or its answer was:
     * they are returned to be sent again now (null: none).
     */
    public Resend<M> answered(String queue, long[] accepted, long[] rejected, long now) {
        Batch batch = null;
        Outstanding n = outstanding.get(queue);
        if (n != null) {
            batch = accepted.length == 0 && rejected.length == 0 ? n.answeredProbe() : n.answered();
            n.progressAt = now;
            if (batch != null && batch.probe()) n.probing = false;
            if (n.batches.isEmpty()) outstanding.remove(queue);
        }
        Resend<M> lost = null;
        InFlight<M> f = inFlight.get(queue);
        if (f != null) {
            for (long seq : accepted) f.bySeq.remove(seq);
            for (long seq : rejected) f.bySeq.remove(seq);
            if (batch != null && batch.probeUpTo() > 0) lost = resendUpTo(queue, f, batch.probeUpTo(), now);
            if (f.bySeq.isEmpty()) inFlight.remove(queue);
        }
        Lost r = recovering.get(queue);
        if (r != null) {
            r.settledSince = true;
            endIfDone(queue, r);
        }
        return lost;
    }

    /**
     * Remoting may lose a batch or its answer on the way (it delivers at most once) while the queue lives on: the
     * queues that have left batches unanswered for {@code quietFor} get a probe now, an empty batch that the queue
     * answers in order behind everything it received before (after their journal writes). When that answer comes,
     * the batches ahead of it that are still unanswered lost their batch or answer: they stop counting against reading
     * on, and their confirmed publishes go again at once ({@link #answered}). A queue that is only slow (its journal)
     * answers the older batches first, and nothing is sent twice. A probe or its answer lost too is followed by
     * another after {@code quietFor}.
     */
    public List<String> probesDue(long now, long quietFor) {
        List<String> due = null;
        for (Map.Entry<String, Outstanding> e : outstanding.entrySet()) {
            Outstanding n = e.getValue();
            if (n.batches.isEmpty() || now - n.progressAt < quietFor) continue;
            if (n.probing && now - n.probeSentAt < quietFor) continue;
            n.probing = true;
            n.probeSentAt = now;
            InFlight<M> f = inFlight.get(e.getKey());
            n.sent(new Batch(0, true, f == null ? 0 : f.highestSeq));
            if (due == null) due = new ArrayList<>();
            due.add(e.getKey());
        }
        return due == null ? List.of() : due;
    }

    /** Messages in enqueue batches not answered yet, over all queues. */
    public int outstanding() {
        int total = 0;
        for (Outstanding n : outstanding.values()) total += n.messages;
        return total;
    }

    /** Whether {@code queue} is being recovered (some consumer or publish of it not yet answered). */
    public boolean recovering(String queue) {
        return recovering.containsKey(queue);
    }

    /** The incarnation of {@code queue} died; {@code consumerTags} are the channel's consumers on it. */
    public Recovery<M> lost(String queue, Set<String> consumerTags, long now) {
        outstanding.remove(queue);
        Lost r = new Lost();
        r.consumerTags.addAll(consumerTags);
        r.lastTry = now;
        recovering.put(queue, r);
        Resend<M> resend = resend(queue, now);
        Recovery<M> todo = new Recovery<>(queue, List.copyOf(r.consumerTags), resend);
        endIfDone(queue, r);
        return todo;
    }

    /** The next incarnation answered this consumer's re-attach. */
    public void reattached(String consumerTag) {
        for (var it = recovering.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().consumerTags.remove(consumerTag) && isDone(e.getKey(), e.getValue())) it.remove();
        }
    }

    /**
     * What to try again for recoveries not answered for {@code afterNanos}. {@code stillConsumes(tag, queue)} says
     * whether the consumer still exists on that queue (the client may have cancelled it meanwhile).
     */
    public List<Recovery<M>> retry(long now, long afterNanos, BiPredicate<String, String> stillConsumes) {
        List<Recovery<M>> out = new ArrayList<>();
        for (var e : List.copyOf(recovering.entrySet())) {
            String queue = e.getKey();
            Lost r = e.getValue();
            if (now - r.lastTry < afterNanos) continue;
            r.lastTry = now;
            r.consumerTags.removeIf(tag -> !stillConsumes.test(tag, queue));
            Resend<M> resend = r.settledSince ? null : resend(queue, now);
            out.add(new Recovery<>(queue, List.copyOf(r.consumerTags), resend));
            endIfDone(queue, r);
        }
        return out;
    }

    /** Publishes unanswered for longer than {@code nanos} are sent again: they may have died with a node on their way. */
    public List<Resend<M>> resendOlderThan(long now, long nanos) {
        List<Resend<M>> out = new ArrayList<>();
        for (var e : List.copyOf(inFlight.entrySet())) {
            if (now - e.getValue().sentAt > nanos) {
                Resend<M> r = resend(e.getKey(), now);
                if (r != null) out.add(r);
            }
        }
        return out;
    }

    /** These publishes were nacked (confirm timeout): they are not sent again. */
    public void forget(long[] seqs) {
        for (var it = inFlight.values().iterator(); it.hasNext(); ) {
            InFlight<M> f = it.next();
            for (long seq : seqs) f.bySeq.remove(seq);
            if (f.bySeq.isEmpty()) it.remove();
        }
    }

    public void clear() {
        inFlight.clear();
        outstanding.clear();
        recovering.clear();
    }

    /** The unanswered publishes of {@code f} up to confirm sequence {@code upTo}, as one more batch. */
    private Resend<M> resendUpTo(String queue, InFlight<M> f, long upTo, long now) {
        Resend<M> r = unanswered(queue, f, upTo);
        if (r != null) outstanding.computeIfAbsent(queue, k -> new Outstanding(now)).sent(r.messages().size());
        return r;
    }

    /** The unanswered publishes of {@code f} with confirm sequences up to {@code upTo}, in order (null: none). */
    private Resend<M> unanswered(String queue, InFlight<M> f, long upTo) {
        LongList seqs = new LongList();
        List<M> messages = new ArrayList<>();
        for (Map.Entry<Long, M> e : f.bySeq.entrySet()) {
            if (e.getKey() > upTo) break; // sequences are added in increasing order
            seqs.add(e.getKey());
            messages.add(e.getValue());
        }
        return messages.isEmpty() ? null : new Resend<>(queue, seqs.toArray(), messages);
    }

    /** The unanswered publishes of {@code queue} as one batch; what went before will never be answered. */
    private Resend<M> resend(String queue, long now) {
        InFlight<M> f = inFlight.get(queue);
        if (f == null || f.bySeq.isEmpty()) return null;
        f.sentAt = now;
        Resend<M> all = unanswered(queue, f, Long.MAX_VALUE);
        Outstanding only = new Outstanding(now);
        only.sent(all.messages().size());
        outstanding.put(queue, only);
        return all;
    }

    private void endIfDone(String queue, Lost r) {
        if (isDone(queue, r)) recovering.remove(queue);
    }

    private boolean isDone(String queue, Lost r) {
        InFlight<M> f = inFlight.get(queue);
        return r.consumerTags.isEmpty() && (r.settledSince || f == null || f.bySeq.isEmpty());
    }
}
