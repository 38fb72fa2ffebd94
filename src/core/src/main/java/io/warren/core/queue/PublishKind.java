package io.warren.core.queue;

/** How a publish reaches a queue: what the queue must remember of it and how it flags its deliveries. */
public enum PublishKind {
    /** First send, without a publisher confirm: the channel never sends it again, so its id is not remembered once
     *  it is settled. */
    UNCONFIRMED,
    /** First send of a confirmed publish: the channel sends it again if no answer comes, so the queue remembers its id
     *  for a while after it is settled ({@link SettledIds}). */
    CONFIRMED,
    /**
     * A confirmed publish sent again by its channel (after a failover, or unanswered for long): dropped (answered as
     * accepted) if this queue holds or lately settled its id; otherwise enqueued flagged redelivered, since an earlier
     * incarnation of the queue may have delivered it already.
     */
    RESENT
}
