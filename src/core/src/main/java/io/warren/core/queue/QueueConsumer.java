package io.warren.core.queue;

/** A registered consumer and its credit. */
final class QueueConsumer {
    final ConsumerKey key;
    final boolean ackRequired;
    int prefetch;
    final int priority;
    final boolean exclusive;
    int unacked;
    /** Deliveries sent but not yet reported written by the channel (see QueueState.noAckWritten). */
    int inFlight;
    /** Their body sizes, oldest first (a channel writes a consumer's deliveries in order), and their sum. */
    private final java.util.ArrayDeque<Long> inFlightSizes = new java.util.ArrayDeque<>();
    long inFlightBytes;
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
     * Bytes of body any consumer may have on their way to its socket: a thousand large messages would otherwise still
     * be a lot of heap. At least one delivery always goes, whatever its size.
     */
    static final long WRITE_WINDOW_BYTES = 16L << 20;

    /**
     * Ack-requiring consumers are limited by prefetch (unacked deliveries) and by the write window. For a no-ack
     * consumer the prefetch is a window of deliveries on their way to the socket, so a consumer that cannot keep up
     * slows the queue down instead of piling messages up in its connection.
     */
    boolean hasCredit() {
        if (inFlightBytes >= WRITE_WINDOW_BYTES) return false;
        if (ackRequired) return (prefetch <= 0 || unacked < prefetch) && inFlight < WRITE_WINDOW;
        return prefetch <= 0 || inFlight < prefetch;
    }

    void sent(long bodySize) {
        inFlight++;
        inFlightSizes.addLast(bodySize);
        inFlightBytes += bodySize;
    }

    /** The channel wrote (or let go of) this many of the oldest deliveries in flight. */
    void written(int count) {
        for (int i = 0; i < count && !inFlightSizes.isEmpty(); i++) inFlightBytes -= inFlightSizes.removeFirst();
        inFlight = Math.max(0, inFlight - count);
        if (inFlightSizes.isEmpty()) inFlightBytes = 0;
    }
}
