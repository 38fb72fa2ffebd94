package io.warren.core.queue;

/** One message inside a queue: the only per-message allocation the queue makes. */
final class QueuedMessage {
    final long seq;
    final Message message;
    final long enqueuedAt;
    /** Epoch ms at or after which it is expired; Long.MAX_VALUE when it has no TTL. */
    final long expiresAt;
    /** Persistent message on a durable queue: its enqueue and removal are journalled. */
    final boolean journalled;
    /** Index of its priority sub-queue (0 for a non-priority queue). */
    final int bucket;
    boolean redelivered;
    /** Quorum queues: how often it was returned (requeued, or its channel closed) since it was enqueued here. */
    int deliveryCount;
    /** Its publisher may send it again (a confirmed publish): once settled, its id is remembered (SettledIds). */
    boolean resendable;

    QueuedMessage(long seq, Message message, long enqueuedAt, long expiresAt, boolean journalled, int bucket,
                  boolean redelivered) {
        this.seq = seq;
        this.message = message;
        this.enqueuedAt = enqueuedAt;
        this.expiresAt = expiresAt;
        this.journalled = journalled;
        this.bucket = bucket;
        this.redelivered = redelivered;
    }
}
