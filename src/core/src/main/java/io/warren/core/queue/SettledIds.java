package io.warren.core.queue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The ids of the messages a queue settled lately (acked, rejected, expired, dead-lettered, dropped by overflow or
 * purge), so that a channel's re-send of a publish the queue already took and finished with is answered as accepted
 * instead of being enqueued (and delivered) again. A channel re-sends confirmed publishes it got no answer for (after
 * a failover, or when the answer is late because the journal stalls); by then the first copy may be consumed and gone.
 * RabbitMQ's quorum queues drop such duplicates by per-enqueuer sequence numbers (rabbit_fifo's {@code enqueuers});
 * our ids are unique per publish but not dense per queue, so the queue remembers the ids themselves.
 *
 * <p>Bounded by count and age: the oldest id goes when {@code maxIds} are held or it is older than {@code maxAgeMillis}.
 * A re-send only comes while its publish is unconfirmed, so the memory needs to cover the confirm timeout. Ids are kept
 * in a ring (insertion order = settle order) next to a hash set: adding, looking up and evicting are O(1) amortized,
 * and the ring grows on demand, so an idle queue costs nothing.
 *
 * <p>Ids learnt while recovering have no settle time ({@link #addUnstamped}); they count from the first time seen after
 * recovery.
 */
final class SettledIds {

    private int maxIds;
    private long maxAgeMillis;
    private final Set<String> ids = new HashSet<>();
    private String[] ring = new String[0];
    private long[] settledAt = new long[0];
    /** Index of the oldest id in the ring, and how many are held. */
    private int head, size;
    /** The oldest {@code unstamped} ids were learnt while recovering and have no settle time yet. */
    private int unstamped;

    SettledIds(int maxIds, long maxAgeMillis) {
        bounds(maxIds, maxAgeMillis);
    }

    /** New bounds (0 ids: remember nothing); the oldest ids beyond the new count are forgotten at once. */
    void bounds(int maxIds, long maxAgeMillis) {
        if (maxIds < 0) throw new IllegalArgumentException("maxIds < 0: " + maxIds);
        if (maxAgeMillis < 0) throw new IllegalArgumentException("maxAgeMillis < 0: " + maxAgeMillis);
        this.maxIds = maxIds;
        this.maxAgeMillis = maxAgeMillis;
        while (size > maxIds) evictOldest();
        if (ring.length > maxIds) {
            // shrink to the new bound, keeping the order
            String[] r = new String[maxIds];
            long[] t = new long[maxIds];
            for (int i = 0; i < size; i++) {
                r[i] = ring[(head + i) % ring.length];
                t[i] = settledAt[(head + i) % ring.length];
            }
            ring = r;
            settledAt = t;
            head = 0;
        }
    }

    /** Remembers {@code id} as settled at {@code now} (epoch ms), forgetting the oldest beyond the bounds. */
    void add(String id, long now) {
        if (maxIds == 0) return;
        stampRecovered(now);
        evictOlderThan(now);
        push(id, now);
    }

    /** Remembers an id settled at an unknown time (learnt from the journal while recovering). */
    void addUnstamped(String id) {
        if (maxIds == 0) return;
        if (unstamped < size) throw new IllegalStateException("unstamped ids after stamped ones");
        push(id, Long.MIN_VALUE);
        unstamped = size;
    }

    /** Whether {@code id} was settled at most the maximum age before {@code now} (and not forgotten for the count). */
    boolean contains(String id, long now) {
        if (size == 0) return false;
        stampRecovered(now);
        evictOlderThan(now);
        return ids.contains(id);
    }

    /** How many ids are remembered. */
    int size() {
        return size;
    }

    void clear() {
        ids.clear();
        Arrays.fill(ring, null);
        head = size = unstamped = 0;
    }

    private void push(String id, long at) {
        if (!ids.add(id)) return; // one id settles once per queue; a second entry would only be forgotten twice
        if (size == maxIds) evictOldest();
        if (size == ring.length) grow();
        int slot = (head + size) % ring.length;
        ring[slot] = id;
        settledAt[slot] = at;
        size++;
    }

    private void grow() {
        int capacity = (int) Math.min(maxIds, Math.max(16L, ring.length * 2L));
        String[] r = new String[capacity];
        long[] t = new long[capacity];
        for (int i = 0; i < size; i++) {
            int from = (head + i) % ring.length;
            r[i] = ring[from];
            t[i] = settledAt[from];
        }
        ring = r;
        settledAt = t;
        head = 0;
    }

    private void evictOldest() {
        ids.remove(ring[head]);
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
        if (unstamped > 0) unstamped--;
    }

    private void evictOlderThan(long now) {
        if (now == Long.MIN_VALUE) return;
        while (size > 0 && now - settledAt[head] > maxAgeMillis) evictOldest();
    }

    /** Ids learnt while recovering count their age from {@code now} (the first time seen after recovery). */
    void stampRecovered(long now) {
        if (unstamped == 0 || now == Long.MIN_VALUE) return;
        for (int i = 0; i < unstamped; i++) settledAt[(head + i) % ring.length] = now;
        unstamped = 0;
    }
}
