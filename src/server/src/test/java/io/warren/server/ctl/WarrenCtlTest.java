package io.warren.server.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.broker.WarrenNode;
import io.warren.server.management.ManagementTestNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code bin/warren ctl}'s commands against a real node, with rabbitmqctl's output shapes and exit codes. */
class WarrenCtlTest {
    private static Path dataDir;
    private static ManagementTestNode warren;
    private static WarrenNode node;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("warren-ctl-test");
        warren = ManagementTestNode.start(dataDir, "");
        node = warren.node;
        url = warren.url();
    }

    @AfterAll
    static void stop() throws Exception {
        if (warren != null) warren.close();
        ManagementTestNode.delete(dataDir);
    }

    private record Run(int exit, String out, String err) {}

    private static Run ctl(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new WarrenCtl(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("WARREN_CTL_URL", url)).run(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Connection amqp(String user, String password, String vhost) throws Exception {
        return warren.connect(user, password, vhost);
    }

    @Test
    void listsQueuesWithColumnsPurgesAndDeletes() throws Exception {
        try (Connection c = amqp("guest", "guest", "/")) {
            Channel ch = c.createChannel();
            ch.queueDeclare("ctl-q", true, false, false, null);
            ch.confirmSelect();
            ch.basicPublish("", "ctl-q", null, "m".getBytes());
            ch.basicPublish("", "ctl-q", null, "m".getBytes());
            ch.waitForConfirmsOrDie(10_000);
            Run listed = ctl("list_queues", "name", "messages", "durable");
            assertEquals(0, listed.exit, listed.err);
            assertTrue(listed.out.startsWith("Listing queues for vhost / ...\nname\tmessages\tdurable\n"), listed.out);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!ctl("-q", "list_queues").out.contains("ctl-q\t2\n") && System.nanoTime() < deadline) Thread.sleep(100);
            assertTrue(ctl("-q", "list_queues").out.contains("ctl-q\t2\n"));
            assertEquals(0, ctl("purge_queue", "ctl-q").exit);
            assertEquals(0, ch.queueDeclarePassive("ctl-q").getMessageCount());
            Run bad = ctl("list_queues", "nonsense");
            assertEquals(64, bad.exit);
            assertTrue(bad.err.contains("Invalid column: nonsense"), bad.err);
            assertEquals(0, ctl("delete_queue", "ctl-q").exit);
            Run again = ctl("delete_queue", "ctl-q");
            assertEquals(70, again.exit);
        }
        Run exchanges = ctl("-s", "list_exchanges");
        assertTrue(exchanges.out.contains("amq.topic\ttopic\n"), exchanges.out);
    }

    @Test
    void usersVhostsPermissionsAndTags() throws Exception {
        assertEquals(0, ctl("add_vhost", "ctl-vhost").exit);
        assertEquals(0, ctl("add_user", "ctl-user", "pw1").exit);
        Run dup = ctl("add_user", "ctl-user", "pw1");
        assertEquals(70, dup.exit);
        assertTrue(dup.err.contains("user_already_exists: ctl-user"), dup.err);
        assertEquals(0, ctl("-p", "ctl-vhost", "set_permissions", "ctl-user", ".*", ".*", ".*").exit);
        assertTrue(ctl("-q", "-p", "ctl-vhost", "list_permissions").out.contains("ctl-user\t.*\t.*\t.*"));
        try (Connection c = amqp("ctl-user", "pw1", "ctl-vhost")) {
            assertTrue(c.isOpen());
        }
        assertEquals(0, ctl("change_password", "ctl-user", "pw2").exit);
        assertEquals(0, ctl("set_user_tags", "ctl-user", "monitoring", "management").exit);
        assertTrue(ctl("-q", "list_users").out.contains("ctl-user\t[monitoring, management]"));
        try (Connection c = amqp("ctl-user", "pw2", "ctl-vhost")) {
            assertTrue(c.isOpen(), "the new password works, the tags change kept it");
        }
        assertEquals(0, ctl("delete_user", "ctl-user").exit);
        assertEquals(70, ctl("delete_user", "ctl-user").exit);
        assertEquals(0, ctl("delete_vhost", "ctl-vhost").exit);
        assertTrue(!ctl("-q", "list_vhosts").out.contains("ctl-vhost"));
    }

    @Test
    void listsChannelsAndConsumersAsRabbitmqctl() throws Exception {
        try (Connection c = amqp("guest", "guest", "/")) {
            com.rabbitmq.client.Channel ch = c.createChannel();
            ch.basicQos(7);
            ch.queueDeclare("ctl-consumed", false, false, true, null);
            ch.basicConsume("ctl-consumed", false, "ctl-tag", new com.rabbitmq.client.DefaultConsumer(ch));
            // the connections report their channels about once a second
            String consumers = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!consumers.contains("ctl-tag") && System.nanoTime() < deadline) {
                consumers = ctl("-q", "list_consumers").out;
                if (!consumers.contains("ctl-tag")) Thread.sleep(100);
            }
            assertTrue(consumers.startsWith("queue_name\tchannel_pid\tconsumer_tag\tack_required\tprefetch_count\tactive\targuments\n"),
                    consumers);
            assertTrue(consumers.matches("(?s).*\nctl-consumed\t[^\t]+ \\(1\\)\tctl-tag\ttrue\t7\ttrue\t\\[\\]\n.*"), consumers);
            String channels = ctl("-q", "list_channels", "pid", "user", "consumer_count", "prefetch_count").out;
            assertTrue(channels.matches("(?s).*\n[^\t]+ \\(1\\)\tguest\t1\t7\n.*"), channels);
        }
    }

    @Test
    void closeConnectionClusterStatusAwaitStartupAndFailures() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(node.amqpPort());
        f.setAutomaticRecoveryEnabled(false);
        Connection c = f.newConnection("ctl-connection");
        try {
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            c.addShutdownListener(closed::complete);
            String name = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (name == null && System.nanoTime() < deadline) {
                // as the Java client's test suite asks rabbitmqctl: node name, pid column, client_properties as a list
                for (String line : ctl("-n", "rabbit@localhost", "list_connections", "-q", "pid", "peer_port", "client_properties")
                        .out.split("\n")) {
                    if (line.contains("{\"connection_name\",\"ctl-connection\"}")) name = line.split("\t")[0];
                }
                if (name == null) Thread.sleep(50);
            }
            assertTrue(name != null, "the connection is listed");
            assertEquals(0, ctl("close_connection", name, "go away").exit);
            ShutdownSignalException signal = closed.get(10, TimeUnit.SECONDS);
            assertEquals("CONNECTION_FORCED - go away", ((AMQP.Connection.Close) signal.getReason()).getReplyText());
        } finally {
            c.abort();
        }
        Connection second = f.newConnection("ctl-second");
        try {
            CompletableFuture<ShutdownSignalException> closed = new CompletableFuture<>();
            second.addShutdownListener(closed::complete);
            assertEquals(0, ctl("close_all_connections", "all of them").exit);
            assertEquals("CONNECTION_FORCED - all of them",
                    ((AMQP.Connection.Close) closed.get(10, TimeUnit.SECONDS).getReason()).getReplyText());
        } finally {
            second.abort();
        }
        Run stopApp = ctl("stop_app");
        assertEquals(70, stopApp.exit);
        assertTrue(stopApp.err.contains("bin/warren stop"), stopApp.err);
        Run status = ctl("cluster_status");
        assertEquals(0, status.exit);
        assertTrue(status.out.contains("Running Nodes"), status.out);
        assertEquals(0, ctl("await_startup").exit);
        assertEquals(64, ctl("frobnicate").exit);
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new WarrenCtl(new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of("WARREN_CTL_URL", "http://127.0.0.1:" + closedPort)).run(new String[] {"-t", "1", "await_startup"});
        assertEquals(69, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("did not start within 1 s"), err.toString());
    }

    @Test
    void setsListsAndClearsPoliciesAndOperatorPolicies() throws Exception {
        Run set = ctl("set_policy", "--priority", "3", "--apply-to", "queues", "ctl-pol", "^ctl-pol\\.", "{\"max-length\":2}");
        assertEquals(0, set.exit, set.err);
        assertEquals("Setting policy \"ctl-pol\" for pattern \"^ctl-pol\\.\" to \"{\"max-length\":2}\" with priority \"3\" for vhost \"/\" ...\n",
                set.out);
        Run listed = ctl("list_policies");
        assertEquals("Listing policies for vhost \"/\" ...\nvhost\tname\tpattern\tapply-to\tdefinition\tpriority\n"
                + "/\tctl-pol\t^ctl-pol\\.\tqueues\t{\"max-length\":2}\t3\n", listed.out);
        try (Connection c = amqp("guest", "guest", "/")) {
            Channel ch = c.createChannel();
            ch.queueDeclare("ctl-pol.q", false, false, true, null);
            for (int i = 0; i < 4; i++) ch.basicPublish("", "ctl-pol.q", null, ("m" + i).getBytes());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (ch.queueDeclarePassive("ctl-pol.q").getMessageCount() != 2 && System.nanoTime() < deadline) Thread.sleep(20);
            assertEquals(2, ch.queueDeclarePassive("ctl-pol.q").getMessageCount(), "the policy's max-length");
        }
        Run bad = ctl("set_policy", "bad", ".*", "{\"message-ttl\":-1}");
        assertEquals(70, bad.exit);
        assertTrue(bad.err.contains("-1 is not a valid message TTL"), bad.err);
        assertEquals(64, ctl("set_policy", "--priority", "high", "p", ".*", "{\"max-length\":1}").exit);

        assertEquals(0, ctl("set_operator_policy", "ctl-op", ".*", "{\"max-length\":100}").exit);
        Run ops = ctl("-q", "list_operator_policies");
        assertEquals("vhost\tname\tpattern\tapply-to\tdefinition\tpriority\n/\tctl-op\t.*\tall\t{\"max-length\":100}\t0\n", ops.out);
        assertEquals(0, ctl("clear_operator_policy", "ctl-op").exit);
        assertEquals(0, ctl("clear_policy", "ctl-pol").exit);
        Run again = ctl("clear_policy", "ctl-pol");
        assertEquals(70, again.exit);
        assertTrue(again.err.contains("Parameter does not exist"), again.err);
        assertEquals("vhost\tname\tpattern\tapply-to\tdefinition\tpriority\n", ctl("-q", "list_policies").out);
    }
}
