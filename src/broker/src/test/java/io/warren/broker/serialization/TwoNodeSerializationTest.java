package io.warren.broker.serialization;

import static io.warren.broker.serialization.DeepEquality.assertDeepEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.warren.amqp.BasicProperties;
import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.broker.protocol.QueueCommand;
import io.warren.broker.protocol.QueueDelivery;
import io.warren.core.queue.Message;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two real nodes in one JVM, Warren's remoting settings from reference.conf. Messages of more than the ordinary
 * lane's frame size (2 MiB) only arrive if the recipient is on the large-message lane, so these tests prove both
 * the serializer across a real wire and the large-message-destinations paths.
 */
class TwoNodeSerializationTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int TWO_MIB = 2 * 1024 * 1024;

    private static ActorSystem<Void> nodeA;
    private static ActorSystem<Void> nodeB;

    @BeforeAll
    static void startCluster() throws InterruptedException {
        Config config = ConfigFactory.parseString("""
                pekko.remote.artery.canonical.port = 0
                # the eventsourced remember-entities store would need the journal; sharding here needs no persistence
                pekko.cluster.sharding.remember-entities = off
                pekko.cluster.jmx.enabled = off
                pekko.loglevel = WARNING
                # leaving the cluster gracefully at the end would only cost the test seconds
                pekko.coordinated-shutdown.run-by-actor-system-terminate = off
                # both nodes live in the test's JVM: one downed while they stop (the other's crash probe) must not
                # halt it, as a downed Warren process does (exit code 3)
                warren.cluster.failover.exit-when-downed = off
                """).withFallback(ConfigFactory.load());
        nodeA = ActorSystem.create(Behaviors.empty(), "warren", config);
        nodeB = ActorSystem.create(Behaviors.empty(), "warren", config);
        Cluster.get(nodeA).manager().tell(Join.create(Cluster.get(nodeA).selfMember().address()));
        Cluster.get(nodeB).manager().tell(Join.create(Cluster.get(nodeA).selfMember().address()));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (upMembers(nodeA) < 2 || upMembers(nodeB) < 2) {
            if (System.nanoTime() > deadline) throw new AssertionError("the two nodes did not form a cluster");
            Thread.sleep(100);
        }
    }

    private static long upMembers(ActorSystem<?> node) {
        return java.util.stream.StreamSupport.stream(Cluster.get(node).state().getMembers().spliterator(), false)
                .filter(m -> m.status() == MemberStatus.up()).count();
    }

    @AfterAll
    static void stopCluster() {
        if (nodeB != null) nodeB.terminate();
        if (nodeA != null) nodeA.terminate();
        if (nodeB != null) nodeB.getWhenTerminated().toCompletableFuture().join();
        if (nodeA != null) nodeA.getWhenTerminated().toCompletableFuture().join();
    }

    private static Message bigMessage(String id, int seed) {
        return new Message(id, "amq.direct", "rk", BasicProperties.EMPTY.withDeliveryMode(2), Samples.body(TWO_MIB, seed));
    }

    /** Forwards everything to a probe, as a stand-in connection actor. */
    private static <T> Behavior<T> forwardTo(ActorRef<Object> probe) {
        return Behaviors.receiveMessage(m -> {
            probe.tell(m);
            return Behaviors.same();
        });
    }

    /** A stand-in queue on node B: reports what it got, settles it and delivers the messages back. */
    private static Behavior<QueueCommand> echoQueue(ActorRef<Object> probe) {
        return Behaviors.receiveMessage(m -> {
            probe.tell(m);
            if (m instanceof QueueCommand.Enqueue e) {
                e.replyTo().tell(new ConnectionProtocol.EnqueueSettled(e.channel(), "q", e.publishSeqs(), new long[0]));
                ActorRef<ConnectionProtocol.ToChannel> channel = Samples.cast(e.replyTo());
                channel.tell(new ConnectionProtocol.Deliver(e.channel(), "q",
                        e.messages().stream().map(msg -> new QueueDelivery("ctag", 1, msg, false, 0)).toList()));
            }
            return Behaviors.same();
        });
    }

    /** Spawns the actor where ConnectionSupervisor puts connection actors: /system/amqp-connections/<name>. */
    private static <T> ActorRef<T> underConnections(org.apache.pekko.actor.typed.ActorSystem<?> system,
                                                    org.apache.pekko.actor.typed.Behavior<T> child, String name) {
        java.util.concurrent.CompletableFuture<ActorRef<T>> ref = new java.util.concurrent.CompletableFuture<>();
        system.systemActorOf(Behaviors.<Void>setup(ctx -> {
            ref.complete(ctx.spawn(child, name));
            return Behaviors.empty();
        }), "amqp-connections", Props.empty());
        return ref.join();
    }

    @Test
    void twoMebibyteEnqueueAndDeliverCrossBetweenConnectionActors() {
        TestProbe<Object> onA = TestProbe.create(nodeA);
        TestProbe<Object> onB = TestProbe.create(nodeB);
        // Named as AmqpListener names connection actors, so the large-message-destinations path is the real one.
        ActorRef<ConnectionProtocol.EnqueueSettled> connectionOnA = underConnections(nodeA, forwardTo(onA.ref()), "c9001");
        ActorRef<QueueCommand> queueOnB = underConnections(nodeB, echoQueue(onB.ref()), "c9002");
        ActorRef<QueueCommand> queueSeenFromA = ActorRefResolver.get(nodeA).resolveActorRef(
                ActorRefResolver.get(nodeB).toSerializationFormat(queueOnB));

        Message sent = bigMessage("node-a/1/1", 3);
        QueueCommand.Enqueue enqueue = new QueueCommand.Enqueue(List.of(sent), new long[] {1}, connectionOnA, 5);
        int frameSize = (int) nodeA.settings().config().getBytes("pekko.remote.artery.advanced.maximum-frame-size").longValue();
        int serialized = SerializationExtension.get(Adapter.toClassic(nodeA)).serialize(enqueue).get().length;
        assertTrue(serialized > frameSize, "the message must be too big for the ordinary lane: " + serialized);

        queueSeenFromA.tell(enqueue);

        QueueCommand.Enqueue received = onB.expectMessageClass(QueueCommand.Enqueue.class, WAIT);
        assertDeepEquals(sent, received.messages().get(0));
        assertEquals(sent.body(), received.messages().get(0).body());
        assertEquals(5, received.channel());
        assertEquals(connectionOnA.path().toStringWithoutAddress(), received.replyTo().path().toStringWithoutAddress());
        assertEquals(Cluster.get(nodeA).selfMember().address(), received.replyTo().path().address(),
                "the reply ref must point back at node A");

        ConnectionProtocol.EnqueueSettled settled = onA.expectMessageClass(ConnectionProtocol.EnqueueSettled.class, WAIT);
        assertEquals(1, settled.accepted().length);
        assertEquals(1L, settled.accepted()[0]);
        ConnectionProtocol.Deliver delivered = onA.expectMessageClass(ConnectionProtocol.Deliver.class, WAIT);
        assertDeepEquals(sent, delivered.deliveries().get(0).message());
    }

    /** An entity that says where it runs and whether the body is the one the test generated for it. */
    private static Behavior<QueueCommand> checkingEntity(String entityId, String node) {
        return Behaviors.receiveMessage(m -> {
            if (m instanceof QueueCommand.Enqueue e) {
                ByteString expected = Samples.body(TWO_MIB, entityId.hashCode());
                boolean intact = e.messages().size() == 1 && e.messages().get(0).body().equals(expected);
                e.replyTo().tell(new ConnectionProtocol.EnqueueSettled(e.channel(), entityId + "@" + node,
                        intact ? e.publishSeqs() : new long[0], intact ? new long[0] : e.publishSeqs()));
            }
            return Behaviors.same();
        });
    }

    @Test
    void twoMebibyteEnqueueReachesShardedQueuesOnTheOtherNode() {
        EntityTypeKey<QueueCommand> key = EntityTypeKey.create(QueueCommand.class, "queue");
        for (ActorSystem<Void> node : List.of(nodeA, nodeB)) {
            String address = Cluster.get(node).selfMember().address().toString();
            ClusterSharding.get(node).init(Entity.of(key, ctx -> checkingEntity(ctx.getEntityId(), address)));
        }
        TestProbe<ConnectionProtocol.EnqueueSettled> replies = TestProbe.create(nodeA);
        int entities = 8;
        for (int i = 0; i < entities; i++) {
            String id = "queue-" + i;
            Message m = new Message("a/1/" + i, "", id, BasicProperties.EMPTY, Samples.body(TWO_MIB, id.hashCode()));
            ClusterSharding.get(nodeA).entityRefFor(key, id)
                    .tell(new QueueCommand.Enqueue(List.of(m), new long[] {i + 1}, replies.ref(), 1));
        }
        Set<String> nodesHit = new HashSet<>();
        for (int i = 0; i < entities; i++) {
            ConnectionProtocol.EnqueueSettled s = replies.expectMessageClass(ConnectionProtocol.EnqueueSettled.class, WAIT);
            assertEquals(0, s.rejected().length, s.queue() + " got a damaged body");
            assertEquals(1, s.accepted().length, s.queue());
            nodesHit.add(s.queue().substring(s.queue().indexOf('@') + 1));
        }
        assertTrue(nodesHit.contains(Cluster.get(nodeB).selfMember().address().toString()),
                "no entity landed on node B, so nothing crossed nodes: " + nodesHit);
    }
}
