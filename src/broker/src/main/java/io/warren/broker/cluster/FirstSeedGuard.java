package io.warren.broker.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.AbstractActorWithTimers;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forms a new cluster on the first seed node when the other seed nodes are not there to ask; the rule is
 * {@link FirstSeedVerdict}'s. Pekko's own first seed node process still runs (it joins a seed node that answers, and
 * forms a cluster at once when every other seed node says it is not in one yet), but with its timeout turned off by
 * {@link #PEKKO_SETTINGS}, so that a late answer is waited for instead of being taken for no cluster. Stops once this
 * node is a member.
 */
public final class FirstSeedGuard extends AbstractActorWithTimers {
    private static final Logger log = LoggerFactory.getLogger(FirstSeedGuard.class);

    /**
     * What the first seed node's Pekko settings must say for this guard to decide: no timeout of Pekko's own (a
     * FirstSeedNodeProcess joins itself when its seed-node-timeout passes without an answer).
     */
    public static final Map<String, Object> PEKKO_SETTINGS = Map.of("pekko.cluster.seed-node-timeout", "3650d");

    private record Tick() {}
    private record SeedsProbed(boolean anyAnswered) {}

    private final Cluster cluster = Cluster.get(getContext().getSystem());
    private final SeedPorts seeds;
    private final FirstSeedVerdict verdict;
    private final Duration formAfter;
    private final long startedNanos = System.nanoTime();
    private boolean toldWaiting;

    /** {@code seeds}: every configured seed node, this one first. */
    public static Props props(List<Address> seeds, Duration probeInterval, Duration probeTimeout, Duration formAfter) {
        return Props.create(FirstSeedGuard.class, () -> new FirstSeedGuard(seeds, probeInterval, probeTimeout, formAfter));
    }

    private FirstSeedGuard(List<Address> seeds, Duration probeInterval, Duration probeTimeout, Duration formAfter) {
        this.seeds = new SeedPorts(seeds, cluster.selfAddress(), probeTimeout, "warren-first-seed-probe");
        this.verdict = new FirstSeedVerdict(formAfter.toNanos());
        this.formAfter = formAfter;
        getTimers().startTimerWithFixedDelay("tick", new Tick(), probeInterval);
    }

    @Override
    public void postStop() {
        seeds.close();
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Tick.class, t -> {
                    if (isMember()) getContext().stop(getSelf());
                    else seeds.probe(getSelf(), SeedsProbed::new);
                })
                .match(SeedsProbed.class, this::onProbed)
                .build();
    }

    private void onProbed(SeedsProbed probed) {
        if (isMember()) {
            getContext().stop(getSelf());
            return;
        }
        long now = System.nanoTime();
        if (verdict.shouldForm(probed.anyAnswered(), now)) {
            log.info("no other seed node's remoting port has accepted a connection for {} ms: forming a new cluster",
                    formAfter.toMillis());
            cluster.join(cluster.selfAddress());
            getContext().stop(getSelf());
        } else if (probed.anyAnswered() && !toldWaiting && now - startedNanos >= formAfter.toNanos()) {
            toldWaiting = true;
            log.info("another seed node is running (its remoting port accepts connections) but has not let this node"
                    + " join yet; waiting for it rather than forming a cluster of its own");
        }
    }

    private boolean isMember() {
        for (var member : cluster.state().getMembers()) {
            if (member.address().equals(cluster.selfAddress())) return true;
        }
        return false;
    }
}
