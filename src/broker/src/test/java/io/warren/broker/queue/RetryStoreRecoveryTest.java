package io.warren.broker.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.BasicProperties;
import io.warren.broker.WarrenNode;
import io.warren.broker.alarm.ResourceAlarms;
import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.broker.protocol.QueueCommand;
import io.warren.broker.protocol.QueueReply;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * A failed write is retried by a new {@link QueueStore} that reads only the journal's highest sequence number, not
 * the queue's whole journal: with 100,000 messages held, the retry store hands over no state at the same sequence
 * number a full recovery reaches, and a write that failed while the journal table was gone is confirmed soon after it is
 * free, without a replay. Prints "retry store recovery: ..." with the times of a full and a sequence-only recovery
 * and of the confirm.
 */
class RetryStoreRecoveryTest {
    private static final String QUEUE = "big";
    private static final int MESSAGES = 100_000;
    private static final Map<String, String> FREE_PORTS = Map.of("pekko.remote.artery.canonical.port", "0");

    @Test
    void aRetryStoreReadsOnlyTheSequenceNumber() throws Exception {
        Path dataDir = Files.createTempDirectory("warren-retry-store");
        QueueDefinition def = new QueueDefinition("/", QUEUE, true, false, false, Map.of());
        WarrenNode node = WarrenNode.start(JournalTestNode.config(dataDir, FREE_PORTS));
        try {
            ActorSystem<?> system = node.system();
            QueueClient queues = new QueueClient(system);
            assertTrue(queues.declare("/", QUEUE, def, "test", false).toCompletableFuture().get(30, TimeUnit.SECONDS) instanceof QueueReply.Ok);
            JournalTestNode.publish(system, queues, QUEUE, MESSAGES, 1_000, 4);

            long fullStart = System.nanoTime();
            QueueInternal.Recovered full = recover(system, false);
            long fullMillis = (System.nanoTime() - fullStart) / 1_000_000;
            long seqStart = System.nanoTime();
            QueueInternal.Recovered sequenceOnly = recover(system, true);
            long seqMillis = (System.nanoTime() - seqStart) / 1_000_000;

            assertEquals(MESSAGES, full.holder().state.messageCount(), "a full recovery replays every message");
            assertTrue(full.seqNr() > 0);
            assertEquals(full.seqNr(), sequenceOnly.seqNr(), "the retry store continues at the journal's highest sequence number");
            assertNull(sequenceOnly.holder().state, "the retry store replays nothing");

            // End to end: the journal table goes away for a while, so the write fails, and so does every retry
            // store's recovery; once it is back, the next retry store finds the sequence number and writes again.
            List<Message> one = List.of(new Message("late", "", QUEUE, BasicProperties.EMPTY.withDeliveryMode(2),
                    ByteString.fromString("late")));
            CompletableFuture<ConnectionProtocol.EnqueueSettled> confirm;
            var writes = ResourceAlarms.get(system).journal().writes();
            try (Connection c = JournalTestNode.journal(dataDir); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE \"event_journal\" RENAME TO \"event_journal_away\"");
                confirm = AskPattern.<QueueCommand, ConnectionProtocol.EnqueueSettled>ask(queues.ref("/", QUEUE),
                        r -> new QueueCommand.Enqueue(one, new long[] {1}, r, 0), Duration.ofSeconds(60),
                        system.scheduler()).toCompletableFuture();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (writes.failures() < 3 && System.nanoTime() < until) Thread.sleep(20);
                assertTrue(writes.failures() >= 3, "the write and its retries failed meanwhile: " + writes.failures());
                assertTrue(!confirm.isDone(), "confirmed while the journal could not be written");
                s.execute("ALTER TABLE \"event_journal_away\" RENAME TO \"event_journal\"");
            }
            long freedAt = System.nanoTime();
            assertEquals(1, confirm.get(60, TimeUnit.SECONDS).accepted().length);
            System.out.printf("retry store recovery: %d messages held; full recovery %d ms, sequence-only recovery %d ms; "
                    + "the failed write confirmed %d ms after the journal table was back%n", MESSAGES, fullMillis, seqMillis,
                    (System.nanoTime() - freedAt) / 1_000_000);
        } finally {
            node.stop(Duration.ofSeconds(20));
        }
    }

    /** Starts a store on the queue's journal (beside the queue's own, reading only) and returns what it hands over. */
    private static QueueInternal.Recovered recover(ActorSystem<?> system, boolean sequenceOnly) throws Exception {
        CompletableFuture<QueueInternal.Recovered> recovered = new CompletableFuture<>();
        String pid = "queue|" + QueueIds.of("/", QUEUE);
        system.systemActorOf(Behaviors.<QueueCommand>setup(ctx -> {
            ActorRef<QueueCommand> self = ctx.getSelf();
            Adapter.actorOf(ctx, org.apache.pekko.actor.Props.create(QueueStore.class,
                    () -> new QueueStore(pid, self, sequenceOnly)), "store");
            return Behaviors.receive(QueueCommand.class)
                    .onMessage(QueueInternal.Recovered.class, r -> {
                        recovered.complete(r);
                        return Behaviors.stopped(); // and the store with it
                    })
                    .build();
        }), "recover-" + sequenceOnly, org.apache.pekko.actor.typed.Props.empty());
        return recovered.get(60, TimeUnit.SECONDS);
    }
}
