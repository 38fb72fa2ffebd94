package io.warren.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShardPlacementTest {
    private static final long TTL = 30_000;

    private static ShardPlacement.Region<String> region(String name, int shards) {
        return region(name, false, shards);
    }

    private static ShardPlacement.Region<String> region(String name, boolean leaving, int shards) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < shards; i++) ids.add(name + i);
        return new ShardPlacement.Region<>(name, leaving, ids);
    }

    @Test
    void aNewShardGoesToTheRegionWithFewestShardsTheFirstListedOnATie() {
        ShardPlacement<String> p = new ShardPlacement<>(TTL);
        assertEquals("b", p.place("s", List.of(region("a", 3), region("b", 1), region("c", 2)), false, 0));
        assertEquals("a", p.place("s", List.of(region("a", 1), region("b", 1)), false, 0));
    }

    @Test
    void aRegionOnItsWayOutIsChosenOnlyWhenNoOtherIsLeft() {
        ShardPlacement<String> p = new ShardPlacement<>(TTL);
        assertEquals("b", p.place("s", List.of(region("a", true, 0), region("b", 9)), false, 0));
        assertEquals("a", p.place("s", List.of(region("a", true, 4), region("b", true, 5)), false, 0));
        assertNull(p.place("s", List.of(), false, 0));
    }

    @Test
    void answersGivenAtOnceAreNotPromisesTheSnapshotAlreadyShowsThemNextTime() {
        ShardPlacement<String> p = new ShardPlacement<>(TTL);
        List<ShardPlacement.Region<String>> snapshot = List.of(region("a", 0), region("b", 0));
        assertEquals("a", p.place("s1", snapshot, false, 0));
        assertEquals("a", p.place("s2", snapshot, false, 0));
        assertEquals(0, p.pending(snapshot, 0));
    }

    @Test
    void promisesFromOneSnapshotSpreadOverTheRegions() {
        ShardPlacement<String> p = new ShardPlacement<>(TTL);
        List<ShardPlacement.Region<String>> snapshot = List.of(region("a", 2), region("b", 0), region("c", 1));
        Map<String, Integer> placed = new HashMap<>();
        for (int i = 0; i < 9; i++) placed.merge(p.place("new" + i, snapshot, true, 0), 1, Integer::sum);
        // 3 + 9 = 12 shards over 3 regions: 4 each.
        assertEquals(Map.of("a", 2, "b", 4, "c", 3), placed);
        assertEquals(9, p.pending(snapshot, 0));
    }

    @Test
    void aPromiseIsForgottenOnceRecordedOrItsRegionIsGoneOrItIsStale() {
        ShardPlacement<String> p = new ShardPlacement<>(TTL);
        List<ShardPlacement.Region<String>> before = List.of(region("a", 0), region("b", 0));
        assertEquals("a", p.place("x", before, true, 0));
        assertEquals("b", p.place("y", before, true, 0));
        assertEquals("a", p.place("z", before, true, 0));
        // x recorded at a: only y and z still count
        List<ShardPlacement.Region<String>> recorded = List.of(
                new ShardPlacement.Region<>("a", false, List.of("x")), region("b", 0));
        assertEquals(2, p.pending(recorded, 1));
        // b gone: y's promise with it
        assertEquals(1, p.pending(List.of(new ShardPlacement.Region<>("a", false, List.of("x"))), 2));
        // z never recorded: stale after the ttl
        assertEquals(1, p.pending(recorded, TTL));
        assertEquals(0, p.pending(recorded, TTL + 1));
    }

    @Test
    void rebalancingEvensOutTheRegionsWithinTheLimit() {
        ShardPlacement<String> p = new ShardPlacement<>(TTL);
        assertEquals(Set.of("a0", "a1", "a2", "a3", "a4"), p.rebalance(List.of(region("a", 10), region("b", 0)), 20, 0));
        assertEquals(3, p.rebalance(List.of(region("a", 10), region("b", 0)), 3, 0).size());
        assertEquals(6, p.rebalance(List.of(region("a", 9), region("b", 0), region("c", 0)), 20, 0).size());
        // already within one shard of each other
        assertTrue(p.rebalance(List.of(region("a", 5), region("b", 4), region("c", 5)), 20, 0).isEmpty());
        assertTrue(p.rebalance(List.of(region("a", 7)), 20, 0).isEmpty());
    }

    @Test
    void noRebalancingWhileAPromiseIsUnrecordedOrANodeIsLeaving() {
        ShardPlacement<String> p = new ShardPlacement<>(TTL);
        assertTrue(p.rebalance(List.of(region("a", 10), region("b", true, 0)), 20, 0).isEmpty());
        List<ShardPlacement.Region<String>> snapshot = List.of(region("a", 10), region("b", 0));
        p.place("new", snapshot, true, 0);
        assertTrue(p.rebalance(snapshot, 20, 0).isEmpty());
        assertEquals(5, p.rebalance(snapshot, 20, TTL + 1).size());
    }

    @Test
    void anUnrequestedShardWaitsUntilTheRegionsHaveBeenQuietButNotForever() {
        // deferred at 0, quiet 250, at most 2500
        assertEquals(250, ShardPlacement.quietWait(0, 0, -10_000, 250, 2_500));
        assertEquals(0, ShardPlacement.quietWait(250, 0, -10_000, 250, 2_500));
        // a region asked at 200: wait until 450
        assertEquals(150, ShardPlacement.quietWait(300, 0, 200, 250, 2_500));
        // regions keep asking: the cap answers it at 2500
        assertEquals(100, ShardPlacement.quietWait(2_400, 0, 2_390, 250, 2_500));
        assertTrue(ShardPlacement.quietWait(2_500, 0, 2_490, 250, 2_500) <= 0);
    }
}
