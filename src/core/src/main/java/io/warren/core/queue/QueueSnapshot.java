package io.warren.core.queue;

import java.util.List;

/**
 * Everything a durable queue needs to come back: its persistent messages in journal order (ready, unacked and
 * awaiting dead-letter settlement alike: unacked ones come back as ready and redelivered) and the sequence
 * counter. Transient messages are never in it.
 */
public record QueueSnapshot(long nextSeq, List<Entry> messages) {

    public QueueSnapshot {
        messages = List.copyOf(messages);
    }

    /** One stored message; {@code deliveryCount}: how often a quorum queue returned it (0 otherwise). */
    public record Entry(long seq, Message message, long enqueuedAt, int deliveryCount) {
        public Entry(long seq, Message message, long enqueuedAt) {
            this(seq, message, enqueuedAt, 0);
        }

        Entry returnedOnceMore() {
            return new Entry(seq, message, enqueuedAt, deliveryCount + 1);
        }
    }
}
