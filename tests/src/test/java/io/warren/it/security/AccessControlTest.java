package io.warren.it.security;

import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.PythonScripts;
import io.warren.it.RawAmqpConnection;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * loopback_users (guest refused from a non-loopback address: the client runs in a network namespace of its own),
 * connection limits per vhost, per user and per node, and throttled, password-free logging of failed logins.
 * Warren only (its own broker with small limits).
 */
class AccessControlTest {
    static final int NODE_LIMIT = 12;
    static BrokerUnderTest broker;

    @BeforeAll
    static void start() {
        assumeFalse(BrokerUnderTest.isExternalMode(), "needs a Warren with small limits");
        broker = BrokerUnderTest.startWarren("access", Map.of(
                "warren.limits.connections", String.valueOf(NODE_LIMIT),
                "warren.limits.connections-per-vhost", "3",
                "warren.limits.connections-per-user", "2",
                "warren.limits.queues-per-vhost", "20",
                "warren.auth-failure-throttle.after", "2",
                "warren.auth-failure-throttle.delay", "1500ms",
                // the node-limit test holds half-open connections while it counts
                "warren.amqp.handshake-timeout", "60s"), """
                warren.vhosts = ["/", "crowded"]
                warren.users = [
                  { name = guest, password = guest, tags = [administrator] }
                  { name = remote-user, password = remote-secret }
                  { name = limited, password = limited-secret }
                ]
                """);
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    private static ConnectionFactory as(String user, String password, String vhost) {
        ConnectionFactory factory = broker.connectionFactory();
        factory.setUsername(user);
        factory.setPassword(password);
        factory.setVirtualHost(vhost);
        return factory;
    }

    @Test
    void guestIsRefusedFromANonLoopbackAddress() throws Exception {
        PythonScripts.assumePikaAvailable();
        String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
        String ns = "wlb-" + suffix;
        String hostSide = "wlb" + suffix + "h";
        String nsSide = "wlb" + suffix + "n";
        int subnet = ThreadLocalRandom.current().nextInt(1, 250);
        String hostIp = "10.213." + subnet + ".1";
        String nsIp = "10.213." + subnet + ".2";
        assumeTrue(run("ip", "netns", "add", ns) == 0,
                "cannot make a network namespace (needs root and ip netns): loopback_users not tested remotely");
        try {
            assertEquals(0, run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", nsSide));
            assertEquals(0, run("ip", "link", "set", nsSide, "netns", ns));
            assertEquals(0, run("ip", "addr", "add", hostIp + "/30", "dev", hostSide));
            assertEquals(0, run("ip", "link", "set", hostSide, "up"));
            assertEquals(0, run("ip", "netns", "exec", ns, "ip", "addr", "add", nsIp + "/30", "dev", nsSide));
            assertEquals(0, run("ip", "netns", "exec", ns, "ip", "link", "set", nsSide, "up"));
            assertEquals(0, run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"));
            String script = Paths.get(System.getProperty("warren.it.python.dir", "python")).resolve("loopback_users.py").toString();
            Process p = new ProcessBuilder("ip", "netns", "exec", ns, PythonScripts.PYTHON, script, hostIp,
                    String.valueOf(broker.port()), "remote-user", "remote-secret").redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "pika in the namespace did not finish");
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), output);
            assertTrue(output.contains("OK"), output);
            String log = broker.output();
            assertTrue(log.contains(nsIp) && log.contains("user 'guest' is in warren.loopback-users"),
                    "no log line saying why guest was refused from " + nsIp + ":\n" + log);
        } finally {
            run("ip", "link", "del", hostSide);
            run("ip", "netns", "del", ns);
        }
        // and from loopback guest is welcome
        try (Connection local = broker.newConnection()) {
            Amqp.assertUsable(local);
        }
    }

