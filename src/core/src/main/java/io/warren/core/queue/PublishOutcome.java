package io.warren.core.queue;

/** What {@link QueueState#publish} did with a message. */
public enum PublishOutcome {
    /** Stored (or handed straight to a consumer, or dropped at once by TTL 0 / drop-head): confirm it. */
    ACCEPTED,
    /** A message with the same id is already in the queue (ready, unacked or being dead-lettered): not stored
     *  again; confirm it, the first copy counts. */
    DUPLICATE,
    /** A re-sent publish ({@link PublishKind#RESENT}) whose id this queue held and settled lately (acked, expired,
     *  dead-lettered...): not stored again; confirm it, the first copy was taken. */
    SETTLED,
    /** x-overflow reject-publish / reject-publish-dlx and the queue is full: the channel nacks it. */
    REJECTED
}
