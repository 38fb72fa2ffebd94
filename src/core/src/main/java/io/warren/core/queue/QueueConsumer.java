package io.warren.core.queue;

/** A registered consumer and its credit. */
final class QueueConsumer {
    final ConsumerKey key;
    final boolean ackRequired;
    final int prefetch;
    final int priority;
    final boolean exclusive;
    int unacked;
    /** Whether it sits in the delivery ring (registered, not single-active mode, has credit). */
    boolean inRing;
    boolean removed;

    QueueConsumer(ConsumerKey key, boolean ackRequired, int prefetch, int priority, boolean exclusive) {
        this.key = key;
        this.ackRequired = ackRequired;
        this.prefetch = prefetch;
        this.priority = priority;
        this.exclusive = exclusive;
    }

    /** A no-ack consumer settles at once, so only prefetch of ack-requiring consumers limits it. */
    boolean hasCredit() {
        return !ackRequired || prefetch <= 0 || unacked < prefetch;
    }
}
