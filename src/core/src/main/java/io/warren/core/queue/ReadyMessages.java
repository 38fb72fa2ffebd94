package io.warren.core.queue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The ready messages: one FIFO per priority (a single one for a non-priority queue), each kept in journal
 * sequence order so requeued messages go back where they were (RabbitMQ classic queue order). The next message
 * is the head of the highest non-empty priority.
 */
final class ReadyMessages {
    private final ArrayDeque<QueuedMessage>[] buckets;
    private int count;
    private long bytes;

    @SuppressWarnings("unchecked")
    ReadyMessages(int maxPriority) {
        buckets = new ArrayDeque[Math.max(0, maxPriority) + 1];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new ArrayDeque<>();
        }
    }

    /** RabbitMQ maps priorities above the maximum to the maximum. */
    int bucketFor(Message m) {
        return Math.min(m.priority(), buckets.length - 1);
    }

    int count() {
        return count;
    }

    long bytes() {
        return bytes;
    }

    void addLast(QueuedMessage m) {
        buckets[m.bucket].addLast(m);
        count++;
        bytes += m.message.bodySize();
    }

    QueuedMessage pollNext() {
        for (int i = buckets.length - 1; i >= 0; i--) {
            QueuedMessage m = buckets[i].pollFirst();
            if (m != null) {
                count--;
                bytes -= m.message.bodySize();
                return m;
            }
        }
        return null;
    }

    /** Removes and returns some priority's head that is expired at {@code now}, or null when none is. */
    QueuedMessage pollExpiredHead(long now) {
        for (int i = buckets.length - 1; i >= 0; i--) {
            QueuedMessage head = buckets[i].peekFirst();
            if (head != null && head.expiresAt <= now) {
                buckets[i].pollFirst();
                count--;
                bytes -= head.message.bodySize();
                return head;
            }
        }
        return null;
    }

    /** The earliest expiry among the priorities' heads (RabbitMQ only expires at the head), or MAX_VALUE. */
    long earliestHeadExpiry() {
        long earliest = Long.MAX_VALUE;
        for (ArrayDeque<QueuedMessage> b : buckets) {
            QueuedMessage head = b.peekFirst();
            if (head != null && head.expiresAt < earliest) {
                earliest = head.expiresAt;
            }
        }
        return earliest;
    }

    /**
     * Puts messages back in sequence order. They usually all precede the current head (they were delivered
     * before it), so this is a push to the front; otherwise only the overlapping prefix is merged.
     */
    void requeue(List<QueuedMessage> messages) {
        if (messages.isEmpty()) return;
        messages.sort(Comparator.comparingLong(m -> m.seq));
        if (buckets.length == 1) {
            merge(buckets[0], messages);
        } else {
            @SuppressWarnings("unchecked")
            List<QueuedMessage>[] perBucket = new List[buckets.length];
            for (QueuedMessage m : messages) {
                if (perBucket[m.bucket] == null) perBucket[m.bucket] = new ArrayList<>();
                perBucket[m.bucket].add(m);
            }
            for (int i = 0; i < buckets.length; i++) {
                if (perBucket[i] != null) merge(buckets[i], perBucket[i]);
            }
        }
        for (QueuedMessage m : messages) {
            count++;
            bytes += m.message.bodySize();
        }
    }

    private static void merge(ArrayDeque<QueuedMessage> deque, List<QueuedMessage> sorted) {
        if (sorted.isEmpty()) return;
        long maxSeq = sorted.get(sorted.size() - 1).seq;
        List<QueuedMessage> prefix = new ArrayList<>();
        while (!deque.isEmpty() && deque.peekFirst().seq < maxSeq) {
            prefix.add(deque.pollFirst());
        }
        List<QueuedMessage> merged;
        if (prefix.isEmpty()) {
            merged = sorted;
        } else {
            merged = new ArrayList<>(prefix.size() + sorted.size());
            int i = 0, j = 0;
            while (i < prefix.size() || j < sorted.size()) {
                if (j == sorted.size() || (i < prefix.size() && prefix.get(i).seq < sorted.get(j).seq)) {
                    merged.add(prefix.get(i++));
                } else {
                    merged.add(sorted.get(j++));
                }
            }
        }
        for (int k = merged.size() - 1; k >= 0; k--) {
            deque.addFirst(merged.get(k));
        }
    }

    /** Removes every ready message, handing each to {@code sink} in delivery order. */
    void drain(Consumer<QueuedMessage> sink) {
        QueuedMessage m;
        while ((m = pollNext()) != null) {
            sink.accept(m);
        }
    }

    void forEach(Consumer<QueuedMessage> action) {
        for (ArrayDeque<QueuedMessage> b : buckets) {
            b.forEach(action);
        }
    }
}
