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
 * by {@link FailoverGuard} within a few hundred milliseconds. The removal margin is the resolver's
 * ({@code pekko.cluster.down-removal-margin}).
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
        return splitBrainResolver.downRemovalMargin();
    }

    @Override
    public Option<Props> downingActorProps() {
        Props resolver = splitBrainResolver.downingActorProps().get();
        return Option.apply(FailoverGuard.props(settings, resolver));
    }
}
