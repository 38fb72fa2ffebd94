package io.warren.core.queue;

/** A registered consumer and its credit. */
final class QueueConsumer {
    final ConsumerKey key;
    final boolean ackRequired;
    int prefetch;
    final int priority;
    final boolean exclusive;
    int unacked;
    /** No-ack deliveries sent but not yet reported written by the channel (see QueueState.noAckWritten). */
    int inFlight;
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

    /**
     * Deliveries an ack-requiring consumer may have on their way to its socket (not yet reported written), whatever
     * its prefetch: with no prefetch limit the queue still cannot push its whole backlog into the channel's memory.
     */
    static final int WRITE_WINDOW = 1000;

    /**
     * Ack-requiring consumers are limited by prefetch (unacked deliveries) and by the write window. For a no-ack
     * consumer the prefetch is a window of deliveries on their way to the socket, so a consumer that cannot keep up
     * slows the queue down instead of piling messages up in its connection.
     */
    boolean hasCredit() {
        if (ackRequired) return (prefetch <= 0 || unacked < prefetch) && inFlight < WRITE_WINDOW;
        return prefetch <= 0 || inFlight < prefetch;
    }
}
