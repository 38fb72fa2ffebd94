package io.warren.broker.cluster;

import static io.warren.broker.cluster.CrashVerdict.Probe.ANSWERED;
import static io.warren.broker.cluster.CrashVerdict.Probe.REFUSED;
import static io.warren.broker.cluster.CrashVerdict.Probe.SILENT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CrashVerdictTest {
    private static final Set<String> THREE = Set.of("a", "b", "c");

    @Test
    void aCrashedMemberIsDownedFromTheMajority() {
        var v = CrashVerdict.judge("a", THREE, Set.of("b", "c"), Map.of("b", ANSWERED, "c", REFUSED), Map.of("c", 2), 2);
        assertEquals(Set.of("c"), v.toDown());
        assertFalse(v.selfInMinority());
    }

    @Test
    void oneRefusalIsNotEnough() {
        var v = CrashVerdict.judge("a", THREE, Set.of("b", "c"), Map.of("b", ANSWERED, "c", REFUSED), Map.of("c", 1), 2);
        assertEquals(Set.of(), v.toDown());
    }

    @Test
    void aSideWithoutAMajorityDownsNobodyAndLeavesAtOnceWhenRefused() {
        // A rejecting firewall between a and {b, c}: a sees both refuse, so a may not down them; a goes.
        var v = CrashVerdict.judge("a", THREE, Set.of("b", "c"), Map.of("b", REFUSED, "c", REFUSED), Map.of("b", 2, "c", 2), 2);
        assertEquals(Set.of(), v.toDown());
        assertTrue(v.selfInMinority());
        assertTrue(v.selfRefusedByMajority());
    }

    @Test
    void silenceFromTheMajorityIsMinorityButNotCertain() {
        var v = CrashVerdict.judge("a", THREE, Set.of("b", "c"), Map.of("b", SILENT, "c", REFUSED), Map.of("c", 2), 2);
        assertEquals(Set.of(), v.toDown());
        assertTrue(v.selfInMinority());
        assertFalse(v.selfRefusedByMajority());
    }

    @Test
    void aSilentPeerDoesNotStopTheMajorityFromDowningACrashedOne() {
        // Five members: two crashed (refusing), one silent; a and b still answer: no majority, nothing downed.
        Set<String> five = Set.of("a", "b", "c", "d", "e");
        var v = CrashVerdict.judge("a", five, Set.of("b", "c", "d", "e"),
                Map.of("b", ANSWERED, "c", ANSWERED, "d", REFUSED, "e", REFUSED), Map.of("d", 2, "e", 2), 2);
        assertEquals(Set.of("d", "e"), v.toDown());
        var none = CrashVerdict.judge("a", five, Set.of("b", "c", "d", "e"),
                Map.of("b", ANSWERED, "c", SILENT, "d", REFUSED, "e", REFUSED), Map.of("d", 2, "e", 2), 2);
        assertEquals(Set.of(), none.toDown());
    }

    @Test
    void anEvenSplitDecidesNothing() {
        Set<String> two = Set.of("a", "b");
        var v = CrashVerdict.judge("a", two, Set.of("b"), Map.of("b", REFUSED), Map.of("b", 2), 2);
        assertEquals(Set.of(), v.toDown());
        assertFalse(v.selfInMinority());
    }

    @Test
    void aJoiningMemberThatCrashedIsDownedButDoesNotVote() {
        var v = CrashVerdict.judge("a", Set.of("a", "b"), Set.of("b", "j"), Map.of("b", ANSWERED, "j", REFUSED), Map.of("j", 2), 2);
        assertEquals(Set.of("j"), v.toDown());
    }

    @Test
    void bothSidesOfAnySplitCannotBothDown() {
        // Exhaustive over every split of five voters, each side seeing the other refuse: at most one side downs.
        String[] all = {"a", "b", "c", "d", "e"};
        Set<String> voters = Set.of(all);
        for (int mask = 1; mask < 31; mask++) {
            Set<String> left = new java.util.HashSet<>();
            for (int i = 0; i < 5; i++) if ((mask & (1 << i)) != 0) left.add(all[i]);
            Set<String> right = new java.util.HashSet<>(voters);
            right.removeAll(left);
            boolean leftDowns = downsOther(left.iterator().next(), left, right, voters);
            boolean rightDowns = downsOther(right.iterator().next(), right, left, voters);
            assertFalse(leftDowns && rightDowns, "split " + left + " / " + right);
        }
    }

    private static boolean downsOther(String self, Set<String> mine, Set<String> theirs, Set<String> voters) {
        Map<String, CrashVerdict.Probe> probes = new java.util.HashMap<>();
        Map<String, Integer> refusals = new java.util.HashMap<>();
        for (String m : mine) probes.put(m, ANSWERED);
        for (String t : theirs) { probes.put(t, REFUSED); refusals.put(t, 2); }
        Set<String> others = new java.util.HashSet<>(voters);
        others.remove(self);
        return !CrashVerdict.judge(self, voters, others, probes, refusals, 2).toDown().isEmpty();
    }
}
