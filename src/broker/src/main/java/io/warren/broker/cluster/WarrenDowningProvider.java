package io.warren.broker.cluster;

import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.DowningProvider;
import org.apache.pekko.cluster.sbr.SplitBrainResolverProvider;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * Pekko's downing provider for Warren ({@code pekko.cluster.downing-provider-class}): two signals, two paths.
 * Silence (a frozen or overloaded node, a partition) stays with the Split Brain Resolver and its
 * {@code stable-after}; a crash (the member's remoting port refuses connections, seen from a majority) is downed
 * by {@link FailoverGuard} within a few hundred milliseconds.
 *
 * <p>The removal margin (how long sharding and singletons wait after a member's removal before they start its
 * shards and singletons elsewhere) is zero, because neither path needs one after the removal. Silence: the losing
 * side stops serving after probe-timeout + {@code minority-exit-after} (a cut-off node exits; a frozen one shuts its
 * {@link NodeFence} when it runs again), before the winning side can decide (acceptable-heartbeat-pause +
 * {@code stable-after} at the earliest), so a margin only added to every silent node's failover. Crash: the margin
 * for a node that is refused but alive is taken before its removal ({@code warren.cluster.failover.
 * crash-removal-margin}, see {@link CrashedMemberRemoval}). Pekko's {@code down-removal-margin} is not read: the
 * resolver's provider turns 0 there into {@code stable-after}.
 */
public final class WarrenDowningProvider extends DowningProvider {
    private final SplitBrainResolverProvider splitBrainResolver;
    private final FailoverSettings settings;

    public WarrenDowningProvider(ActorSystem system) {
        this.splitBrainResolver = new SplitBrainResolverProvider(system);
        this.settings = FailoverSettings.from(system.settings().config());
    }

    @Override
    public FiniteDuration downRemovalMargin() {
        return scala.concurrent.duration.Duration.Zero();
    }

    @Override
    public Option<Props> downingActorProps() {
        Props resolver = splitBrainResolver.downingActorProps().get();
        return Option.apply(FailoverGuard.props(settings, resolver));
    }
}
