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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.Props;
import org.junit.jupiter.api.Test;

/**
 * A durable queue that has seen a million persistent messages, all consumed and acked, must recover quickly and
 * keep a bounded journal: snapshots plus event deletion, not a million rows. Runs a real node on a real H2 journal.
 */
class QueueJournalBoundsTest {
    private static final int MESSAGES = Integer.getInteger("bounds.messages", 1_000_000);
    private static final String QUEUE = "bounded";

    @Test
    void millionAckedMessagesLeaveABoundedJournalAndRecoverFast() throws Exception {
        Path dataDir = Files.createTempDirectory("warren-bounds");
        QueueDefinition def = new QueueDefinition("/", QUEUE, true, false, false, Map.of());

        WarrenNode node = WarrenNode.start(JournalTestNode.config(dataDir, Map.of()));
        long rows;
        try {
            var system = node.system();
            QueueClient queues = new QueueClient(system);
            assertTrue(queues.declare("/", QUEUE, def, "test", false).toCompletableFuture().get(30, TimeUnit.SECONDS) instanceof QueueReply.Ok);

            JournalTestNode.Acked acked = new JournalTestNode.Acked(false);
            var consumer = system.systemActorOf(JournalTestNode.consumer(queues, QUEUE, MESSAGES, acked), "acker", Props.empty());
            queues.tell("/", QUEUE, new QueueCommand.Consume("test/1", consumer, 1, "c1", false, 20_000, false, 0, "test", false));
            JournalTestNode.publish(system, queues, QUEUE, MESSAGES, 1_000, 8);
            acked.reached.get(300, TimeUnit.SECONDS);
            assertEquals(MESSAGES, acked.count);
            // Compaction follows the snapshot that the last acks trigger, and deletes asynchronously: wait for it.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            do {
                Thread.sleep(500);
                rows = journalRows(dataDir);
            } while (rows >= 10_000 && System.nanoTime() < deadline);
        } finally {
            node.stop(Duration.ofSeconds(20));
        }
        // Snapshots every 20,000 events delete what came before: a few rows at most (a row holds a group commit).
        assertTrue(rows < 10_000, "journal rows left for the queue: " + rows);

        WarrenNode restarted = WarrenNode.start(JournalTestNode.config(dataDir, Map.of()));
        try {
            QueueClient queues = new QueueClient(restarted.system());
            long start = System.nanoTime();
            QueueReply reply = queues.declare("/", QUEUE, def, "test", true).toCompletableFuture().get(30, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(new QueueReply.Ok(0, 0), reply);
            System.out.println("QueueJournalBoundsTest: " + rows + " journal rows after " + MESSAGES
                    + " acked messages; recovery took " + millis + " ms");
            assertTrue(millis < 1_000, "recovery took " + millis + " ms");
        } finally {
            restarted.stop(Duration.ofSeconds(20));
        }
    }

    private static long journalRows(Path dataDir) throws Exception {
        try (Connection c = JournalTestNode.journal(dataDir);
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" = 'queue|%2F/" + QUEUE + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
