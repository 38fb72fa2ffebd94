package io.warren.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Lets a log message that starts with {@code prefix} through once per interval and drops the repeats, reporting how
 * many were dropped with the next one let through. Set up in logback.xml for Pekko's "Accept error" of its TCP
 * listener, which is logged with a stack trace for every failed accept: when file descriptors run out that is
 * thousands of lines a second (the node's own connection limit keeps a reserve, so this is the last line of defence).
 */
public final class RepeatedMessageFilter extends TurboFilter {
    private String prefix = "";
    private long intervalNanos = 10_000_000_000L;
    private final AtomicLong lastPassed = new AtomicLong(Long.MIN_VALUE / 2);
    private final AtomicLong dropped = new AtomicLong();

    public void setPrefix(String prefix) {
        this.prefix = prefix;
    }

    public void setIntervalSeconds(long seconds) {
        this.intervalNanos = seconds * 1_000_000_000L;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (prefix.isEmpty() || format == null || !format.startsWith(prefix)) return FilterReply.NEUTRAL;
        long now = System.nanoTime();
        long last = lastPassed.get();
        if (now - last >= intervalNanos && lastPassed.compareAndSet(last, now)) {
            long n = dropped.getAndSet(0);
            if (n > 0) {
                LoggerFactory.getLogger(RepeatedMessageFilter.class).warn("{} more log lines starting \"{}\" were dropped in the last {} s",
                        n, prefix, Math.max(1, (now - last) / 1_000_000_000L));
            }
            return FilterReply.NEUTRAL;
        }
        dropped.incrementAndGet();
        return FilterReply.DENY;
    }
}
