package io.warren.broker.queue;

import io.warren.broker.protocol.QueueDelivery;
import io.warren.broker.protocol.QueueCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.warren.amqp.BasicProperties;
import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.core.queue.Message;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;

/** What the journal tests share: a node on a private H2 journal, publishing persistent messages, a consumer. */
final class JournalTestNode {
    private JournalTestNode() {}

    /** A single node on its own data directory and free ports, with these warren.* settings on top. */
    static Config config(Path dataDir, Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of(
                "warren.data-dir", dataDir.toString(),
                "warren.amqp.port", "0",
                "warren.amqp.host", "127.0.0.1",
                "warren.cluster.remote-port", "0"));
        all.putAll(settings);
        return ConfigFactory.parseMap(all).withFallback(ConfigFactory.load());
    }

    /** The node's journal database, for checking what is stored. */
    static Connection journal(Path dataDir) throws SQLException {
        String url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("journal").resolve("warren") + ";DB_CLOSE_ON_EXIT=FALSE";
        return DriverManager.getConnection(url, "sa", "");
    }

    /**
     * Publishes persistent messages m1…m{count} in confirmed batches, at most {@code inFlight} batches unanswered, as a
     * confirming channel would (channel 0: a plain ask, so the queue sends no incarnation notice), and checks that
     * every one was accepted.
     */
    static void publish(ActorSystem<?> system, QueueClient queues, String queue, int count, int batchSize, int inFlight)
            throws Exception {
        BasicProperties persistent = BasicProperties.EMPTY.withDeliveryMode(2);
        ByteString body = ByteString.fromString("sixteen bytes!!!");
        List<CompletableFuture<ConnectionProtocol.EnqueueSettled>> pending = new ArrayList<>();
        for (int b = 0; b < count / batchSize; b++) {
            List<Message> batch = new ArrayList<>(batchSize);
            long[] seqs = new long[batchSize];
            for (int i = 0; i < batchSize; i++) {
                long n = (long) b * batchSize + i + 1;
                batch.add(new Message("m" + n, "", queue, persistent, body));
                seqs[i] = n;
            }
            pending.add(AskPattern.<QueueCommand, ConnectionProtocol.EnqueueSettled>ask(queues.ref("/", queue),
                    r -> new QueueCommand.Enqueue(batch, seqs, r, 0), Duration.ofSeconds(60), system.scheduler()).toCompletableFuture());
            if (pending.size() >= inFlight) assertEquals(batchSize, pending.remove(0).get(60, TimeUnit.SECONDS).accepted().length);
        }
        for (var f : pending) assertEquals(batchSize, f.get(60, TimeUnit.SECONDS).accepted().length);
    }

    /** Counts what a {@link #consumer} acked, and the acked messages' ids when asked to keep them. */
    static final class Acked {
        final List<String> ids;
        volatile long count;
        final CompletableFuture<Void> reached = new CompletableFuture<>();

        Acked(boolean keepIds) {
            this.ids = keepIds ? java.util.Collections.synchronizedList(new ArrayList<>()) : null;
        }
    }

    /**
     * A consuming channel on "test/1" that acks deliveries in delivery order until {@code ackUpTo}, in one Settle each,
     * and reports every delivery written (the queue's write window, see QueueConsumer.WRITE_WINDOW).
     */
    static Behavior<ConnectionProtocol> consumer(QueueClient queues, String queue, long ackUpTo, Acked acked) {
        return Behaviors.receive(ConnectionProtocol.class)
                .onMessage(ConnectionProtocol.Deliver.class, d -> {
                    int n = (int) Math.min(d.deliveries().size(), Math.max(0, ackUpTo - acked.count));
                    if (n > 0) {
                        long[] ids = new long[n];
                        for (int i = 0; i < n; i++) {
                            QueueDelivery delivery = d.deliveries().get(i);
                            ids[i] = delivery.deliveryId();
                            if (acked.ids != null) acked.ids.add(delivery.message().id());
                        }
                        queues.tell("/", queue, new QueueCommand.Settle("test/1", ids, new long[0], new long[0]));
                        acked.count += n;
                    }
                    if (acked.count >= ackUpTo) acked.reached.complete(null);
                    // As a channel does once the socket took them: the queue's write window comes back.
                    queues.tell("/", queue, new QueueCommand.NoAckWritten("test/1", d.deliveries().get(0).consumerTag(), d.deliveries().size()));
                    return Behaviors.same();
                })
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }
}
