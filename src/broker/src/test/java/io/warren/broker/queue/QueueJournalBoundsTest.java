package io.warren.broker.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.warren.amqp.BasicProperties;
import io.warren.broker.WarrenNode;
import io.warren.broker.connection.ConnectionProtocol;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * A durable queue that has seen a million persistent messages, all consumed and acked, must recover quickly and
 * keep a bounded journal: snapshots plus event deletion, not a million rows. Runs a real node on a real H2 journal.
 */
class QueueJournalBoundsTest {
    private static final int MESSAGES = Integer.getInteger("bounds.messages", 1_000_000);
    private static final int BATCH = 1_000;
    private static final String QUEUE = "bounded";

    private static Config config(Path dataDir) {
        return ConfigFactory.parseMap(Map.of(
                        "warren.data-dir", dataDir.toString(),
                        "warren.amqp.port", "0",
                        "warren.amqp.host", "127.0.0.1",
                        "warren.cluster.remote-port", "0"))
                .withFallback(ConfigFactory.load());
    }

    /** Stands in for a consuming channel: acks every delivery, in one Settle per batch, and counts them. */
    private static Behavior<ConnectionProtocol> acker(QueueClient queues, AtomicLong delivered, CompletableFuture<Void> all) {
        return Behaviors.receive(ConnectionProtocol.class)
                .onMessage(ConnectionProtocol.Deliver.class, d -> {
                    long[] ids = d.deliveries().stream().mapToLong(QueueDelivery::deliveryId).toArray();
                    queues.tell("/", QUEUE, new QueueCommand.Settle("test/1", ids, new long[0], new long[0]));
                    if (delivered.addAndGet(ids.length) >= MESSAGES) all.complete(null);
                    return Behaviors.same();
                })
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    @Test
    void millionAckedMessagesLeaveABoundedJournalAndRecoverFast() throws Exception {
        Path dataDir = Files.createTempDirectory("warren-bounds");
        QueueDefinition def = new QueueDefinition("/", QUEUE, true, false, false, Map.of());
        BasicProperties persistent = BasicProperties.EMPTY.withDeliveryMode(2);
        ByteString body = ByteString.fromString("sixteen bytes!!!");

        WarrenNode node = WarrenNode.start(config(dataDir));
        long rows;
        try {
            var system = node.system();
            QueueClient queues = new QueueClient(system);
            assertTrue(queues.declare("/", QUEUE, def, "test", false).toCompletableFuture().get(30, TimeUnit.SECONDS) instanceof QueueReply.Ok);

            AtomicLong delivered = new AtomicLong();
            CompletableFuture<Void> allDelivered = new CompletableFuture<>();
            ActorRef<ConnectionProtocol> consumer = system.systemActorOf(acker(queues, delivered, allDelivered), "acker", Props.empty());
            queues.tell("/", QUEUE, new QueueCommand.Consume("test/1", consumer, 1, "c1", false, 20_000, false, 0, "test"));

            // Publish in confirmed batches, a few in flight, as a confirming channel would (channel 0: a plain
            // ask, so the queue sends no incarnation notice to it).
            List<CompletableFuture<ConnectionProtocol.EnqueueSettled>> inFlight = new ArrayList<>();
            for (int b = 0; b < MESSAGES / BATCH; b++) {
                List<Message> batch = new ArrayList<>(BATCH);
                long[] seqs = new long[BATCH];
                for (int i = 0; i < BATCH; i++) {
                    long n = (long) b * BATCH + i + 1;
                    batch.add(new Message("m" + n, "", QUEUE, persistent, body));
                    seqs[i] = n;
                }
                inFlight.add(AskPattern.<QueueCommand, ConnectionProtocol.EnqueueSettled>ask(queues.ref("/", QUEUE),
                        r -> new QueueCommand.Enqueue(batch, seqs, r, 0), Duration.ofSeconds(60), system.scheduler()).toCompletableFuture());
                if (inFlight.size() >= 8) inFlight.remove(0).get(60, TimeUnit.SECONDS);
            }
            for (var f : inFlight) assertEquals(BATCH, f.get(60, TimeUnit.SECONDS).accepted().length);
            allDelivered.get(300, TimeUnit.SECONDS);
            assertEquals(MESSAGES, delivered.get());
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

        WarrenNode restarted = WarrenNode.start(config(dataDir));
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
        String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("journal").resolve("warren") + ";DB_CLOSE_ON_EXIT=FALSE";
        try (Connection c = DriverManager.getConnection(url, "sa", "");
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" = 'queue|%2F/" + QUEUE + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
