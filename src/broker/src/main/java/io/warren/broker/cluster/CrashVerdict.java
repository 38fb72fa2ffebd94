package io.warren.broker.cluster;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What this node may conclude from its own TCP probes of the other members' remoting ports (no actors, no I/O).
 *
 * <p>A refused connect means no process listens on that port any more: a crashed node, certain evidence, so it is
 * downed at once instead of after the heartbeat timeout and the Split Brain Resolver's {@code stable-after}. A
 * firewall that rejects instead of dropping looks the same from both sides of a partition, so only a side that
 * still counts a strict majority of the voting members (Up or Leaving, as keep-majority counts them) as answering
 * acts on refusals. Two disjoint sides cannot both hold a strict majority of one member list, so at most one side
 * downs the other; the other side (which then sees a strict majority of the voters refusing or not answering)
 * takes itself out instead. A tie (an even split) decides nothing here and is left to the Split Brain Resolver.
 */
public final class CrashVerdict {
    /** The last probe of a member: its port accepted, refused, or did not answer within the probe timeout. */
    public enum Probe { ANSWERED, REFUSED, SILENT }

    /**
     * {@code toDown}: members to down now (each refused {@code refusalsToDown} probes in a row, seen from a
     * majority); {@code selfInMinority}: a strict majority of the voters refuses this node's probes or does not
     * answer them, so this node is on the losing side (or alone) and must stop serving;
     * {@code selfRefusedByMajority}: that majority refuses outright (certain, act at once), not merely silent.
     */
    public record Verdict(Set<String> toDown, boolean selfInMinority, boolean selfRefusedByMajority) {}

    private CrashVerdict() {}

    /**
     * @param self            this node's address
     * @param voters          addresses of the Up and Leaving members (this node included if it is one)
     * @param candidates      addresses of the other members that may be downed (Joining, WeaklyUp, Up, Leaving)
     * @param lastProbe       each probed member's last probe result (absent: not probed yet, counts as answered)
     * @param refusalsInARow  each probed member's consecutive refusals
     * @param refusalsToDown  how many refusals in a row make a crash certain
     */
    public static Verdict judge(String self, Set<String> voters, Set<String> candidates, Map<String, Probe> lastProbe,
                                Map<String, Integer> refusalsInARow, int refusalsToDown) {
        Set<String> refused = new TreeSet<>();
        for (String member : candidates) {
            if (!member.equals(self) && refusalsInARow.getOrDefault(member, 0) >= refusalsToDown) refused.add(member);
        }
        int answering = 0;
        int refusing = 0;
        for (String voter : voters) {
            if (voter.equals(self)) {
                answering++;
            } else if (refused.contains(voter)) {
                refusing++;
            } else if (lastProbe.getOrDefault(voter, Probe.ANSWERED) == Probe.ANSWERED) {
                answering++;
            }
        }
        int silentOrRefusing = voters.size() - answering;
        boolean majorityAnswers = 2 * answering > voters.size();
        boolean minority = 2 * silentOrRefusing > voters.size();
        return new Verdict(majorityAnswers ? refused : Set.of(), minority, minority && 2 * refusing > voters.size());
    }
}
