package io.warren.broker.topology;

import io.warren.broker.protocol.TopologySnapshot;
import io.warren.broker.protocol.VersionedChange;
import io.warren.broker.protocol.TopologyCommand;
import io.warren.core.routing.RoutingTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * This node's copy of every vhost's routing table, the one writer of {@link TopologyClient}'s tables. It applies
 * the topology entities' numbered changes in order and asks for a whole snapshot when it misses one (or when an
 * entity restarted elsewhere), and it tells waiting channels when a version they depend on has arrived.
 */
public final class RoutingReplica extends AbstractBehavior<RoutingReplica.Command> {

    public sealed interface Command {}

    record Changed(VersionedChange change) implements Command {}

    record Snapshot(TopologySnapshot snapshot) implements Command {}

    record AwaitVersion(String vhost, long epoch, long version, Runnable whenThere) implements Command {}

    enum Resync implements Command { INSTANCE }

    private record Position(long epoch, long version) {}

    private final ConcurrentHashMap<String, RoutingTable> tables;
    private final Map<String, Map<String, Boolean>> queues = new HashMap<>();
    private final Map<String, Position> positions = new HashMap<>();
    private final Map<String, List<AwaitVersion>> waiting = new HashMap<>();
    private final ClusterSharding sharding;
    private final ActorRef<TopologySnapshot> snapshotAdapter;

    /**
     * @param loaded completes once every vhost's table has come from its topology entity: a node must not accept
     *               clients before, or a restarted node would answer "no exchange" for durable exchanges.
     */
    public static Behavior<Command> create(ConcurrentHashMap<String, RoutingTable> tables, java.util.Set<String> vhosts,
                                           ActorRef<Topic.Command<VersionedChange>> topic,
                                           java.util.concurrent.CompletableFuture<Void> loaded) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Resync.INSTANCE, Duration.ofSeconds(30));
            timers.startTimerWithFixedDelay(RetryInitial.INSTANCE, Duration.ofSeconds(2));
            return new RoutingReplica(ctx, tables, vhosts, topic, loaded);
        }));
    }

    enum RetryInitial implements Command { INSTANCE }

    private final java.util.Set<String> vhosts;
    private final java.util.concurrent.CompletableFuture<Void> loaded;

    private RoutingReplica(ActorContext<Command> ctx, ConcurrentHashMap<String, RoutingTable> tables, java.util.Set<String> vhosts,
                           ActorRef<Topic.Command<VersionedChange>> topic, java.util.concurrent.CompletableFuture<Void> loaded) {
        super(ctx);
        this.vhosts = vhosts;
        this.loaded = loaded;
        this.tables = tables;
        this.sharding = ClusterSharding.get(ctx.getSystem());
        this.snapshotAdapter = ctx.messageAdapter(TopologySnapshot.class, Snapshot::new);
        topic.tell(Topic.subscribe(ctx.messageAdapter(VersionedChange.class, Changed::new)));
        for (String vhost : vhosts) {
            tables.putIfAbsent(vhost, RoutingTable.withDefaults(vhost));
            queues.put(vhost, new HashMap<>());
            requestSnapshot(vhost);
        }
    }

    private void requestSnapshot(String vhost) {
        EntityRef<TopologyCommand> entity = sharding.entityRefFor(TopologyEntity.TYPE_KEY, TopologyIds.of(vhost));
        entity.tell(new TopologyCommand.GetSnapshot(snapshotAdapter));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Changed.class, this::onChanged)
                .onMessage(Snapshot.class, this::onSnapshot)
                .onMessage(AwaitVersion.class, this::onAwait)
                .onMessage(Resync.class, r -> { positions.keySet().forEach(this::requestSnapshot); return this; })
                .onMessage(RetryInitial.class, r -> {
                    // Sharding may drop the first requests while the cluster forms: ask again until loaded.
                    for (String v : vhosts) if (!positions.containsKey(v)) requestSnapshot(v);
                    return this;
                })
                .build();
    }

    private Behavior<Command> onChanged(Changed m) {
        VersionedChange c = m.change();
        Position at = positions.get(c.vhost());
        if (at != null && at.epoch() == c.epoch() && c.version() == at.version() + 1) {
            TopologyChanges.apply(tables.get(c.vhost()), queues.get(c.vhost()), c.change());
            positions.put(c.vhost(), new Position(c.epoch(), c.version()));
            wakeWaiters(c.vhost());
        } else if (at == null || at.epoch() != c.epoch() || c.version() > at.version() + 1) {
            requestSnapshot(c.vhost()); // missed something: start over from the whole table
        }
        return this;
    }

    private Behavior<Command> onSnapshot(Snapshot m) {
        TopologySnapshot s = m.snapshot();
        Position at = positions.get(s.vhost());
        if (at != null && at.epoch() == s.epoch() && at.version() >= s.version()) return this;
        Map<String, Boolean> q = new HashMap<>();
        tables.put(s.vhost(), TopologyChanges.fromSnapshot(s, q));
        queues.put(s.vhost(), q);
        positions.put(s.vhost(), new Position(s.epoch(), s.version()));
        wakeWaiters(s.vhost());
        if (!loaded.isDone() && positions.keySet().containsAll(vhosts)) loaded.complete(null);
        return this;
    }

    private Behavior<Command> onAwait(AwaitVersion a) {
        Position at = positions.get(a.vhost());
        if (at != null && at.epoch() == a.epoch() && at.version() >= a.version()) {
            a.whenThere().run();
        } else {
            waiting.computeIfAbsent(a.vhost(), k -> new ArrayList<>()).add(a);
            if (at == null || at.epoch() != a.epoch()) requestSnapshot(a.vhost());
        }
        return this;
    }

    private void wakeWaiters(String vhost) {
        List<AwaitVersion> list = waiting.get(vhost);
        if (list == null) return;
        Position at = positions.get(vhost);
        for (Iterator<AwaitVersion> it = list.iterator(); it.hasNext(); ) {
            AwaitVersion a = it.next();
            if (at.epoch() == a.epoch() && at.version() >= a.version()) {
                it.remove();
                a.whenThere().run();
            } else if (at.epoch() > a.epoch()) {
                it.remove(); // the entity restarted since: the snapshot we hold includes the change or its undoing
                a.whenThere().run();
            }
        }
    }
}
