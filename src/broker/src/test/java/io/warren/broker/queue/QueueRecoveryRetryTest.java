package io.warren.broker.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.warren.broker.WarrenNode;
import io.warren.broker.protocol.QueueReply;
import io.warren.core.queue.QueueDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A queue whose journal cannot be read when it starts (the database is down, or as here a row it cannot read) does
 * not fail into sharding's restart every second: it retries its recovery itself, 200 ms doubling to 2 s, with the
 * command that woke it waiting, logs one line when it starts failing and one when it recovers, and answers that
 * command once its journal can be read.
 */
class QueueRecoveryRetryTest {
    private static final String QUEUE = "unreadable";
    private static final Map<String, String> FREE_PORTS = Map.of("pekko.remote.artery.canonical.port", "0");

    @Test
    void aQueueThatCannotRecoverRetriesItselfAndLogsOnce() throws Exception {
        Path dataDir = Files.createTempDirectory("warren-recovery-retry");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        log.start();
        root.addAppender(log);
        WarrenNode node = WarrenNode.start(JournalTestNode.config(dataDir, FREE_PORTS));
        try {
            String pid = "queue|" + QueueIds.of("/", QUEUE);
            try (Connection c = JournalTestNode.journal(dataDir); PreparedStatement s = c.prepareStatement(
                    "INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", \"write_timestamp\","
                            + " \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\")"
                            + " VALUES (?, 1, 'test', 0, '', X'00', 4770301, 'not-a-manifest')")) {
                s.setString(1, pid);
                assertEquals(1, s.executeUpdate());
            }
            QueueClient queues = new QueueClient(node.system());
            QueueDefinition def = new QueueDefinition("/", QUEUE, true, false, false, Map.of());
            CompletableFuture<QueueReply> declared = queues.declare("/", QUEUE, def, "test", false).toCompletableFuture();
            Thread.sleep(6_000); // several retries: 200, 400, 800, 1600, 2000 ms
            assertFalse(declared.isDone(), "answered while the journal cannot be read: " + (declared.isDone() ? declared.get() : ""));
            assertEquals(1, count(log, "cannot be recovered"), "one line when recovery starts failing");
            assertEquals(0, count(log, "Restarting entity"), "sharding restarts no entity");

            try (Connection c = JournalTestNode.journal(dataDir); PreparedStatement s = c.prepareStatement(
                    "DELETE FROM \"event_journal\" WHERE \"persistence_id\" = ?")) {
                s.setString(1, pid);
                assertEquals(1, s.executeUpdate());
            }
            long fixedAt = System.nanoTime();
            assertTrue(declared.get(20, TimeUnit.SECONDS) instanceof QueueReply.Ok, "the waiting declare is answered");
            long answeredMillis = (System.nanoTime() - fixedAt) / 1_000_000;
            assertTrue(answeredMillis <= 2_500, "answered " + answeredMillis + " ms after the journal could be read");
            assertEquals(1, count(log, "cannot be recovered"), "still one line");
            assertEquals(1, count(log, "recovered after"), "one line when it recovered");
            System.out.printf("queue recovery retry: the waiting declare answered %d ms after the journal could be read%n",
                    answeredMillis);
        } finally {
            root.detachAppender(log);
            node.stop(Duration.ofSeconds(20));
        }
    }

    private static long count(ListAppender<ILoggingEvent> log, String text) {
        synchronized (log.list) {
            return List.copyOf(log.list).stream().filter(e -> e.getFormattedMessage().contains(text)).count();
        }
    }
}
