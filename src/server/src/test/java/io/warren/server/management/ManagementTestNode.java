package io.warren.server.management;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.warren.broker.WarrenNode;
import io.warren.server.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;

/**
 * A real node with its management API, in the test's JVM, on free loopback ports (no remoting port, no Pekko
 * Management), so tests of the API and of {@code bin/warren ctl} run against the real thing side by side.
 */
public final class ManagementTestNode implements AutoCloseable {
    public final WarrenNode node;
    public final ManagementServer management;
    public final int httpPort;

    private ManagementTestNode(WarrenNode node, ManagementServer management) {
        this.node = node;
        this.management = management;
        this.httpPort = management.httpPort().orElseThrow();
    }

    /** A node on {@code dataDir}; {@code overrides} (HOCON) come before the test defaults and reference.conf. */
    public static ManagementTestNode start(Path dataDir, String overrides) {
        Config config = ConfigFactory.parseString(overrides)
                .withFallback(ConfigFactory.parseMap(Map.of(
                        "warren.data-dir", dataDir.toString(),
                        "warren.amqp.host", "127.0.0.1",
                        "warren.amqp.port", "0",
                        "warren.cluster.remote-port", "0",
                        "warren.management.host", "127.0.0.1",
                        "warren.management.port", "0",
                        "warren.management.pekko-management.enabled", "false")))
                .withFallback(ConfigFactory.defaultReferenceUnresolved())
                .resolve();
        WarrenNode node = WarrenNode.start(Main.withOperations(config));
        return new ManagementTestNode(node, ManagementServer.start(node, config, "9.9.9-test"));
    }

    /** An AMQP connection to this node as that user, without automatic recovery (a test must see every failure). */
    public com.rabbitmq.client.Connection connect(String user, String password, String vhost) throws Exception {
        com.rabbitmq.client.ConnectionFactory f = new com.rabbitmq.client.ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(node.amqpPort());
        f.setUsername(user);
        f.setPassword(password);
        f.setVirtualHost(vhost);
        f.setAutomaticRecoveryEnabled(false);
        return f.newConnection();
    }

    public String url() {
        return "http://127.0.0.1:" + httpPort;
    }

    @Override
    public void close() {
        management.stop(Duration.ofSeconds(1));
        node.stop(Duration.ofSeconds(10));
    }

    /** Removes a data directory the node is done with. */
    public static void delete(Path dir) throws IOException {
        if (dir == null) return;
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
