package io.warren.broker.alarm;

import java.time.Duration;

/**
 * The journal alarm of this node, like RabbitMQ's disk alarm: raised while the journal database refuses or hangs
 * (the {@link JournalHealth} probe, or queue writes failing or waiting longer than {@code raiseAfter}). While it is
 * raised publishers are blocked, /ready fails, and queues keep their writes and try them again.
 */
public final class JournalAlarm {
    private final JournalWrites writes = new JournalWrites();
    private final Duration raiseAfter;
    private final Duration confirmTimeout;
    private volatile boolean raised;
    private volatile long raisedAtMillis;
    private volatile String reason = "";
    private volatile long transitions;

    public JournalAlarm(Duration raiseAfter, Duration confirmTimeout) {
        this.raiseAfter = raiseAfter;
        this.confirmTimeout = confirmTimeout;
    }

    public boolean raised() {
        return raised;
    }

    /** Why it is raised (empty when it is not). */
    public String reason() {
        return reason;
    }

    /** Epoch milliseconds of the last raise (0 if never). */
    public long raisedAtMillis() {
        return raisedAtMillis;
    }

    /** How often it went up or down since the node started. */
    public long transitions() {
        return transitions;
    }

    /** A write or probe that waits longer than this raises the alarm. */
    public Duration raiseAfter() {
        return raiseAfter;
    }

    /** Publisher confirms unanswered for this long are nacked (warren.persistence.confirm-timeout; 0 = never). */
    public Duration confirmTimeout() {
        return confirmTimeout;
    }

    public JournalWrites writes() {
        return writes;
    }

    /** True when this raised it (it was down). */
    boolean raise(String why) {
        reason = why;
        if (raised) return false;
        raisedAtMillis = System.currentTimeMillis();
        raised = true;
        transitions++;
        return true;
    }

    /** True when this cleared it (it was up). */
    boolean clear() {
        if (!raised) return false;
        raised = false;
        reason = "";
        transitions++;
        return true;
    }
}
