package io.warren.broker.queue;

import io.warren.broker.protocol.QueueReply;
import io.warren.broker.protocol.QueueDelivery;
import io.warren.broker.protocol.QueueCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.broker.WarrenNode;
import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.core.queue.QueueDefinition;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * A journal written by Warren before queues persisted through {@link QueueStore} (commit 530b865: an
 * EventSourcedBehavior writing through the journal plugin itself) recovers: its snapshot, the rows after it, the
 * topology. The database in src/test/resources/journal-v1-h2 was made by that build with pika: queue "compat", 120
 * persistent messages m1..m120 with headers {n: i, s: "ä𝄞"}, m1..m100 acked (a snapshot and compaction followed,
 * snapshot-every = 100), then m121..m125.
 */
class EarlierJournalRecoveryTest {
    private static final Map<String, String> SNAPSHOT_EVERY_100 = Map.of("warren.persistence.snapshot-every", "100");

    @Test
    void theUnackedMessagesComeBackWithTheirHeadersAndNewWritesFollowTheOldRows() throws Exception {
        Path dataDir = Files.createTempDirectory("warren-earlier-journal");
        Files.createDirectories(dataDir.resolve("journal"));
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/journal-v1-h2/warren.mv.db.gz"))) {
            Files.copy(in, dataDir.resolve("journal/warren.mv.db"));
        }
        QueueDefinition def = new QueueDefinition("/", "compat", true, false, false, Map.of());

        WarrenNode node = WarrenNode.start(JournalTestNode.config(dataDir, SNAPSHOT_EVERY_100));
        try {
            var system = node.system();
            QueueClient queues = new QueueClient(system);
            assertEquals(new QueueReply.Ok(25, 0),
                    queues.declare("/", "compat", def, "test", true).toCompletableFuture().get(30, TimeUnit.SECONDS));
            List<QueueDelivery> got = Collections.synchronizedList(new ArrayList<>());
            var consumer = system.systemActorOf(Behaviors.receive(ConnectionProtocol.class)
                    .onMessage(ConnectionProtocol.Deliver.class, d -> {
                        long[] ids = d.deliveries().stream().mapToLong(QueueDelivery::deliveryId).toArray();
                        got.addAll(d.deliveries());
                        queues.tell("/", "compat", new QueueCommand.Settle("test/1", ids, new long[0], new long[0]));
                        return Behaviors.same();
                    })
                    .onAnyMessage(m -> Behaviors.same())
                    .build(), "consumer", Props.empty());
            queues.tell("/", "compat", new QueueCommand.Consume("test/1", consumer, 1, "c1", false, 100, false, 0, "test", false));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (got.size() < 25 && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(25, got.size());
            for (int i = 0; i < 25; i++) {
                QueueDelivery d = got.get(i);
                int n = 101 + i;
                assertEquals("m" + n, d.message().body().utf8String());
                assertEquals(n, d.message().properties().headers().get("n"));
                assertEquals("ä𝄞", String.valueOf(d.message().properties().headers().get("s")));
                assertTrue(d.redelivered(), "recovered messages are flagged redelivered");
            }
            // The acks are written after the old rows (sequence numbers continue from them); a graceful stop hands
            // the queue off only once its writes are done, so the restart below shows whether they were written.
        } finally {
            node.stop(Duration.ofSeconds(20));
        }

        WarrenNode restarted = WarrenNode.start(JournalTestNode.config(dataDir, SNAPSHOT_EVERY_100));
        try {
            QueueClient queues = new QueueClient(restarted.system());
            assertEquals(new QueueReply.Ok(0, 0),
                    queues.declare("/", "compat", def, "test", true).toCompletableFuture().get(30, TimeUnit.SECONDS));
        } finally {
            restarted.stop(Duration.ofSeconds(20));
        }
    }
}