    @Test
    void perVhostConnectionLimitRefusesWith530() throws Exception {
        List<Connection> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) open.add(i < 2 ? as("guest", "guest", "crowded").newConnection()
                    : as("remote-user", "remote-secret", "crowded").newConnection());
            ShutdownSignalException refused = refusal(as("remote-user", "remote-secret", "crowded"));
            assertEquals(530, Amqp.replyCode(refused));
            assertEquals("NOT_ALLOWED - access to vhost 'crowded' refused for user 'remote-user': connection limit (3) is reached",
                    Amqp.replyText(refused));
            open.remove(0).close();
            open.add(as("remote-user", "remote-secret", "crowded").newConnection()); // a freed slot is usable again
        } finally {
            for (Connection c : open) c.close();
        }
    }

    @Test
    void queueLimitPerVhostRefusesNewQueuesWith406() throws Exception {
        try (Connection connection = as("guest", "guest", "crowded").newConnection()) {
            com.rabbitmq.client.Channel channel = connection.createChannel();
            List<String> queues = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) queues.add(channel.queueDeclare("limit-" + i, false, false, false, null).getQueue());
                channel.queueDeclare("limit-0", false, false, false, null); // redeclaring one that exists is fine
                ShutdownSignalException refused = Amqp.assertChannelClosedBy(406, channel,
                        () -> channel.queueDeclare("limit-20", false, false, false, null));
                assertEquals("PRECONDITION_FAILED - cannot declare queue 'limit-20': queue limit in vhost 'crowded' (20) is reached",
                        Amqp.replyText(refused));
                com.rabbitmq.client.Channel again = connection.createChannel();
                again.queueDelete(queues.remove(0));
                queues.add(again.queueDeclare("limit-20", false, false, false, null).getQueue());
            } finally {
                com.rabbitmq.client.Channel cleanup = connection.createChannel();
                for (String q : queues) cleanup.queueDelete(q);
            }
        }
    }

    @Test
    void perUserConnectionLimitRefusesWith530() throws Exception {
        try (Connection a = as("limited", "limited-secret", "/").newConnection();
             Connection b = as("limited", "limited-secret", "/").newConnection()) {
            ShutdownSignalException refused = refusal(as("limited", "limited-secret", "/"));
            assertEquals(530, Amqp.replyCode(refused));
            assertEquals("NOT_ALLOWED - Connection refused for user 'limited': user connection limit (2) is reached",
                    Amqp.replyText(refused));
            Amqp.assertUsable(a);
        }
    }

    @Test
    void repeatedLoginFailuresAreSlowedDownAndLoggedWithoutThePassword() throws Exception {
        String password = "guess-" + System.nanoTime();
        ConnectionFactory guesser = as("guest", password, "/");
        long[] millis = new long[4];
        for (int i = 0; i < millis.length; i++) {
            long start = System.nanoTime();
            assertThrows(AuthenticationFailureException.class, guesser::newConnection);
            millis[i] = (System.nanoTime() - start) / 1_000_000;
        }
        assertTrue(millis[2] >= 1500 && millis[3] >= 1500, "failures after the second were not delayed: "
                + java.util.Arrays.toString(millis));
        try (Connection ok = broker.newConnection()) {
            Amqp.assertUsable(ok); // a good login still gets in (and resets the count)
        }
        long start = System.nanoTime();
        assertThrows(AuthenticationFailureException.class, guesser::newConnection);
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1500, "the count was not reset by a successful login");
        String log = broker.output();
        assertTrue(log.contains("login refused (PLAIN): user 'guest': wrong password"), log);
        assertFalse(log.contains(password), "a password was logged");
    }

    @Test
    void nodeConnectionLimitClosesNewSocketsAndLogsOncePerInterval() throws Exception {
        List<RawAmqpConnection> held = new ArrayList<>();
        try {
            // Each of these reached its connection actor (connection.start came back), so each is counted.
            while (held.size() < NODE_LIMIT) {
                RawAmqpConnection raw = new RawAmqpConnection(broker);
                held.add(raw);
                raw.sendRaw(RawAmqpConnection.PROTOCOL_HEADER);
                raw.expectMethod(0, 10, 10);
            }
            int refused = 0;
            for (int i = 0; i < 50; i++) {
                try (Socket s = broker.openSocket()) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(RawAmqpConnection.PROTOCOL_HEADER);
                    if (s.getInputStream().read() < 0) refused++;
                } catch (SocketException reset) {
                    refused++;
                } catch (SocketTimeoutException open) {
                    fail("a connection over the node limit was kept open");
                }
            }
            assertEquals(50, refused);
            long lines = broker.output().lines().filter(l -> l.contains("node connection limit (" + NODE_LIMIT + ") is reached")).count();
            assertTrue(lines >= 1 && lines <= 3, lines + " log lines for 50 refusals");
        } finally {
            for (RawAmqpConnection raw : held) raw.close();
        }
    }

    private static ShutdownSignalException refusal(ConnectionFactory factory) {
        try (Connection unexpected = factory.newConnection()) {
            throw new AssertionError("connection over the limit was accepted: " + unexpected);
        } catch (IOException | java.util.concurrent.TimeoutException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ShutdownSignalException s) return s;
            }
            throw new AssertionError("no connection.close from the broker", e);
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    }
}
