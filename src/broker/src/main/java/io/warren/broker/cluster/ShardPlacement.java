package io.warren.broker.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where queue shards go, and what {@link DemandFirstAllocation} has promised but the coordinator not yet recorded
 * (no actors, no I/O; time passed in as {@code now}).
 *
 * <p>A new shard goes to the region with the fewest shards among those whose node is not on its way out, counting
 * the shards already promised to it: the coordinator hands this rule a snapshot of its allocations that does not
 * yet show allocations answered later than at once. Rebalancing moves shards from the fullest regions to the
 * emptiest, one at a time in a simulation, until no two regions differ by more than one shard or the round's limit
 * is reached; it waits while any shard is promised but unrecorded, since the snapshot is then incomplete.
 */
public final class ShardPlacement<R> {

    /** One region as the rule sees it: its node leaving (Leaving, Exiting, Down) or not, and its shards. */
    public record Region<R>(R ref, boolean leaving, List<String> shards) {}

    private record Promise<R>(R region, long madeAt) {}

    private final long promiseTtl;
    private final Map<String, Promise<R>> promised = new HashMap<>();

    /** @param promiseTtl how long a promise counts if the coordinator never records it (a region gone meanwhile) */
    public ShardPlacement(long promiseTtl) {
        this.promiseTtl = promiseTtl;
    }

    /**
     * The region for a new shard, recorded as promised when {@code promise} (the answer goes back later than the
     * coordinator's next request). Regions in the given order break ties, so callers give a stable order.
     * Null when there is no region.
     */
    public R place(String shard, List<Region<R>> regions, boolean promise, long now) {
        forgetRecorded(regions, now);
        Map<R, Integer> pending = pendingPerRegion();
        R best = null;
        boolean bestLeaving = true;
        int bestLoad = Integer.MAX_VALUE;
        for (Region<R> region : regions) {
            int load = region.shards().size() + pending.getOrDefault(region.ref(), 0);
            boolean better = best == null
                    || (bestLeaving && !region.leaving())
                    || (bestLeaving == region.leaving() && load < bestLoad);
            if (better) {
                best = region.ref();
                bestLeaving = region.leaving();
                bestLoad = load;
            }
        }
        if (best != null && promise) promised.put(shard, new Promise<>(best, now));
        return best;
    }

    /** Shards promised and not yet seen in a snapshot. */
    public int pending(List<Region<R>> regions, long now) {
        forgetRecorded(regions, now);
        return promised.size();
    }

    /**
     * Shards to move in one round: none while a promise is unrecorded or any node is leaving; otherwise taken from
     * the fullest regions (their first shards, as listed) until the fullest and the emptiest differ by at most one,
     * at most {@code limit}.
     */
    public Set<String> rebalance(List<Region<R>> regions, int limit, long now) {
        Set<String> moves = new LinkedHashSet<>();
        if (pending(regions, now) > 0 || regions.size() < 2) return moves;
        for (Region<R> region : regions) if (region.leaving()) return moves;
        List<Iterator<String>> next = new ArrayList<>();
        int[] load = new int[regions.size()];
        for (int i = 0; i < regions.size(); i++) {
            load[i] = regions.get(i).shards().size();
            next.add(regions.get(i).shards().iterator());
        }
        while (moves.size() < limit) {
            int fullest = 0;
            int emptiest = 0;
            for (int i = 1; i < load.length; i++) {
                if (load[i] > load[fullest]) fullest = i;
                if (load[i] < load[emptiest]) emptiest = i;
            }
            if (load[fullest] - load[emptiest] <= 1 || !next.get(fullest).hasNext()) break;
            moves.add(next.get(fullest).next());
            load[fullest]--;
            load[emptiest]++;
        }
        return moves;
    }

    /**
     * How much longer an answer for a shard nobody asked for waits (0 or less: answer now): until {@code quiet} has
     * passed both since it was deferred and since a region last asked for an unallocated shard, but no longer than
     * {@code maxWait} after it was deferred.
     */
    public static long quietWait(long now, long deferredAt, long lastRequested, long quiet, long maxWait) {
        long untilQuiet = Math.max(deferredAt, lastRequested) + quiet - now;
        long untilMax = deferredAt + maxWait - now;
        return Math.min(untilQuiet, untilMax);
    }

    private void forgetRecorded(List<Region<R>> regions, long now) {
        if (promised.isEmpty()) return;
        Set<String> recorded = new HashSet<>();
        Set<R> present = new HashSet<>();
        for (Region<R> region : regions) {
            recorded.addAll(region.shards());
            present.add(region.ref());
        }
        promised.entrySet().removeIf(e -> recorded.contains(e.getKey())
                || !present.contains(e.getValue().region())
                || now - e.getValue().madeAt() > promiseTtl);
    }

    private Map<R, Integer> pendingPerRegion() {
        Map<R, Integer> pending = new HashMap<>();
        for (Promise<R> p : promised.values()) pending.merge(p.region(), 1, Integer::sum);
        return pending;
    }
}
