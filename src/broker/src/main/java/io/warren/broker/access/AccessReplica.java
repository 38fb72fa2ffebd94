package io.warren.broker.access;

import io.warren.broker.protocol.AccessSnapshot;
import io.warren.broker.protocol.PoliciesChanged;
import io.warren.broker.protocol.AccessCommand;
import io.warren.broker.auth.UserDirectory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * This node's copy of the access state, kept in its {@link UserDirectory}: it takes every state the
 * {@link AccessEntity} publishes, and asks for the whole state at start (until it comes), and every 30 s in case a
 * publication was lost. States carry a version, so an older one arriving late is ignored.
 */
public final class AccessReplica extends AbstractBehavior<AccessReplica.Command> {
    public sealed interface Command {}

    private record Received(AccessSnapshot snapshot) implements Command {}

    private enum Ask implements Command { INSTANCE }

    private final UserDirectory directory;
    private final ClusterSharding sharding;
    private final ActorRef<AccessSnapshot> adapter;
    private final CompletableFuture<Void> loaded;

    public static Behavior<Command> create(UserDirectory directory, ActorRef<Topic.Command<AccessSnapshot>> topic,
                                           CompletableFuture<Void> loaded) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Ask.INSTANCE, Duration.ofSeconds(2));
            return new AccessReplica(ctx, directory, topic, loaded);
        }));
    }

    private AccessReplica(ActorContext<Command> ctx, UserDirectory directory, ActorRef<Topic.Command<AccessSnapshot>> topic,
                          CompletableFuture<Void> loaded) {
        super(ctx);
        this.directory = directory;
        this.loaded = loaded;
        this.sharding = ClusterSharding.get(ctx.getSystem());
        this.adapter = ctx.messageAdapter(AccessSnapshot.class, Received::new);
        topic.tell(Topic.subscribe(adapter));
        ask();
    }

    private long asks;

    private void ask() {
        sharding.entityRefFor(AccessEntity.TYPE_KEY, AccessEntity.ENTITY_ID).tell(new AccessCommand.Load(directory.seed(), adapter));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Received.class, r -> {
                    io.warren.core.access.AccessState before = directory.state();
                    directory.update(r.snapshot().state());
                    io.warren.core.access.AccessState after = directory.state();
                    if (after != before && (!after.policies().equals(before.policies())
                            || !after.operatorPolicies().equals(before.operatorPolicies()))) {
                        getContext().getSystem().eventStream().tell(
                                new org.apache.pekko.actor.typed.eventstream.EventStream.Publish<>(new PoliciesChanged(after)));
                    }
                    loaded.complete(null);
                    return this;
                })
                .onMessage(Ask.class, a -> {
                    // every 2 s until loaded (sharding may drop requests while the cluster forms), then every 30 s
                    if (!loaded.isDone() || ++asks % 15 == 0) ask();
                    return this;
                })
                .build();
    }
}
