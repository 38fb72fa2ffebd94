package io.warren.broker.alarm;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this node's queues tell about their journal writes, read by {@link JournalHealth} and /metrics: which writes
 * are in flight and since when (a hanging write raises the journal alarm), the last failure, and histograms of write
 * latency and rows per write. Thread-safe and cheap (a map entry per queue with a write in flight, a few adders per
 * write): queues call it from their own threads on every write.
 */
public final class JournalWrites {

    /** Upper bounds (seconds) of the write-latency histogram's buckets; the last, +Inf, is implicit. */
    public static final double[] LATENCY_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Upper bounds of the events-per-write histogram's buckets. */
    public static final double[] BATCH_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000};

    /** A failure a queue reported: when (nanoTime) and what. */
    public record Failure(long atNanos, String cause) {}

    private final ConcurrentHashMap<String, Long> inFlightSince = new ConcurrentHashMap<>();
    private final AtomicReference<Failure> lastFailure = new AtomicReference<>();
    private final Histogram latency = new Histogram(LATENCY_BUCKETS);
    private final Histogram batchEvents = new Histogram(BATCH_BUCKETS);
    private final LongAdder failures = new LongAdder();

    /** A queue's write (or its retry) left for the database; a retry keeps the first attempt's time. */
    public void started(String persistenceId) {
        inFlightSince.putIfAbsent(persistenceId, System.nanoTime());
    }

    /** The write is durable (latency: from its first attempt): {@code events} queue events in it. */
    public void succeeded(String persistenceId, int events) {
        Long since = inFlightSince.remove(persistenceId);
        if (since != null) latency.observe((System.nanoTime() - since) / 1e9);
        batchEvents.observe(events);
    }

    /**
     * The write failed; the queue keeps it and tries again. It stays in flight (since its first attempt) until it
     * succeeds: a write that is not getting through keeps the alarm up, whatever the reason.
     */
    public void failed(String persistenceId, String cause) {
        failures.increment();
        lastFailure.set(new Failure(System.nanoTime(), cause));
    }

    /** The queue stopped: its write is no longer waited for here. */
    public void forget(String persistenceId) {
        inFlightSince.remove(persistenceId);
    }

    /** How long the oldest write in flight has waited, in nanoseconds (0 when none is). */
    public long oldestInFlightNanos() {
        long now = System.nanoTime();
        long oldest = 0;
        for (Long since : inFlightSince.values()) oldest = Math.max(oldest, now - since);
        return oldest;
    }

    public int inFlight() {
        return inFlightSince.size();
    }

    public Failure lastFailure() {
        return lastFailure.get();
    }

    public long failures() {
        return failures.sum();
    }

    public Histogram latency() {
        return latency;
    }

    public Histogram batchEvents() {
        return batchEvents;
    }

    /** A Prometheus-style cumulative histogram. */
    public static final class Histogram {
        private final double[] bounds;
        private final LongAdder[] counts;
        private final LongAdder count = new LongAdder();
        private final AtomicLong sumMicros = new AtomicLong();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new LongAdder[bounds.length];
            for (int i = 0; i < bounds.length; i++) counts[i] = new LongAdder();
        }

        void observe(double value) {
            for (int i = 0; i < bounds.length; i++) {
                if (value <= bounds[i]) {
                    counts[i].increment();
                    break;
                }
            }
            count.increment();
            sumMicros.addAndGet(Math.round(value * 1e6));
        }

        public double[] bounds() {
            return bounds.clone();
        }

        /** Observations at or below each bound (cumulative, as Prometheus wants them). */
        public long[] cumulative() {
            long[] out = new long[bounds.length];
            long running = 0;
            for (int i = 0; i < bounds.length; i++) {
                running += counts[i].sum();
                out[i] = running;
            }
            return out;
        }

        public long count() {
            return count.sum();
        }

        public double sum() {
            return sumMicros.get() / 1e6;
        }
    }
}
