package io.warren.core.queue;

import java.util.Arrays;

/**
 * What the journal stores for a durable queue. Only persistent messages on durable queues are journalled;
 * transient ones live in memory only. Replaying the events in order through {@link QueueState#replay} rebuilds
 * the queue's messages.
 */
public sealed interface QueueEvent {

    /** A persistent message entered the queue with journal sequence {@code seq} at {@code enqueuedAt} (epoch
     *  millis; TTL deadlines are recomputed from it on recovery). */
    record Enqueued(long seq, Message message, long enqueuedAt) implements QueueEvent {}

    /**
     * Quorum queues: each of these messages was returned once more (requeued, or its channel closed), so its
     * {@code x-delivery-count} survives a restart or failover. A seq listed twice was returned twice.
     */
    record Returned(long[] seqs) implements QueueEvent {
        @Override
        public boolean equals(Object o) {
            return o instanceof Returned r && Arrays.equals(seqs, r.seqs);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(seqs);
        }

        @Override
        public String toString() {
            return "Returned" + Arrays.toString(seqs);
        }
    }

    /** These messages left the queue for good (acked, expired, dead-lettered and settled, dropped, purged). */
    record Removed(long[] seqs) implements QueueEvent {
        @Override
        public boolean equals(Object o) {
            return o instanceof Removed r && Arrays.equals(seqs, r.seqs);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(seqs);
        }

        @Override
        public String toString() {
            return "Removed" + Arrays.toString(seqs);
        }
    }
}
