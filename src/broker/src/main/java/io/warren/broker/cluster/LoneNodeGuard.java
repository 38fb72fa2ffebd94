package io.warren.broker.cluster;

import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.AbstractActorWithTimers;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a node out (exit code 3, as {@link FailoverGuard} does) when it has become a cluster of its own while another
 * seed node is there to join: the rule is {@link LoneNodeVerdict}'s. Probes the other seed nodes' remoting ports with
 * plain TCP connects every {@code probeInterval}, only while this node is its cluster's only member.
 */
public final class LoneNodeGuard extends AbstractActorWithTimers {
    private static final Logger log = LoggerFactory.getLogger(LoneNodeGuard.class);

    private record Tick() {}
    private record SeedsProbed(boolean anyAnswered) {}

    private final Cluster cluster = Cluster.get(getContext().getSystem());
    private final SeedPorts seeds;
    private final Duration probeInterval;
    private final LoneNodeVerdict verdict;
    private boolean lastAnswered = false;

    /** {@code seeds}: every configured seed node (this node's own address among them is ignored). */
    public static Props props(List<Address> seeds, Duration probeInterval, Duration probeTimeout, Duration exitAfter) {
        return Props.create(LoneNodeGuard.class, () -> new LoneNodeGuard(seeds, probeInterval, probeTimeout, exitAfter));
    }

    private LoneNodeGuard(List<Address> seeds, Duration probeInterval, Duration probeTimeout, Duration exitAfter) {
        this.seeds = new SeedPorts(seeds, cluster.selfAddress(), probeTimeout, "warren-lone-node-probe");
        this.probeInterval = probeInterval;
        this.verdict = new LoneNodeVerdict(exitAfter.toNanos());
    }

    @Override
    public void preStart() {
        if (!seeds.isEmpty()) getTimers().startTimerWithFixedDelay("tick", new Tick(), probeInterval);
    }

    @Override
    public void postStop() {
        seeds.close();
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Tick.class, t -> onTick())
                .match(SeedsProbed.class, p -> lastAnswered = p.anyAnswered())
                .build();
    }

    private void onTick() {
        boolean joined = false;
        int others = 0;
        for (Member member : cluster.state().getMembers()) {
            MemberStatus status = member.status();
            if (status == MemberStatus.down() || status == MemberStatus.removed()) continue;
            if (member.address().equals(cluster.selfAddress())) joined = true;
            else others++;
        }
        boolean alone = joined && others == 0;
        if (!alone) lastAnswered = false; // a probe from before counts for nothing once members come and go
        if (alone) seeds.probe(getSelf(), SeedsProbed::new);
        long now = System.nanoTime();
        if (verdict.shouldExit(joined, others, lastAnswered, now)) {
            log.error("this node has been the only member of its cluster for {} ms while another seed node answers"
                    + " (it formed a cluster of its own, e.g. restarted while cut off); exiting with code {} so that"
                    + " its next incarnation joins the others", Duration.ofNanos(verdict.aloneForNanos(now)).toMillis(),
                    FailoverGuard.EXIT_DOWNED);
            Runtime.getRuntime().halt(FailoverGuard.EXIT_DOWNED);
        }
    }
}
