package io.warren.broker.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.broker.WarrenNode;
import io.warren.broker.protocol.QueueReply;
import io.warren.core.queue.QueueDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/**
 * A queue entity with no queue in it (deleted, or woken by a command for a queue that does not exist) leaves sharding
 * soon, so that remember-entities does not start it again, and replay its journal, on every failover of its shard.
 * Read through sharding's own public query of the entities a region runs.
 */
class QueueWithoutDefinitionLeavesTest {
    private static final Map<String, String> FREE_PORTS = Map.of("pekko.remote.artery.canonical.port", "0");
    /** FORGET_WITHOUT_QUEUE_AFTER plus room for a loaded host; far below the 60 s an idle durable queue waits. */
    private static final long GONE_WITHIN_MS = QueueEntity.FORGET_WITHOUT_QUEUE_AFTER.toMillis() + 8_000;

    @Test
    void aDeletedQueueLeavesAndAQueueDeclaredAgainStays() throws Exception {
        WarrenNode node = WarrenNode.start(JournalTestNode.config(Files.createTempDirectory("warren-forget"), FREE_PORTS));
        try {
            ActorSystem<?> system = node.system();
            QueueClient queues = new QueueClient(system);
            QueueDefinition durable = new QueueDefinition("/", "deleted", true, false, false, Map.of());
            assertInstanceOf(QueueReply.Ok.class, queues.declare("/", "deleted", durable, "test", false)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS));
            JournalTestNode.publish(system, queues, "deleted", 20, 10, 1);
            QueueDefinition kept = new QueueDefinition("/", "declared-again", true, false, false, Map.of());
            assertInstanceOf(QueueReply.Ok.class, queues.declare("/", "declared-again", kept, "test", false)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS));
            assertTrue(entities(system).contains(QueueIds.of("/", "deleted")), "the queue runs before it is deleted");

            assertInstanceOf(QueueReply.Ok.class, queues.delete("/", "deleted", false, false, "test")
                    .toCompletableFuture().get(30, TimeUnit.SECONDS));
            // Deleted and declared again at once: the entity must keep the new queue, whatever the pending check says.
            assertInstanceOf(QueueReply.Ok.class, queues.delete("/", "declared-again", false, false, "test")
                    .toCompletableFuture().get(30, TimeUnit.SECONDS));
            assertInstanceOf(QueueReply.Ok.class, queues.declare("/", "declared-again", kept, "test", false)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS));
            // A command for a queue that never existed wakes an entity too (and is refused).
            QueueReply passive = queues.declare("/", "never-declared", kept, "test", true)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertFalse(passive instanceof QueueReply.Ok, "a passive declare of a missing queue is refused: " + passive);

            long deadline = System.currentTimeMillis() + GONE_WITHIN_MS;
            Set<String> running = entities(system);
            while ((running.contains(QueueIds.of("/", "deleted")) || running.contains(QueueIds.of("/", "never-declared")))
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
                running = entities(system);
            }
            assertFalse(running.contains(QueueIds.of("/", "deleted")),
                    "a deleted queue's entity still runs " + GONE_WITHIN_MS + " ms after the delete: " + running);
            assertFalse(running.contains(QueueIds.of("/", "never-declared")),
                    "an entity woken for a missing queue still runs: " + running);
            assertTrue(running.contains(QueueIds.of("/", "declared-again")), "the queue declared again left: " + running);
            // ... and it is the new queue, empty and usable.
            JournalTestNode.publish(system, queues, "declared-again", 10, 10, 1);
            QueueReply declared = queues.declare("/", "declared-again", kept, "test", true)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(new QueueReply.Ok(10, 0), declared);
        } finally {
            node.stop(Duration.ofSeconds(20));
        }
    }

    /** The entity ids of every queue entity the node's region runs now. */
    private static Set<String> entities(ActorSystem<?> system) throws Exception {
        ShardRegion.CurrentShardRegionState state = AskPattern.<GetShardRegionState, ShardRegion.CurrentShardRegionState>ask(
                ClusterSharding.get(system).shardState().narrow(),
                replyTo -> new GetShardRegionState(QueueEntity.TYPE_KEY, replyTo), Duration.ofSeconds(10),
                system.scheduler()).toCompletableFuture().get(15, TimeUnit.SECONDS);
        return state.getShards().stream().flatMap(s -> s.getEntityIds().stream()).collect(Collectors.toSet());
    }
}
