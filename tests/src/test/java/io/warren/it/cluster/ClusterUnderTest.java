package io.warren.it.cluster;

import com.rabbitmq.client.Address;
import io.warren.it.ConnectionFactories;
import io.warren.it.WarrenProcess;
import com.rabbitmq.client.AddressResolver;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * N Warren processes forming one Pekko cluster over a shared PostgreSQL journal, for cross-node and
 * failover tests. The first two nodes are the seed nodes; min-nr-of-members is a majority (see
 * {@link #defaultMinNrOfMembers}). Logs, node configs and data directories go to
 * {@code target/warren-logs/<cluster name>-<start time>/}.
 */
public final class ClusterUnderTest implements AutoCloseable {
    /** -Dwarren.it.cluster-startup-seconds raises it for benches on a host shared with other builds. */
    public static final Duration STARTUP_TIMEOUT =
            Duration.ofSeconds(Long.getLong("warren.it.cluster-startup-seconds", 150));
    private static final Duration ROUND_TRIP_TIMEOUT = Duration.ofSeconds(120);

    private final String name;
    private final Path logDir;
    private final SharedJournalDatabase database;
    private final List<ClusterNode> nodes;
    private final Thread killOnExit;

    private ClusterUnderTest(String name, Path logDir, SharedJournalDatabase database, List<ClusterNode> nodes) {
        this.name = name;
        this.logDir = logDir;
        this.database = database;
        this.nodes = nodes;
        // If the test JVM dies without @AfterAll, leave no broker behind.
        this.killOnExit = new Thread(() -> nodes.forEach(ClusterNode::kill), "kill-" + name);
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /** Starts PostgreSQL and {@code size} nodes, and returns once a message round-trips through every node. */
    public static ClusterUnderTest start(String name, int size) {
        return start(name, size, Map.of());
    }

    /**
     * The min-nr-of-members the harness sets: a majority, not every node. Pekko's shard coordinator applies
     * min-nr-of-members again whenever it starts, including after the node hosting it died: with
     * min-nr-of-members = N the new coordinator answers no GetShardHome until N regions are registered
     * again, i.e. until the dead node is back, and every queue of the dead node stays unavailable
     * (ShardCoordinator.hasAllRegionsRegistered; seen in FailoverTest as "Requested shard homes [...] from
     * coordinator" repeating for minutes). A majority still keeps the first shards off a lone first node.
     */
    public static int defaultMinNrOfMembers(int size) {
        return size / 2 + 1;
    }

    /**
     * As {@link #start(String, int)}, with extra warren.* or pekko.* settings for every node (they override
     * the harness's, e.g. {@code warren.cluster.min-nr-of-members}).
     */
    public static ClusterUnderTest start(String name, int size, Map<String, String> extraSettings) {
        return start(name, size, extraSettings, List.of());
    }

    /** As {@link #start(String, int, Map)}, with extra JVM options for every node (e.g. a logback config). */
    public static ClusterUnderTest start(String name, int size, Map<String, String> extraSettings,
                                         List<String> jvmOptions) {
        return start(name, size, extraSettings, jvmOptions, null);
    }

    /**
     * As {@link #start(String, int, Map, List)}, with node N in {@code network}'s namespace N (null: every node on
     * loopback): it listens on its namespace's address and reaches PostgreSQL at the network's database address.
     */
    static ClusterUnderTest start(String name, int size, Map<String, String> extraSettings, List<String> jvmOptions,
                                  NetworkNamespaces network) {
        if (size < 2) throw new IllegalArgumentException("a cluster needs at least two nodes");
        Path logDir;
        try {
            logDir = Paths.get(System.getProperty("warren.it.logs", "target/warren-logs"))
                    .resolve(name + "-" + Instant.now().toString().replace(':', '-'));
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the log directory", e);
        }
        SharedJournalDatabase database = network == null ? SharedJournalDatabase.start(logDir)
                : SharedJournalDatabase.start(logDir, network.databaseAddress(), network.network());
        List<ClusterNode> nodes = new ArrayList<>();
        ClusterUnderTest cluster = null;
        try {
            Set<Integer> ports = new HashSet<>();
            for (int i = 1; i <= size; i++) {
                String nodeName = "node" + i;
                Path dataDir = logDir.resolve(nodeName + "-data");
                Files.createDirectories(dataDir);
                nodes.add(new ClusterNode(i, nodeName, network == null ? ClusterNode.HOST : network.nodeAddress(i),
                        network == null ? List.of() : network.launchPrefix(i), freePort(ports), freePort(ports), dataDir,
                        logDir.resolve(nodeName + ".conf"), logDir, jvmOptions));
            }
            List<String> seeds = nodes.subList(0, 2).stream().map(ClusterNode::remoteAddress).toList();
            for (ClusterNode node : nodes) {
                Map<String, String> settings = new LinkedHashMap<>();
                settings.put("warren.node-name", node.name());
                settings.put("warren.data-dir", node.configFile().getParent().resolve(node.name() + "-data").toString());
                settings.put("warren.amqp.host", node.host());
                settings.put("warren.amqp.port", String.valueOf(node.amqpPort()));
                settings.put("warren.management.enabled", "false");
                // /ready and /alive (port 7626) are not under test here; several brokers on one machine would collide
                settings.put("warren.management.pekko-management.enabled", "false");
                settings.put("warren.cluster.remote-host", node.host());
                settings.put("warren.cluster.remote-port", String.valueOf(node.remotePort()));
                settings.put("warren.cluster.min-nr-of-members", String.valueOf(defaultMinNrOfMembers(size)));
                settings.putAll(database.brokerSettings());
                // In namespaces the test's clients connect from the bridge's address, not loopback, as guest.
                if (network != null) settings.put("warren.loopback-users", "[]");
                settings.putAll(extraSettings);
                node.writeConfig(settings, seeds);
            }
            cluster = new ClusterUnderTest(name, logDir, database, nodes);
            nodes.forEach(ClusterNode::launch);
            for (ClusterNode node : nodes) {
                node.awaitAmqpPort(STARTUP_TIMEOUT);
            }
            for (ClusterNode node : nodes) {
                cluster.awaitRoundTrip(node.index());
            }
            return cluster;
        } catch (IOException | RuntimeException | Error e) {
            if (cluster != null) {
                cluster.close();
            } else {
                nodes.forEach(ClusterNode::kill);
                database.close();
            }
            if (e instanceof RuntimeException runtime) throw runtime;
            if (e instanceof Error error) throw error;
            throw new IllegalStateException("cannot start cluster " + name, e);
        }
    }

    public int size() { return nodes.size(); }

    /** 1-based. */
    public ClusterNode node(int index) { return nodes.get(index - 1); }

    public List<ClusterNode> nodes() { return List.copyOf(nodes); }

    public SharedJournalDatabase database() { return database; }

    public Path logDir() { return logDir; }

    /** kill -9 node {@code index}; returns when the process is gone. */
    public void kill(int index) {
        node(index).kill();
    }

    /** SIGTERM node {@code index} and wait for it to exit; returns its exit code (-1: had to be killed). */
    public int stopGracefully(int index) {
        return node(index).stopGracefully();
    }

    /** Starts a stopped or killed node again (same ports, same data directory) and waits until it serves. */
    public void restart(int index) {
        ClusterNode node = node(index);
        if (node.isRunning()) node.stopGracefully();
        node.launch();
        node.awaitAmqpPort(STARTUP_TIMEOUT);
        awaitRoundTrip(index);
    }

    /** Every node that is not running is started again. */
    public void ensureAllRunning() {
        for (ClusterNode node : nodes) {
            if (!node.isRunning()) restart(node.index());
        }
    }

    /** guest/guest on "/", no automatic recovery: for tests that must see every failure. */
    public ConnectionFactory connectionFactory() {
        ConnectionFactory factory = ConnectionFactories.guestWithoutRecovery();
        factory.setChannelRpcTimeout(30_000);
        factory.setRequestedHeartbeat(5);
        return factory;
    }

    /** A factory whose connections recover automatically (topology included), as a production client would. */
    public ConnectionFactory recoveringConnectionFactory() {
        ConnectionFactory factory = connectionFactory();
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(500);
        return factory;
    }

    /** A plain connection to one node. */
    public Connection connect(int index) throws IOException, TimeoutException {
        ConnectionFactory factory = connectionFactory();
        factory.setHost(node(index).host());
        factory.setPort(node(index).amqpPort());
        return factory.newConnection(name + "-client-node" + index);
    }

    /**
     * A connection to node {@code preferred} that knows every node's address, so that (with a recovering
     * factory) it reconnects to the next node when its own goes away.
     */
    public Connection connectToAll(ConnectionFactory factory, int preferred, String clientName)
            throws IOException, TimeoutException {
        return factory.newConnection(null, addressesPreferring(preferred), clientName);
    }

    /** Every node's address, {@code preferred} first, then the others in ring order. */
    public List<Address> addresses(int preferred) {
        List<Address> addresses = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            ClusterNode node = nodes.get((preferred - 1 + k) % nodes.size());
            addresses.add(new Address(node.host(), node.amqpPort()));
        }
        return addresses;
    }

    /**
     * The Java client shuffles a plain address list; this resolver keeps the order, so that which node a
     * client lands on (and where it goes next) is the test's choice, not chance.
     */
    public AddressResolver addressesPreferring(int preferred) {
        List<Address> ordered = addresses(preferred);
        return new AddressResolver() {
            @Override
            public List<Address> getAddresses() {
                return ordered;
            }

            @Override
            public List<Address> maybeShuffle(List<Address> input) {
                return input;
            }
        };
    }

    /**
     * Declares a queue on node {@code index}, publishes to it and gets the message back there: the node is in
     * the cluster, shards are allocated and its journal works. Retries until {@link #ROUND_TRIP_TIMEOUT}.
     */
    public void awaitRoundTrip(int index) {
        long deadline = System.nanoTime() + ROUND_TRIP_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                roundTrip(index);
                return;
            } catch (Exception e) {
                last = e;
                WarrenProcess.sleep(500);
            }
        }
        throw new IllegalStateException("no round trip through " + node(index) + " within "
                + ROUND_TRIP_TIMEOUT.toSeconds() + " s: " + last + "\n" + WarrenProcess.tail(node(index).currentLog(), 60), last);
    }

    private void roundTrip(int index) throws IOException, TimeoutException {
        String queue = "cluster-probe-node" + index + "-" + System.nanoTime();
        byte[] body = queue.getBytes(StandardCharsets.UTF_8);
        try (Connection connection = connect(index); Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, false, false, false, null);
            try {
                channel.basicPublish("", queue, null, body);
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (true) {
                    GetResponse response = channel.basicGet(queue, true);
                    if (response != null) {
                        if (!java.util.Arrays.equals(body, response.getBody())) {
                            throw new IOException("probe got a different body back on " + node(index));
                        }
                        return;
                    }
                    if (System.nanoTime() > deadline) throw new IOException("probe message not delivered on " + node(index));
                    WarrenProcess.sleep(100);
                }
            } finally {
                channel.queueDelete(queue);
            }
        }
    }

    /** Every line of every run of every node that contains {@code text}, prefixed with the node's name. */
    public List<String> logLines(String text) {
        List<String> lines = new ArrayList<>();
        for (ClusterNode node : nodes) {
            for (Path log : node.logFiles()) {
                try {
                    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                        if (line.contains(text)) lines.add(node.name() + " " + line);
                    }
                } catch (IOException e) {
                    lines.add(node.name() + " (cannot read " + log + ": " + e + ")");
                }
            }
        }
        return lines;
    }

    /**
     * The running node that hosts the queue shard coordinator (the cluster singleton on the oldest node), as
     * its log last said; 0 when no running node's current log says so.
     */
    public int coordinatorNode() {
        int found = 0;
        String latest = "";
        for (ClusterNode node : nodes) {
            if (!node.isRunning()) continue;
            try {
                for (String line : Files.readAllLines(node.currentLog(), StandardCharsets.UTF_8)) {
                    if (line.contains("starting singleton actor [pekko://warren/system/sharding/queueCoordinator")
                            && line.compareTo(latest) > 0) {
                        latest = line;
                        found = node.index();
                    }
                }
            } catch (IOException e) {
                // unreadable log: not this one
            }
        }
        return found;
    }

    /** The tail of every node's current log, for failure messages. */
    public String logTails(int lines) {
        return nodes.stream().filter(n -> !n.logFiles().isEmpty())
                .map(n -> WarrenProcess.tail(n.currentLog(), lines)).collect(Collectors.joining("\n"));
    }

    /** Stops every node (SIGTERM to all at once, kill -9 after the grace period) and then PostgreSQL. */
    @Override
    public void close() {
        try {
            nodes.forEach(ClusterNode::signalTerm);
            nodes.forEach(ClusterNode::stopGracefully);
        } finally {
            nodes.forEach(ClusterNode::kill);
            database.close();
            try {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: nothing to remove
            }
        }
    }

    @Override
    public String toString() {
        return "cluster " + name + " " + nodes;
    }

    private static int freePort(Set<Integer> taken) throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                socket.setReuseAddress(true);
                int port = socket.getLocalPort();
                if (taken.add(port)) return port;
            }
        }
    }
}
