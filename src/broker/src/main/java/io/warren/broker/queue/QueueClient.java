package io.warren.broker.queue;

import io.warren.broker.protocol.QueueReply;
import io.warren.broker.protocol.QueueDelivery;
import io.warren.broker.protocol.QueueCommand;
import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.core.queue.QueueDefinition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/** How channels reach queue entities through sharding, wherever in the cluster they live. */
public final class QueueClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ClusterSharding sharding;
    /** connection id → its exclusive queues (vhost, name), deleted when it closes. */
    private final Map<String, Set<QueueIds.Name>> exclusiveQueues = new ConcurrentHashMap<>();

    public QueueClient(ActorSystem<?> system) {
        this.sharding = ClusterSharding.get(system);
    }

    /** Every publish and ack looks its queue up here: the URL-encoded entity id costs more than the send. */
    private final Map<QueueIds.Name, EntityRef<QueueCommand>> refs = new ConcurrentHashMap<>();
    private static final int MAX_CACHED_REFS = 10_000;

    public EntityRef<QueueCommand> ref(String vhost, String queue) {
        QueueIds.Name key = new QueueIds.Name(vhost, queue);
        EntityRef<QueueCommand> ref = refs.get(key);
        if (ref == null) {
            if (refs.size() >= MAX_CACHED_REFS) refs.clear(); // a plain bound: refs are cheap to make again
            ref = sharding.entityRefFor(QueueEntity.TYPE_KEY, QueueIds.of(vhost, queue));
            refs.put(key, ref);
        }
        return ref;
    }

    public void tell(String vhost, String queue, QueueCommand command) {
        ref(vhost, queue).tell(command);
    }

    public void enqueue(String vhost, String queue, QueueCommand.Enqueue enqueue) {
        ref(vhost, queue).tell(enqueue);
    }

    public CompletionStage<QueueReply> declare(String vhost, String queue, QueueDefinition def, String owner, boolean passive) {
        return ref(vhost, queue).ask(r -> new QueueCommand.Declare(def, owner, passive, r), TIMEOUT);
    }

    public CompletionStage<QueueReply> purge(String vhost, String queue, String owner) {
        return ref(vhost, queue).ask(r -> new QueueCommand.Purge(owner, r), TIMEOUT);
    }

    /** Ok unless {@code queue} is another connection's exclusive queue (see {@link QueueCommand.CheckExclusive}). */
    public CompletionStage<QueueReply> checkExclusive(String vhost, String queue, String owner) {
        return ref(vhost, queue).ask(r -> new QueueCommand.CheckExclusive(owner, r), TIMEOUT);
    }

    public CompletionStage<QueueReply> delete(String vhost, String queue, boolean ifUnused, boolean ifEmpty, String owner) {
        return ref(vhost, queue).ask(r -> new QueueCommand.Delete(ifUnused, ifEmpty, owner, r), TIMEOUT);
    }

    public CompletionStage<QueueReply> get(String vhost, String queue, String channelId, ActorRef<ConnectionProtocol> connection,
                                           int channel, boolean noAck, String owner) {
        return ref(vhost, queue).ask(r -> new QueueCommand.Get(channelId, connection, channel, noAck, owner, r), TIMEOUT);
    }

    /** Deliveries that reached a channel which had gone: give them back untouched. */
    public void returnUnwanted(String vhost, String queue, String channelId, List<QueueDelivery> deliveries) {
        long[] ids = deliveries.stream().mapToLong(QueueDelivery::deliveryId).toArray();
        tell(vhost, queue, new QueueCommand.Settle(channelId, new long[0], ids, new long[0]));
    }

    public void ownedBy(String connectionId, String vhost, String queue) {
        exclusiveQueues.computeIfAbsent(connectionId, k -> ConcurrentHashMap.newKeySet()).add(new QueueIds.Name(vhost, queue));
    }

    public void deleteExclusiveQueues(String vhost, String connectionId) {
        Set<QueueIds.Name> owned = exclusiveQueues.remove(connectionId);
        if (owned == null) return;
        for (QueueIds.Name q : owned) tell(q.vhost(), q.queue(), new QueueCommand.OwnerClosed(connectionId));
    }
}
