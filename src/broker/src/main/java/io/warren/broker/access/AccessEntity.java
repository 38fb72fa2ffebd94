package io.warren.broker.access;

import io.warren.broker.protocol.AccessSnapshot;
import io.warren.broker.protocol.AccessReply;
import io.warren.broker.protocol.AccessCommand;
import io.warren.core.access.AccessState;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The one writer of the cluster's users, vhosts and permissions: one sharded, event-sourced entity, so it restarts on
 * a survivor when its node dies and recovers from the journal. Each change is journalled, then the whole state is
 * published to every node's {@link AccessReplica}; AMQP and HTTP requests read the replicas, never this entity.
 */
public final class AccessEntity extends EventSourcedBehavior<AccessCommand, AccessEvent, AccessEntity.Holder> {
    public static final EntityTypeKey<AccessCommand> TYPE_KEY = EntityTypeKey.create(AccessCommand.class, "access");
    public static final String ENTITY_ID = "cluster";

    /** The state, null until the cluster's first node seeded it. */
    public static final class Holder {
        AccessState state;
    }

    private final ActorRef<Topic.Command<AccessSnapshot>> topic;

    public static Behavior<AccessCommand> create(ActorRef<Topic.Command<AccessSnapshot>> topic) {
        return Behaviors.setup(ctx -> new AccessEntity(topic, ctx.getLog()));
    }

    private final org.slf4j.Logger log;

    private AccessEntity(ActorRef<Topic.Command<AccessSnapshot>> topic, org.slf4j.Logger log) {
        super(PersistenceId.of("access", ENTITY_ID));
        this.topic = topic;
        this.log = log;
    }

    @Override
    public org.apache.pekko.persistence.typed.javadsl.SignalHandler<Holder> signalHandler() {
        return newSignalHandlerBuilder().onSignal(org.apache.pekko.persistence.typed.RecoveryCompleted.instance(), h ->
                log.info("Access entity running on this node (state version {})", h.state == null ? "none" : h.state.version()))
                .build();
    }

    @Override
    public Holder emptyState() {
        return new Holder();
    }

    @Override
    public EventHandler<Holder, AccessEvent> eventHandler() {
        return (h, event) -> {
            if (event instanceof AccessEvent.Seeded s) {
                h.state = s.state();
            } else if (event instanceof AccessEvent.Changed c && h.state != null) {
                h.state = h.state.apply(c.change()); // validated before it was journalled
            }
            return h;
        };
    }

    @Override
    public CommandHandler<AccessCommand, AccessEvent, Holder> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(AccessCommand.Load.class, (h, c) -> {
                    if (h.state != null) {
                        c.replyTo().tell(new AccessSnapshot(h.state));
                        return Effect().none();
                    }
                    return Effect().persist(new AccessEvent.Seeded(c.seed())).thenRun(s -> {
                        c.replyTo().tell(new AccessSnapshot(s.state));
                        topic.tell(Topic.publish(new AccessSnapshot(s.state)));
                    });
                })
                .onCommand(AccessCommand.Change.class, (h, c) -> {
                    if (h.state == null) {
                        c.replyTo().tell(new AccessReply.Failed("the cluster's access state is not loaded yet"));
                        return Effect().none();
                    }
                    try {
                        h.state.apply(c.change());
                    } catch (IllegalArgumentException e) {
                        c.replyTo().tell(new AccessReply.Failed(e.getMessage()));
                        return Effect().none();
                    }
                    return Effect().persist(new AccessEvent.Changed(c.change())).thenRun(s -> {
                        topic.tell(Topic.publish(new AccessSnapshot(s.state)));
                        c.replyTo().tell(new AccessReply.Done(s.state.version()));
                    });
                })
                .build();
    }
}
