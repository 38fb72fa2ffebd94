package io.warren.it.security;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.ConnectionFactories;
import io.warren.it.RawAmqpConnection;
import io.warren.it.WarrenProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A node whose file descriptors run out (its nofile limit lowered with prlimit below what a flood of connections
 * needs) logs the failing accepts once per 10 s with a count, not a stack trace per failure, and accepts again once
 * descriptors are free. Warren only; skipped where prlimit cannot change another process's limit.
 */
class AcceptFloodTest {
    static WarrenProcess warren;
    static int port;

    @BeforeAll
    static void start() throws Exception {
        assumeFalse(BrokerUnderTest.isExternalMode(), "lowers the file descriptor limit of a Warren JVM");
        Path logs = Files.createDirectories(Paths.get(System.getProperty("warren.it.logs", "target/warren-logs")));
        Path data = Files.createTempDirectory(logs, "accept-flood-data-");
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> settings = List.of("-Dwarren.amqp.port=" + port, "-Dwarren.data-dir=" + data,
                "-Dwarren.management.enabled=false", "-Dwarren.management.pekko-management.enabled=false",
                "-Dwarren.cluster.remote-port=0", "-Dwarren.amqp.handshake-timeout=60s");
        warren = new WarrenProcess("accept-flood", logs);
        warren.launch(settings, settings, null);
        warren.awaitPort("127.0.0.1", port, Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (warren != null) warren.stopGracefully(Duration.ofSeconds(15));
    }

    @Test
    void runningOutOfFileDescriptorsLogsOncePerIntervalAndRecovers() throws Exception {
        long pid = warren.pid();
        long open;
        try (var fds = Files.list(Paths.get("/proc/" + pid + "/fd"))) {
            open = fds.count();
        }
        long limit = open + 40;
        Process prlimit = new ProcessBuilder("prlimit", "--pid", String.valueOf(pid), "--nofile=" + limit + ":" + limit)
                .redirectErrorStream(true).start();
        assumeTrue(prlimit.waitFor(10, TimeUnit.SECONDS) && prlimit.exitValue() == 0,
                "prlimit cannot lower the node's nofile limit here: " + new String(prlimit.getInputStream().readAllBytes()));
        List<Socket> flood = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (int i = 0; i < 150; i++) {
                Socket s = new Socket();
                try {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    s.getOutputStream().write(RawAmqpConnection.PROTOCOL_HEADER);
                    flood.add(s);
                } catch (IOException backlogFull) {
                    s.close();
                }
            }
            Thread.sleep(12_000); // longer than the log interval: the failures go on the whole time
            String log = warren.output();
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            long stackTraces = log.lines().filter(l -> l.contains("Accept error: could not accept new connection")).count();
            // one per 10 s interval (the dropped thousands are counted), whatever the rate of failures
            assertTrue(stackTraces >= 1 && stackTraces <= seconds / 10 + 2, stackTraces + " accept error lines in " + seconds + " s");
            assertTrue(log.contains("more log lines starting \"Accept error\" were dropped"), "no count of the dropped lines");
        } finally {
            for (Socket s : flood) s.close();
        }
        assertTrue(warren.isRunning(), "the node died:\n" + warren.output());
        ConnectionFactory factory = ConnectionFactories.guestWithoutRecovery();
        factory.setPort(port);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Connection connection = factory.newConnection()) {
                Amqp.assertUsable(connection);
                break;
            } catch (IOException | java.util.concurrent.TimeoutException e) {
                // descriptors are freed as the node notices the closed sockets
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(500);
            }
        }
    }
}
