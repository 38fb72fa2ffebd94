package io.warren.broker.cluster;

import java.util.Map;
import java.util.Set;

/**
 * Whether a node that could not run for longer than the others' earliest downing decision may go on serving (no
 * actors, no I/O). Its gate ({@link NodeFence}) is shut; it asked every other member how that member sees it.
 *
 * <p>It resumes once a strict majority of the voting members (Up and Leaving, as keep-majority counts them; itself
 * one vote for itself) says it is Up, this incarnation, and reachable. It exits as soon as any member says it was
 * downed, removed, or is an incarnation that member does not know, and when no such majority has answered within
 * the timeout. A member that still marks it unreachable is asked again: the resolver may be about to down it, and
 * only once the heartbeats are back (reachable) has the resolver's decision been called off.
 */
public final class StallVerdict {

    /** How one member sees the asking node. */
    public enum Answer {
        /** A member, this incarnation, not downed, reachable. */
        UP,
        /** A member, this incarnation, not downed, but some member still marks it unreachable: ask again. */
        UNREACHABLE,
        /** Downed, exiting, removed, or another incarnation (or none) at its address. */
        DOWNED
    }

    public enum Decision { RESUME, EXIT, WAIT }

    private StallVerdict() {}

    /**
     * @param self      the asking node's address
     * @param voters    addresses of the Up and Leaving members in the asking node's view (itself included if it is one)
     * @param answers   the latest answer of each member that answered
     * @param askedAt   when the node asked (nanoTime)
     * @param now       now (nanoTime)
     * @param timeout   how long a majority may take to answer UP, in nanoseconds
     */
    public static Decision decide(String self, Set<String> voters, Map<String, Answer> answers, long askedAt, long now,
                                  long timeout) {
        if (answers.containsValue(Answer.DOWNED)) return Decision.EXIT;
        int up = voters.contains(self) ? 1 : 0;
        for (String voter : voters) {
            if (!voter.equals(self) && answers.get(voter) == Answer.UP) up++;
        }
        if (2 * up > voters.size()) return Decision.RESUME;
        return now - askedAt >= timeout ? Decision.EXIT : Decision.WAIT;
    }
}
