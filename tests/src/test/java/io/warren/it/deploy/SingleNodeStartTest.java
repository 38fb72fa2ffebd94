package io.warren.it.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.warren.it.BrokerUnderTest;
import io.warren.it.WarrenProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A single node as a new user starts it: its own defaults for everything but the AMQP and management ports and the
 * data directory (no remote-port = 0, no Pekko Management switched off, as the rest of the suite does). It listens
 * on the ports it needs and nothing a second node on the same host would also want (remoting 25520, Pekko
 * Management 7626), and a port another process holds stops it with one line that names the key, not a stack trace.
 */
class SingleNodeStartTest {
    private static final Duration STARTUP_TIMEOUT = io.warren.it.cluster.ClusterUnderTest.STARTUP_TIMEOUT;
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final Path LOGS = Paths.get(System.getProperty("warren.it.logs", "target/warren-logs"));

    private final List<WarrenProcess> started = new ArrayList<>();

    @BeforeEach
    void warrenMode() throws IOException {
        assumeFalse(BrokerUnderTest.isExternalMode(), "starts Warren processes of its own");
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "reads listening sockets from /proc (Linux)");
        Files.createDirectories(LOGS);
    }

    @AfterEach
    void stopAll() {
        started.forEach(p -> p.stopGracefully(Duration.ofSeconds(30)));
    }

    /** A node on its defaults except the given ports; returns once it was launched (not yet listening). */
    private WarrenProcess launch(int amqpPort, int managementPort, String... moreSettings) throws IOException {
        String name = "single-node-" + RUNS.incrementAndGet();
        Path dataDir = Files.createTempDirectory(LOGS, name + "-data-");
        WarrenProcess process = new WarrenProcess(name, LOGS);
        started.add(process);
        List<String> settings = new ArrayList<>(List.of("-Dwarren.amqp.port=" + amqpPort, "-Dwarren.amqp.host=127.0.0.1",
                "-Dwarren.management.port=" + managementPort, "-Dwarren.management.host=127.0.0.1",
                "-Dwarren.data-dir=" + dataDir));
        settings.addAll(List.of(moreSettings));
        process.launch(List.of(), settings, null);
        return process;
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES) // two JVM starts on a busy 2-core host
    void twoSingleNodesOnOneHostBothStartAndListenOnlyOnTheirOwnPorts() throws Exception {
        int amqp1 = freePort(), mgmt1 = freePort(), amqp2 = freePort(), mgmt2 = freePort();
        // One after the other: the second must start while the first holds whatever it binds.
        WarrenProcess first = launch(amqp1, mgmt1);
        first.awaitPort("127.0.0.1", amqp1, STARTUP_TIMEOUT);
        WarrenProcess second = launch(amqp2, mgmt2);
        second.awaitPort("127.0.0.1", amqp2, STARTUP_TIMEOUT);
        awaitPortOpen(mgmt1, first);
        awaitPortOpen(mgmt2, second);

        for (var node : List.of(Map.entry(first, Set.of(amqp1, mgmt1)), Map.entry(second, Set.of(amqp2, mgmt2)))) {
            Map<Integer, String> listening = listeningPorts(node.getKey().pid());
            Map<Integer, String> others = new TreeMap<>(listening);
            node.getValue().forEach(others::remove);
            assertTrue(listening.keySet().containsAll(node.getValue()),
                    () -> node.getKey() + " does not listen on its AMQP and management ports " + node.getValue()
                            + ": " + listening);
            // Remoting of a cluster of one: an ephemeral port on loopback only, never the cluster's 25520.
            assertTrue(others.size() <= 1 && others.values().stream().allMatch(a -> a.equals("127.0.0.1")),
                    () -> node.getKey() + " listens on more than AMQP, management and a loopback remoting port: "
                            + listening);
            assertFalse(listening.containsKey(25520) || listening.containsKey(7626),
                    () -> node.getKey() + " binds a cluster port (25520 remoting / 7626 Pekko Management): " + listening);
        }
    }

    @ParameterizedTest(name = "{0} taken")
    @ValueSource(strings = {"warren.amqp.port", "warren.management.port", "pekko.management.http.port"})
    void aTakenPortStopsTheStartWithOneLineNamingTheKey(String key) throws Exception {
        try (ServerSocket blocker = new ServerSocket()) {
            blocker.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int taken = blocker.getLocalPort();
            WarrenProcess node = switch (key) {
                case "warren.amqp.port" -> launch(taken, freePort());
                case "warren.management.port" -> launch(freePort(), taken);
                // Pekko Management asked for on a single node, on a taken port: Pekko would log a stack trace
                default -> launch(freePort(), freePort(), "-Dwarren.management.pekko-management.enabled=true",
                        "-Dpekko.management.http.hostname=127.0.0.1", "-Dpekko.management.http.port=" + taken);
            };
            long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
            while (node.isRunning() && System.nanoTime() < deadline) WarrenProcess.sleep(100);
            assertFalse(node.isRunning(), () -> node + " still runs although " + key + " " + taken + " is taken");
            int code = node.stopGracefully(Duration.ofSeconds(1));
            String output = node.output();
            List<String> lines = output.lines().filter(l -> !l.startsWith("#") && !l.startsWith("==>")).toList();
            assertEquals(1, code, () -> "exit code\n" + output);
            assertEquals(1, lines.size(), () -> "not one line:\n" + output);
            String line = lines.get(0);
            assertTrue(line.contains("ERROR") && line.contains(key + ": 127.0.0.1:" + taken + " is already in use"),
                    () -> "the line does not name the key and the address:\n" + output);
        }
    }

    /** The management API binds after AMQP: give it the same patience. */
    private static void awaitPortOpen(int port, WarrenProcess node) {
        node.awaitPort("127.0.0.1", port, STARTUP_TIMEOUT);
    }

    /** TCP ports the process listens on, with the address each is bound to, from /proc (no ss or lsof needed). */
    static Map<Integer, String> listeningPorts(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) inodes.add(target.substring(8, target.length() - 1));
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while listing
                }
            }
        }
        Map<Integer, String> ports = new TreeMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) continue;
            for (String row : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
                String[] f = row.trim().split("\\s+");
                if (!f[3].equals("0A") || !inodes.contains(f[9])) continue; // 0A = LISTEN
                String[] local = f[1].split(":");
                ports.put(Integer.parseInt(local[1], 16), address(local[0]));
            }
        }
        return ports;
    }

    /** /proc/net's hex address (little-endian words) as text; IPv6 addresses other than :: stay in hex. */
    private static String address(String hex) {
        if (hex.length() == 8) {
            long v = Long.parseLong(hex, 16);
            return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff);
        }
        if (hex.chars().allMatch(c -> c == '0')) return "::";
        if (hex.equals("0000000000000000FFFF00000100007F")) return "127.0.0.1";
        if (hex.equals("00000000000000000000000001000000")) return "::1";
        return hex;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
