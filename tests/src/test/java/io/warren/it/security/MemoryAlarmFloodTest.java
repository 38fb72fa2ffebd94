package io.warren.it.security;

import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.warren.it.BrokerUnderTest;
import io.warren.it.ConnectionFactories;
import io.warren.it.WarrenProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * With -Xmx1g, a publisher flooding 1 KiB transient messages into a queue nobody consumes is blocked by the memory
 * alarm (connection.blocked) long before the heap runs out; the node stays up and answers, and the alarm clears
 * once the queue is deleted. Bounded: the flood gives up after two minutes. Warren only (its own JVM).
 */
class MemoryAlarmFloodTest {
    private static final Duration FLOOD_LIMIT = Duration.ofMinutes(2);
    static WarrenProcess warren;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        assumeFalse(BrokerUnderTest.isExternalMode(), "starts a Warren JVM with -Xmx1g");
        Path logs = Files.createDirectories(Paths.get(System.getProperty("warren.it.logs", "target/warren-logs")));
        Path data = Files.createTempDirectory(logs, "memory-flood-data-");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> settings = List.of("-Dwarren.amqp.port=" + port, "-Dwarren.data-dir=" + data,
                "-Dwarren.management.enabled=false", "-Dwarren.management.pekko-management.enabled=false",
                "-Dwarren.cluster.remote-port=0");
        warren = new WarrenProcess("memory-flood", logs);
        java.util.ArrayList<String> jvm = new java.util.ArrayList<>(settings);
        jvm.add(0, "-Xmx1g"); // after WarrenProcess's -Xmx512m: the last one wins
        jvm.add(1, "-XX:+ExitOnOutOfMemoryError");
        warren.launch(jvm, settings, null);
        warren.awaitPort("127.0.0.1", port, Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (warren != null) warren.stopGracefully(Duration.ofSeconds(15));
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 4, unit = TimeUnit.MINUTES) // the flood alone may take its two minutes
    void floodIsBlockedByTheAlarmAndTheNodeSurvives() throws Exception {
        ConnectionFactory factory = ConnectionFactories.guestWithoutRecovery();
        factory.setPort(port);
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch unblocked = new CountDownLatch(1);
        AtomicLong published = new AtomicLong();
        String queue = "flood-" + System.nanoTime();
        try (Connection publisher = factory.newConnection()) {
            publisher.addBlockedListener(new BlockedListener() {
                @Override public void handleBlocked(String reason) { blocked.countDown(); }
                @Override public void handleUnblocked() { if (blocked.getCount() == 0) unblocked.countDown(); }
            });
            Channel channel = publisher.createChannel();
            channel.queueDeclare(queue, false, false, false, null);
            byte[] body = new byte[1024];
            Thread flood = new Thread(() -> {
                long deadline = System.nanoTime() + FLOOD_LIMIT.toNanos();
                try {
                    while (System.nanoTime() < deadline && blocked.getCount() > 0) {
                        channel.basicPublish("", queue, null, body); // stalls in the socket write once blocked
                        published.incrementAndGet();
                    }
                } catch (Exception e) {
                    // the connection went away: the assertions below say why
                }
            }, "flood");
            flood.setDaemon(true);
            long start = System.nanoTime();
            flood.start();
            assertTrue(blocked.await(FLOOD_LIMIT.toSeconds() + 10, TimeUnit.SECONDS),
                    "not blocked after " + published.get() + " messages:\n" + warren.output());
            System.out.printf("memory alarm after %d messages of 1 KiB in %.1f s%n", published.get(),
                    (System.nanoTime() - start) / 1e9);
            Thread.sleep(5_000); // a blocked publisher stays blocked, the node keeps running
            assertTrue(warren.isRunning(), "the node died:\n" + warren.output());
            try (Connection other = factory.newConnection()) {
                Channel ch = other.createChannel();
                long held = ch.queueDeclarePassive(queue).getMessageCount();
                assertTrue(held > 100_000, "only " + held + " messages held");
                ch.queueDelete(queue);
            }
            assertTrue(unblocked.await(60, TimeUnit.SECONDS), "the alarm did not clear after the queue was deleted");
        }
        assertTrue(warren.isRunning());
        assertFalse(warren.output().contains("OutOfMemoryError"), "out of memory:\n" + warren.output());
        assertTrue(warren.output().contains("Memory alarm raised"), "no log line for the alarm");
    }
}
