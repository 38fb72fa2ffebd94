package io.warren.broker.cluster;

import static io.warren.broker.cluster.StallVerdict.Answer.DOWNED;
import static io.warren.broker.cluster.StallVerdict.Answer.UNREACHABLE;
import static io.warren.broker.cluster.StallVerdict.Answer.UP;
import static io.warren.broker.cluster.StallVerdict.Decision.EXIT;
import static io.warren.broker.cluster.StallVerdict.Decision.RESUME;
import static io.warren.broker.cluster.StallVerdict.Decision.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StallVerdictTest {
    private static final Set<String> THREE = Set.of("a", "b", "c");
    private static final Set<String> FIVE = Set.of("a", "b", "c", "d", "e");
    private static final long TIMEOUT = 3_000_000_000L;
    private static final long ASKED = 1_000_000_000L;

    private static StallVerdict.Decision decide(Set<String> voters, Map<String, StallVerdict.Answer> answers, long after) {
        return StallVerdict.decide("a", voters, answers, ASKED, ASKED + after, TIMEOUT);
    }

    @Test
    void oneOtherMemberSayingUpIsAMajorityOfThree() {
        assertEquals(RESUME, decide(THREE, Map.of("b", UP), 10));
    }

    @Test
    void beforeAnyAnswerTheNodeWaits() {
        assertEquals(WAIT, decide(THREE, Map.of(), 0));
        assertEquals(WAIT, decide(THREE, Map.of(), TIMEOUT - 1));
    }

    @Test
    void noMajorityWithinTheTimeoutExits() {
        assertEquals(EXIT, decide(THREE, Map.of(), TIMEOUT));
        assertEquals(EXIT, decide(THREE, Map.of("b", UNREACHABLE, "c", UNREACHABLE), TIMEOUT));
    }

    @Test
    void aMemberThatStillSeesTheNodeUnreachableIsNoVote() {
        // The resolver may be about to down it: only a member that sees it reachable again vouches for it.
        assertEquals(WAIT, decide(THREE, Map.of("b", UNREACHABLE, "c", UNREACHABLE), 100));
        assertEquals(RESUME, decide(THREE, Map.of("b", UNREACHABLE, "c", UP), 100));
    }

    @Test
    void anyDowningExitsAtOnceWhateverTheOthersSay() {
        assertEquals(EXIT, decide(THREE, Map.of("b", DOWNED), 0));
        assertEquals(EXIT, decide(THREE, Map.of("b", UP, "c", DOWNED), 0));
        assertEquals(EXIT, decide(FIVE, Map.of("b", UP, "c", UP, "d", UP, "e", DOWNED), 0));
        // even from a member outside this node's (old) list of voters, e.g. one that joined while it stood still
        assertEquals(EXIT, decide(THREE, Map.of("b", UP, "x", DOWNED), 0));
    }

    @Test
    void twoMembersNeedTheOtherOne() {
        Set<String> two = Set.of("a", "b");
        assertEquals(WAIT, decide(two, Map.of(), 100));
        assertEquals(RESUME, decide(two, Map.of("b", UP), 100));
        assertEquals(EXIT, decide(two, Map.of(), TIMEOUT));
    }

    @Test
    void fiveMembersNeedTwoOthers() {
        assertEquals(WAIT, decide(FIVE, Map.of("b", UP), 100));
        assertEquals(WAIT, decide(FIVE, Map.of("b", UP, "c", UNREACHABLE, "d", UNREACHABLE), 100));
        assertEquals(RESUME, decide(FIVE, Map.of("b", UP, "c", UP), 100));
        assertEquals(EXIT, decide(FIVE, Map.of("b", UP), TIMEOUT));
    }

    @Test
    void answersFromNonVotersDoNotMakeAMajority() {
        // Joining members (not voters) and strangers vouch for nothing.
        assertEquals(WAIT, decide(FIVE, Map.of("b", UP, "x", UP, "y", UP), 100));
    }

    @Test
    void aNodeThatIsNotAVoterItselfCountsNoVoteForItself() {
        // Still Joining when it stalled: the others' voters must do it alone.
        Set<String> others = Set.of("b", "c");
        assertEquals(WAIT, decide(others, Map.of("b", UP), 100));
        assertEquals(RESUME, decide(others, Map.of("b", UP, "c", UP), 100));
    }

    /**
     * Over every way three of five other members answer: the node resumes exactly when at least half the others
     * (with its own vote, a strict majority) say UP and none says DOWNED; it exits on DOWNED at any time, and at the
     * timeout otherwise; it never resumes after the timeout without a majority.
     */
    @Test
    void everyCombinationOfAnswersFromFiveMembers() {
        List<String> others = List.of("b", "c", "d", "e");
        StallVerdict.Answer[] choices = {null, UP, UNREACHABLE, DOWNED};
        int cases = 0;
        for (int code = 0; code < 256; code++) {
            Map<String, StallVerdict.Answer> answers = new HashMap<>();
            int up = 0;
            boolean downed = false;
            for (int i = 0; i < others.size(); i++) {
                StallVerdict.Answer a = choices[(code >> (2 * i)) & 3];
                if (a == null) continue;
                answers.put(others.get(i), a);
                if (a == UP) up++;
                if (a == DOWNED) downed = true;
            }
            StallVerdict.Decision expectedInTime = downed ? EXIT : (2 * (1 + up) > 5 ? RESUME : WAIT);
            StallVerdict.Decision expectedLate = downed ? EXIT : (2 * (1 + up) > 5 ? RESUME : EXIT);
            assertEquals(expectedInTime, decide(FIVE, answers, 100), answers::toString);
            assertEquals(expectedLate, decide(FIVE, answers, TIMEOUT), answers::toString);
            cases++;
        }
        assertEquals(256, cases);
    }
}
