package io.warren.broker.queue;

import io.warren.broker.protocol.QueueReply;
import io.warren.broker.protocol.QueueCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.BasicProperties;
import io.warren.broker.WarrenNode;
import io.warren.broker.alarm.JournalAlarm;
import io.warren.broker.alarm.ResourceAlarms;
import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * The journal alarm on a real node and a real H2 journal: another session takes the database exclusively (H2's
 * {@code SET EXCLUSIVE 1}: other sessions' statements wait, new connections are refused), so the queue's write hangs
 * and then fails. The alarm goes up within 2 s; the queue keeps the write and retries it instead of stopping; once
 * the database is free again the write succeeds, the confirm comes, the alarm clears, and the messages survive a
 * restart.
 */
class JournalAlarmTest {
    private static final String QUEUE = "alarmed";
    /** Any free remoting port: the machine may run other nodes on the default one. */
    private static final Map<String, String> FREE_PORTS = Map.of("pekko.remote.artery.canonical.port", "0");

    @Test
    void aStuckJournalRaisesTheAlarmAndTheQueueWritesOnceItIsBack() throws Exception {
        Path dataDir = Files.createTempDirectory("warren-journal-alarm");
        QueueDefinition def = new QueueDefinition("/", QUEUE, true, false, false, Map.of());
        WarrenNode node = WarrenNode.start(JournalTestNode.config(dataDir, FREE_PORTS));
        try {
            var system = node.system();
            JournalAlarm alarm = ResourceAlarms.get(system).journal();
            QueueClient queues = new QueueClient(system);
            assertTrue(queues.declare("/", QUEUE, def, "test", false).toCompletableFuture().get(30, TimeUnit.SECONDS) instanceof QueueReply.Ok);
            JournalTestNode.publish(system, queues, QUEUE, 100, 10, 1);
            assertFalse(alarm.raised(), alarm.reason());

            CompletableFuture<ConnectionProtocol.EnqueueSettled> stuck;
            long takenAt;
            try (Connection exclusive = JournalTestNode.journal(dataDir); Statement s = exclusive.createStatement()) {
                s.execute("SET EXCLUSIVE 1");
                takenAt = System.nanoTime();
                stuck = enqueue(system, queues, "late");
                while (!alarm.raised() && System.nanoTime() - takenAt < TimeUnit.SECONDS.toNanos(5)) Thread.sleep(20);
                long raisedAfterMillis = (System.nanoTime() - takenAt) / 1_000_000;
                assertTrue(alarm.raised() && raisedAfterMillis <= 2_000, "alarm raised after " + raisedAfterMillis + " ms");
                Thread.sleep(3_000); // long enough for writes to fail and be retried
                assertFalse(stuck.isDone(), "confirmed while the journal could not write");
                assertTrue(alarm.raised(), "still raised while the journal is stuck");
                s.execute("SET EXCLUSIVE 0");
            }
            long freedAt = System.nanoTime();
            assertEquals(1, stuck.get(10, TimeUnit.SECONDS).accepted().length);
            long confirmedAfterMillis = (System.nanoTime() - freedAt) / 1_000_000;
            while (alarm.raised() && System.nanoTime() - freedAt < TimeUnit.SECONDS.toNanos(10)) Thread.sleep(20);
            assertFalse(alarm.raised(), "cleared once the journal writes again: " + alarm.reason());
            assertEquals(2, alarm.transitions(), "raised once and cleared once");
            assertTrue(confirmedAfterMillis <= 5_000, "confirmed " + confirmedAfterMillis + " ms after the journal was free");

            // A failing write, not a hanging one: closing the database breaks every pooled connection.
            try (Connection c = JournalTestNode.journal(dataDir); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            }
            long brokenAt = System.nanoTime();
            CompletableFuture<ConnectionProtocol.EnqueueSettled> retried = enqueue(system, queues, "retried");
            assertEquals(1, retried.get(10, TimeUnit.SECONDS).accepted().length);
            System.out.printf("journal alarm test: stuck journal alarmed, confirmed %d ms after it was free; a broken pool "
                    + "confirmed after %d ms, %d failed writes%n", confirmedAfterMillis, (System.nanoTime() - brokenAt) / 1_000_000,
                    alarm.writes().failures());
        } finally {
            node.stop(Duration.ofSeconds(20));
        }

        WarrenNode again = WarrenNode.start(JournalTestNode.config(dataDir, FREE_PORTS));
        try {
            QueueClient queues = new QueueClient(again.system());
            QueueReply reply = queues.declare("/", QUEUE, def, "test", true).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(102, ((QueueReply.Ok) reply).messageCount(), "every confirmed message survives a restart");
        } finally {
            again.stop(Duration.ofSeconds(20));
        }
    }

    private static CompletableFuture<ConnectionProtocol.EnqueueSettled> enqueue(
            org.apache.pekko.actor.typed.ActorSystem<?> system, QueueClient queues, String id) {
        List<Message> batch = new ArrayList<>(List.of(new Message(id, "", QUEUE,
                BasicProperties.EMPTY.withDeliveryMode(2), ByteString.fromString("late"))));
        return AskPattern.<QueueCommand, ConnectionProtocol.EnqueueSettled>ask(queues.ref("/", QUEUE),
                r -> new QueueCommand.Enqueue(batch, new long[] {1}, r, 0), Duration.ofSeconds(60), system.scheduler())
                .toCompletableFuture();
    }
}
