package io.warren.broker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * One log line per interval for an event that can repeat thousands of times a second (refused connections,
 * accept errors): the first occurrence is logged at once, later ones are counted and reported with the next line,
 * so a flood costs a few lines a minute instead of gigabytes.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final long intervalNanos;
    private final AtomicLong suppressed = new AtomicLong();
    private final AtomicLong lastLoggedAt;

    public RateLimitedLog(Logger log, Duration interval) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.lastLoggedAt = new AtomicLong(System.nanoTime() - intervalNanos);
    }

    /** Logs {@code message} at WARN unless one went out less than an interval ago; then it is only counted. */
    public void warn(String message) {
        long now = System.nanoTime();
        long last = lastLoggedAt.get();
        if (now - last >= intervalNanos && lastLoggedAt.compareAndSet(last, now)) {
            long more = suppressed.getAndSet(0);
            log.warn(more == 0 ? message : message + " (and " + more + " more like it since the last such line)");
        } else {
            suppressed.incrementAndGet();
        }
    }
}
