package io.warren.broker.topology;

import io.warren.broker.protocol.TopologySnapshot;
import io.warren.broker.protocol.VersionedChange;
import io.warren.broker.protocol.TopologyReply;
import io.warren.broker.protocol.TopologyCommand;
import io.warren.broker.protocol.TopologyChange;
import io.warren.amqp.AmqpException;
import io.warren.broker.protocol.TopologyCommand.*;
import io.warren.broker.protocol.TopologyChange.*;
import io.warren.core.names.Names;
import io.warren.core.routing.Binding;
import io.warren.core.routing.Destination;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.RoutingTable;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The one writer of a virtual host's exchanges, bindings and queue names. It validates against the authoritative
 * table, journals what is durable, and publishes every change, numbered, to each node's {@link RoutingReplica}.
 * Publishing never passes through here: nodes route on their replicas.
 */
public final class TopologyEntity extends EventSourcedBehavior<TopologyCommand, TopologyChange, TopologyEntity.Holder> {

    public static final EntityTypeKey<TopologyCommand> TYPE_KEY = EntityTypeKey.create(TopologyCommand.class, "topology");

    public static final class Holder {
        RoutingTable table;
        final Map<String, Boolean> queues = new HashMap<>();
        long version;
    }

    private final String vhost;
    private final ActorRef<Topic.Command<VersionedChange>> topic;
    /** A new incarnation starts a new epoch, so replicas resynchronise instead of comparing unrelated versions. */
    private final long epoch = System.currentTimeMillis();
    private boolean live;

    public static Behavior<TopologyCommand> create(String entityId, ActorRef<Topic.Command<VersionedChange>> topic) {
        return Behaviors.setup(ctx -> new TopologyEntity(entityId, topic));
    }

    private TopologyEntity(String entityId, ActorRef<Topic.Command<VersionedChange>> topic) {
        super(PersistenceId.of("topology", entityId));
        this.vhost = URLDecoder.decode(entityId, StandardCharsets.UTF_8);
        this.topic = topic;
    }

    @Override
    public Holder emptyState() {
        Holder h = new Holder();
        h.table = RoutingTable.withDefaults(vhost);
        return h;
    }

    @Override
    public EventHandler<Holder, TopologyChange> eventHandler() {
        return (h, change) -> {
            if (!live) TopologyChanges.apply(h.table, h.queues, change);
            return h;
        };
    }

    @Override
    public SignalHandler<Holder> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), h -> live = true).build();
    }

    @Override
    public CommandHandler<TopologyCommand, TopologyChange, Holder> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(DeclareExchange.class, (h, c) -> guarded(c.replyTo(), () -> declareExchange(h, c)))
                .onCommand(DeleteExchange.class, (h, c) -> guarded(c.replyTo(), () -> deleteExchange(h, c)))
                .onCommand(Bind.class, (h, c) -> guarded(c.replyTo(), () -> bind(h, c.binding(), c.replyTo())))
                .onCommand(Unbind.class, (h, c) -> guarded(c.replyTo(), () -> unbind(h, c.binding(), c.replyTo())))
                .onCommand(DeclareQueue.class, (h, c) -> change(h, new QueueDeclared(c.name(), c.durable()), c.durable(), c.replyTo()))
                .onCommand(DeleteQueue.class, (h, c) -> change(h, new QueueDeleted(c.name()), h.queues.getOrDefault(c.name(), false), c.replyTo()))
                .onCommand(GetSnapshot.class, (h, c) -> {
                    c.replyTo().tell(new TopologySnapshot(vhost, epoch, h.version,
                            List.copyOf(h.table.exchanges()), Map.copyOf(h.queues), List.copyOf(h.table.allBindings())));
                    return Effect().none();
                })
                .build();
    }

    private Effect<TopologyChange, Holder> guarded(ActorRef<TopologyReply> replyTo, java.util.function.Supplier<Effect<TopologyChange, Holder>> work) {
        try {
            return work.get();
        } catch (AmqpException e) {
            if (replyTo != null) replyTo.tell(TopologyReply.Failed.of(e));
            return Effect().none();
        }
    }

    private Effect<TopologyChange, Holder> declareExchange(Holder h, DeclareExchange c) {
        ExchangeDefinition def = c.definition();
        Optional<ExchangeDefinition> existing = h.table.exchange(def.name());
        if (existing.isPresent()) {
            existing.get().checkEquivalent(def, vhost);
            c.replyTo().tell(new TopologyReply.Done(epoch, h.version));
            return Effect().none();
        }
        return change(h, new ExchangeDeclared(def), def.durable(), c.replyTo());
    }

    private Effect<TopologyChange, Holder> deleteExchange(Holder h, DeleteExchange c) {
        Optional<ExchangeDefinition> existing = h.table.exchange(c.name());
        if (existing.isEmpty()) {
            // Deleting a missing exchange is fine, as in RabbitMQ 3.13.
            c.replyTo().tell(new TopologyReply.Done(epoch, h.version));
            return Effect().none();
        }
        if (c.ifUnused() && !h.table.bindingsFrom(c.name()).isEmpty()) throw Names.exchangeInUse(c.name(), vhost);
        return change(h, new ExchangeDeleted(c.name()), true, c.replyTo());
    }

    private boolean durableEnd(Holder h, Destination d) {
        return d.kind() == Destination.Kind.QUEUE
                ? h.queues.getOrDefault(d.name(), false)
                : h.table.exchange(d.name()).map(ExchangeDefinition::durable).orElse(false);
    }

    private Effect<TopologyChange, Holder> bind(Holder h, Binding b, ActorRef<TopologyReply> replyTo) {
        h.table.requireExchange(b.source());
        if (b.destination().kind() == Destination.Kind.QUEUE) h.table.requireQueue(b.destination().name());
        else h.table.requireExchange(b.destination().name());
        if (h.table.hasBinding(b)) {
            replyTo.tell(new TopologyReply.Done(epoch, h.version));
            return Effect().none();
        }
        h.table.checkBinding(b); // e.g. a headers binding's x-match: 406 here, not swallowed when applied
        boolean durable = h.table.exchange(b.source()).map(ExchangeDefinition::durable).orElse(false) && durableEnd(h, b.destination());
        return change(h, new Bound(b), durable, replyTo);
    }

    private Effect<TopologyChange, Holder> unbind(Holder h, Binding b, ActorRef<TopologyReply> replyTo) {
        // Unbinding what does not exist (binding, queue or exchange) is fine, as in RabbitMQ: unbind-ok.
        if (!h.table.hasBinding(b)) {
            replyTo.tell(new TopologyReply.Done(epoch, h.version));
            return Effect().none();
        }
        return change(h, new Unbound(b), true, replyTo);
    }

    /** Applies, journals when durable, publishes to the replicas, and answers with the new version. */
    private Effect<TopologyChange, Holder> change(Holder h, TopologyChange change, boolean durable, ActorRef<TopologyReply> replyTo) {
        TopologyChanges.apply(h.table, h.queues, change);
        long version = ++h.version;
        Runnable publish = () -> {
            topic.tell(Topic.publish(new VersionedChange(vhost, epoch, version, change)));
            if (replyTo != null) replyTo.tell(new TopologyReply.Done(epoch, version));
        };
        if (!durable) {
            publish.run();
            return Effect().none();
        }
        return Effect().persist(change).thenRun(s -> publish.run());
    }
}
