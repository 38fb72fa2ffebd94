package io.warren.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three real cluster nodes in one JVM with Warren's downing provider; one of them stops without leaving (its
 * remoting port then refuses connections, as after kill -9). The heartbeat failure detector is set to wait 60 s,
 * so only the crash path can get the node removed quickly: downed on refused connects, marked terminated, removed
 * by the leader. Without {@link CrashedMemberRemoval} the removal waits for the failure detector.
 */
class CrashedMemberRemovalTest {
    private static final Duration FORM = Duration.ofSeconds(60);
    /** Far below the failure detector's 60 s; the crash path takes about a second on an idle machine. */
    private static final Duration REMOVED_WITHIN = Duration.ofSeconds(15);

    private final List<ActorSystem<Void>> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        for (ActorSystem<Void> node : nodes) node.terminate();
        for (ActorSystem<Void> node : nodes) node.getWhenTerminated().toCompletableFuture().join();
    }

    @Test
    void crashedMemberIsRemovedWithoutWaitingForTheFailureDetector() throws Exception {
        Config config = ConfigFactory.parseString("""
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.sharding.remember-entities = off
                pekko.cluster.jmx.enabled = off
                pekko.loglevel = WARNING
                # the crashed node stops without leaving; the survivors are stopped the same way at the end
                pekko.coordinated-shutdown.run-by-actor-system-terminate = off
                pekko.cluster.failure-detector.acceptable-heartbeat-pause = 60s
                # a stall of this test JVM must not end it
                warren.cluster.failover.exit-when-downed = off
                """).withFallback(ConfigFactory.load());
        for (int i = 0; i < 3; i++) nodes.add(ActorSystem.create(Behaviors.empty(), "warren", config));
        Address seed = Cluster.get(nodes.get(0)).selfMember().address();
        for (ActorSystem<Void> node : nodes) Cluster.get(node).manager().tell(Join.create(seed));
        await(FORM, "three members up", () -> nodes.stream().allMatch(n -> members(n, MemberStatus.up()) == 3));

        ActorSystem<Void> crashed = nodes.remove(2);
        Address crashedAddress = Cluster.get(crashed).selfMember().address();
        crashed.terminate();
        crashed.getWhenTerminated().toCompletableFuture().join();
        long stopped = System.nanoTime();

        await(REMOVED_WITHIN, "the crashed member removed by both survivors", () -> nodes.stream().allMatch(n ->
                StreamSupport.stream(Cluster.get(n).state().getMembers().spliterator(), false)
                        .noneMatch(m -> m.address().equals(crashedAddress))));
        long tookMillis = (System.nanoTime() - stopped) / 1_000_000;
        System.out.println("crashed member removed " + tookMillis + " ms after its actor system stopped");
        assertTrue(nodes.stream().allMatch(n -> members(n, MemberStatus.up()) == 2), "both survivors stay up");
    }

    private static long members(ActorSystem<?> node, MemberStatus status) {
        return StreamSupport.stream(Cluster.get(node).state().getMembers().spliterator(), false)
                .filter(m -> m.status() == status).count();
    }

    private static void await(Duration within, String what, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + within.toSeconds() + " s: " + what);
            Thread.sleep(50);
        }
    }
}
