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
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * The queue writes its own journal, snapshots while writes are in flight and has the {@link JournalCompactor} delete
 * the rows a snapshot covers. After a restart exactly the unacked messages must come back, in order: none lost to a
 * snapshot taken ahead of the journal, none resurrected from deleted rows. Runs a real node on a real H2 journal.
 */
class QueueRecoveryAfterCompactionTest {
    private static final int PUBLISHED = 40_000, ACKED = 30_000, BATCH = 500;
    private static final String QUEUE = "compacted";
    private static final String PID = "queue|%2F/" + QUEUE;

    private static Config config(Path dataDir) {
        return ConfigFactory.parseMap(Map.of(
                        "warren.data-dir", dataDir.toString(),
                        "warren.amqp.port", "0",
                        "warren.amqp.host", "127.0.0.1",
                        "warren.cluster.remote-port", "0",
                        "warren.persistence.snapshot-every", "500"))
                .withFallback(ConfigFactory.load());
    }

    /** A consuming channel that acks deliveries (in delivery order) until {@code ackUpTo}, recording their ids. */
    private static Behavior<ConnectionProtocol> consumer(QueueClient queues, int ackUpTo, List<String> ids,
                                                         CompletableFuture<Void> done) {
        return Behaviors.receive(ConnectionProtocol.class)
                .onMessage(ConnectionProtocol.Deliver.class, d -> {
                    List<Long> ack = new ArrayList<>();
                    for (QueueDelivery delivery : d.deliveries()) {
                        if (ids.size() >= ackUpTo) break;
                        ids.add(delivery.message().id());
                        ack.add(delivery.deliveryId());
                    }
                    if (!ack.isEmpty()) {
                        queues.tell("/", QUEUE, new QueueCommand.Settle("test/1",
                                ack.stream().mapToLong(Long::longValue).toArray(), new long[0], new long[0]));
                    }
                    if (ids.size() >= ackUpTo) done.complete(null);
                    return Behaviors.same();
                })
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    @Test
    void exactlyTheUnackedMessagesComeBackInOrder() throws Exception {
        Path dataDir = Files.createTempDirectory("warren-compaction");
        QueueDefinition def = new QueueDefinition("/", QUEUE, true, false, false, Map.of());
        BasicProperties persistent = BasicProperties.EMPTY.withDeliveryMode(2);
        ByteString body = ByteString.fromString("sixteen bytes!!!");

        WarrenNode node = WarrenNode.start(config(dataDir));
        long[] snapshotAndLowest;
        try {
            var system = node.system();
            QueueClient queues = new QueueClient(system);
            assertTrue(queues.declare("/", QUEUE, def, "test", false).toCompletableFuture().get(30, TimeUnit.SECONDS) instanceof QueueReply.Ok);
            List<CompletableFuture<ConnectionProtocol.EnqueueSettled>> inFlight = new ArrayList<>();
            for (int b = 0; b < PUBLISHED / BATCH; b++) {
                List<Message> batch = new ArrayList<>(BATCH);
                long[] seqs = new long[BATCH];
                for (int i = 0; i < BATCH; i++) {
                    long n = (long) b * BATCH + i + 1;
                    batch.add(new Message("m" + n, "", QUEUE, persistent, body));
                    seqs[i] = n;
                }
                inFlight.add(AskPattern.<QueueCommand, ConnectionProtocol.EnqueueSettled>ask(queues.ref("/", QUEUE),
                        r -> new QueueCommand.Enqueue(batch, seqs, r, 0), Duration.ofSeconds(60), system.scheduler()).toCompletableFuture());
            }
            for (var f : inFlight) assertEquals(BATCH, f.get(60, TimeUnit.SECONDS).accepted().length);

            List<String> acked = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> allAcked = new CompletableFuture<>();
            ActorRef<ConnectionProtocol> c = system.systemActorOf(consumer(queues, ACKED, acked, allAcked), "acker", Props.empty());
            queues.tell("/", QUEUE, new QueueCommand.Consume("test/1", c, 1, "c1", false, 1_000, false, 0, "test"));
            allAcked.get(120, TimeUnit.SECONDS);
            assertEquals("m1", acked.get(0));
            assertEquals("m" + ACKED, acked.get(ACKED - 1));

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

        WarrenNode restarted = WarrenNode.start(config(dataDir));
        try {
            var system = restarted.system();
            QueueClient queues = new QueueClient(system);
            QueueReply reply = queues.declare("/", QUEUE, def, "test", true).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(new QueueReply.Ok(PUBLISHED - ACKED, 0), reply);
            List<String> left = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> all = new CompletableFuture<>();
            ActorRef<ConnectionProtocol> c = system.systemActorOf(consumer(queues, Integer.MAX_VALUE, left, all), "drainer", Props.empty());
            queues.tell("/", QUEUE, new QueueCommand.Consume("test/1", c, 1, "c1", false, 1_000, false, 0, "test"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (left.size() < PUBLISHED - ACKED && System.nanoTime() < deadline) Thread.sleep(100);
            Thread.sleep(500); // nothing more may come
            List<String> expected = new ArrayList<>();
            for (int n = ACKED + 1; n <= PUBLISHED; n++) expected.add("m" + n);
            assertEquals(expected, new ArrayList<>(left));
        } finally {
            restarted.stop(Duration.ofSeconds(20));
        }
    }

    /** The newest snapshot's sequence number (0 if none) and the lowest journal row's. */
    private static long[] snapshotAndLowest(Path dataDir) throws Exception {
        String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("journal").resolve("warren") + ";DB_CLOSE_ON_EXIT=FALSE";
        try (Connection c = DriverManager.getConnection(url, "sa", "")) {
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
