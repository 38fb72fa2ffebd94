package io.warren.server.management;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * RabbitMQ's {@code message_stats}: each counter with its rate, {@code {"publish": N, "publish_details": {"rate":
 * r}}}. Warren keeps no stats database: counters come from the nodes' reports, and rates are computed when the API
 * is asked, from the samples of earlier requests: the rate is the change since the newest sample at least
 * {@link #MIN_INTERVAL_MILLIS} old, per second. Polled every 5 s (as RabbitMQ's UI does) a rate covers the last 5 s;
 * polled seldom, it is the average since the previous request. The first request sees 0.0. A counter that went
 * down (its queue restarted on another node, which counts from 0) gives 0.0 rather than a negative rate.
 */
final class MessageRates {
    static final long MIN_INTERVAL_MILLIS = 1000;
    /** Series not asked about for this long are dropped (queues deleted, vhosts gone). */
    private static final long FORGET_AFTER_MILLIS = 10 * 60_000;

    private record Sample(long atMillis, long count) {}

    private final Map<String, ArrayDeque<Sample>> series = new ConcurrentHashMap<>();
    private volatile long lastSweep;

    /**
     * The message_stats object for these counters (RabbitMQ's names: publish, deliver_get, ack, ...), sampled now;
     * {@code key} names the thing they count (a queue, a vhost, the cluster).
     */
    Map<String, Object> stats(String key, Map<String, Long> counters, long nowMillis) {
        Map<String, Object> out = new LinkedHashMap<>();
        counters.forEach((name, count) -> {
            out.put(name, count);
            out.put(name + "_details", Map.of("rate", rate(key + "\0" + name, count, nowMillis)));
        });
        sweep(nowMillis);
        return out;
    }

    /** Records a sample of one counter and answers its rate per second. */
    double rate(String series, long count, long nowMillis) {
        ArrayDeque<Sample> samples = this.series.computeIfAbsent(series, k -> new ArrayDeque<>());
        synchronized (samples) {
            Sample base = null;
            for (Sample s : samples) {
                if (s.atMillis() <= nowMillis - MIN_INTERVAL_MILLIS) base = s;
            }
            // keep the base and what is newer: the next request's base is one of them
            if (base != null) {
                for (Iterator<Sample> it = samples.iterator(); it.hasNext(); ) {
                    if (it.next().atMillis() < base.atMillis()) it.remove();
                }
            }
            samples.addLast(new Sample(nowMillis, count));
            while (samples.size() > 64) samples.removeFirst();
            if (base == null || count < base.count()) return 0.0;
            double perSecond = (count - base.count()) * 1000.0 / (nowMillis - base.atMillis());
            return Math.round(perSecond * 10) / 10.0;
        }
    }

    private void sweep(long nowMillis) {
        if (nowMillis - lastSweep < FORGET_AFTER_MILLIS) return;
        lastSweep = nowMillis;
        series.values().removeIf(samples -> {
            synchronized (samples) {
                return samples.isEmpty() || samples.peekLast().atMillis() < nowMillis - FORGET_AFTER_MILLIS;
            }
        });
    }
}
