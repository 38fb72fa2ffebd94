package io.warren.broker.auth;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down password guessing: once an address has failed to log in {@code after} times in a row (failures less
 * than a minute apart), each further refusal is answered only after {@code delay}, so a guesser gets one try per
 * delay per connection instead of hundreds per second. A successful login from the address resets its count.
 */
public final class AuthFailureThrottle {
    private static final long FORGET_AFTER_NANOS = 60_000_000_000L;
    private static final int MAX_TRACKED = 100_000;

    private record Failures(int count, long lastNanos) {}

    private final int after;
    private final Duration delay;
    private final Map<String, Failures> byAddress = new ConcurrentHashMap<>();

    public AuthFailureThrottle(int after, Duration delay) {
        this.after = after;
        this.delay = delay;
    }

    /** Records a failure from {@code address}; returns how long to wait before answering it. */
    public Duration failed(String address) {
        long now = System.nanoTime();
        if (byAddress.size() > MAX_TRACKED) byAddress.values().removeIf(f -> now - f.lastNanos() > FORGET_AFTER_NANOS);
        Failures f = byAddress.compute(address, (a, old) ->
                old == null || now - old.lastNanos() > FORGET_AFTER_NANOS ? new Failures(1, now) : new Failures(old.count() + 1, now));
        return after > 0 && f.count() > after ? delay : Duration.ZERO;
    }

    public void succeeded(String address) {
        byAddress.remove(address);
    }
}
