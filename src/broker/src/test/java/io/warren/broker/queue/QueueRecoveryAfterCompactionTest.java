package io.warren.broker.queue;

import io.warren.broker.protocol.QueueReply;
import io.warren.broker.protocol.QueueCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.broker.WarrenNode;
import io.warren.core.queue.QueueDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.Props;
import org.junit.jupiter.api.Test;

/**
 * The queue writes its own journal, snapshots while writes are in flight and has the {@link JournalCompactor} delete
 * the rows a snapshot covers. After a restart exactly the unacked messages must come back, in order: none lost to a
 * snapshot taken ahead of the journal, none resurrected from deleted rows. Runs a real node on a real H2 journal.
 */
class QueueRecoveryAfterCompactionTest {
    private static final int PUBLISHED = 40_000, ACKED = 30_000;
    private static final String QUEUE = "compacted";
    private static final String PID = "queue|%2F/" + QUEUE;
    private static final Map<String, String> SNAPSHOT_OFTEN = Map.of("warren.persistence.snapshot-every", "500");

    @Test
    void exactlyTheUnackedMessagesComeBackInOrder() throws Exception {
        Path dataDir = Files.createTempDirectory("warren-compaction");
        QueueDefinition def = new QueueDefinition("/", QUEUE, true, false, false, Map.of());

        WarrenNode node = WarrenNode.start(JournalTestNode.config(dataDir, SNAPSHOT_OFTEN));
        long[] snapshotAndLowest;
        try {
            var system = node.system();
            QueueClient queues = new QueueClient(system);
            assertTrue(queues.declare("/", QUEUE, def, "test", false).toCompletableFuture().get(30, TimeUnit.SECONDS) instanceof QueueReply.Ok);
            JournalTestNode.publish(system, queues, QUEUE, PUBLISHED, 500, Integer.MAX_VALUE);

            JournalTestNode.Acked acked = new JournalTestNode.Acked(true);
            var consumer = system.systemActorOf(JournalTestNode.consumer(queues, QUEUE, ACKED, acked), "acker", Props.empty());
            queues.tell("/", QUEUE, new QueueCommand.Consume("test/1", consumer, 1, "c1", false, 1_000, false, 0, "test", false));
            acked.reached.get(120, TimeUnit.SECONDS);
            assertEquals("m1", acked.ids.get(0));
            assertEquals("m" + ACKED, acked.ids.get(ACKED - 1));

            // 40,000 enqueues plus 24,000 acks reach four times the 16,000 messages then held: one snapshot, taken
            // while acks keep coming, then its rows go. Wait for both.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            do {
                Thread.sleep(200);
                snapshotAndLowest = snapshotAndLowest(dataDir);
            } while ((snapshotAndLowest[0] == 0 || snapshotAndLowest[1] < snapshotAndLowest[0]) && System.nanoTime() < deadline);
        } finally {
            node.stop(Duration.ofSeconds(20));
        }
        assertTrue(snapshotAndLowest[0] > 0, "no snapshot was taken");
        assertEquals(snapshotAndLowest[0], snapshotAndLowest[1], "the rows below the snapshot are deleted, its own row kept");

        WarrenNode restarted = WarrenNode.start(JournalTestNode.config(dataDir, SNAPSHOT_OFTEN));
        try {
            var system = restarted.system();
            QueueClient queues = new QueueClient(system);
            QueueReply reply = queues.declare("/", QUEUE, def, "test", true).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(new QueueReply.Ok(PUBLISHED - ACKED, 0), reply);
            JournalTestNode.Acked left = new JournalTestNode.Acked(true);
            var drainer = system.systemActorOf(JournalTestNode.consumer(queues, QUEUE, Long.MAX_VALUE, left), "drainer", Props.empty());
            queues.tell("/", QUEUE, new QueueCommand.Consume("test/1", drainer, 1, "c1", false, 1_000, false, 0, "test", false));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (left.count < PUBLISHED - ACKED && System.nanoTime() < deadline) Thread.sleep(100);
            Thread.sleep(500); // nothing more may come
            List<String> expected = new ArrayList<>();
            for (int n = ACKED + 1; n <= PUBLISHED; n++) expected.add("m" + n);
            assertEquals(expected, new ArrayList<>(left.ids));
        } finally {
            restarted.stop(Duration.ofSeconds(20));
        }
    }

    /** The newest snapshot's sequence number (0 if none) and the lowest journal row's. */
    private static long[] snapshotAndLowest(Path dataDir) throws Exception {
        try (Connection c = JournalTestNode.journal(dataDir)) {
            long[] r = new long[2];
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT COALESCE(MAX(\"sequence_number\"), 0) FROM \"snapshot\" WHERE \"persistence_id\" = '" + PID + "'")) {
                rs.next();
                r[0] = rs.getLong(1);
            }
            try (ResultSet rs = c.createStatement().executeQuery(
                    "SELECT COALESCE(MIN(\"sequence_number\"), 0) FROM \"event_journal\" WHERE \"persistence_id\" = '" + PID + "'")) {
                rs.next();
                r[1] = rs.getLong(1);
            }
            return r;
        }
    }
}
