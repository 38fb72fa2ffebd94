package io.warren.it.cluster;

import io.warren.it.WarrenProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One Warren process of a test cluster. Its ports, data directory and config file stay the same across
 * restarts, so a restarted node rejoins as the same address; each run writes its own log file.
 */
public final class ClusterNode {
    public static final String HOST = "127.0.0.1";
    private static final Duration GRACEFUL_STOP_TIMEOUT = Duration.ofSeconds(45);

    private final int index;
    private final String name;
    private final int amqpPort;
    private final int remotePort;
    private final Path dataDir;
    private final Path configFile;
    private final List<String> jvmOptions;
    private final String host;
    private final List<String> commandPrefix;
    private final WarrenProcess process;

    ClusterNode(int index, String name, int amqpPort, int remotePort, Path dataDir, Path configFile, Path logDir,
                List<String> jvmOptions) {
        this(index, name, HOST, List.of(), amqpPort, remotePort, dataDir, configFile, logDir, jvmOptions);
    }

    /**
     * A node listening (AMQP and remoting) on {@code host}, started with {@code commandPrefix} in front of java (e.g.
     * {@code ip netns exec <namespace>} for a node in a network namespace of its own, see {@link NetworkNamespaces}).
     */
    ClusterNode(int index, String name, String host, List<String> commandPrefix, int amqpPort, int remotePort,
                Path dataDir, Path configFile, Path logDir, List<String> jvmOptions) {
        this.jvmOptions = List.copyOf(jvmOptions);
        this.host = host;
        this.commandPrefix = List.copyOf(commandPrefix);
        this.index = index;
        this.name = name;
        this.amqpPort = amqpPort;
        this.remotePort = remotePort;
        this.dataDir = dataDir;
        this.configFile = configFile;
        this.process = new WarrenProcess(name, logDir);
    }

    /** 1-based, as in "node 1". */
    public int index() { return index; }

    public String name() { return name; }

    public int amqpPort() { return amqpPort; }

    /** The address its AMQP and remoting ports listen on ({@link #HOST} unless it runs in a namespace of its own). */
    public String host() { return host; }

    public int remotePort() { return remotePort; }

    /** The node's Pekko address, as seed-nodes and the cluster's logs spell it. */
    public String remoteAddress() {
        return "pekko://warren@" + host + ":" + remotePort;
    }

    public Path configFile() { return configFile; }

    public List<Path> logFiles() { return process.logFiles(); }

    /** The log of the current (or last) run. */
    public Path currentLog() { return process.currentLog(); }

    public boolean isRunning() { return process.isRunning(); }

    public long pid() { return process.pid(); }

    /** Writes the node's config file: everything in HOCON, so that seed-nodes stays a real list. */
    void writeConfig(Map<String, String> settings, List<String> seedNodes) throws IOException {
        StringBuilder text = new StringBuilder("# written by ClusterUnderTest for ").append(name).append('\n');
        settings.forEach((key, value) -> text.append(key).append(" = ").append(quote(value)).append('\n'));
        text.append("warren.cluster.seed-nodes = [")
                .append(seedNodes.stream().map(ClusterNode::quote).collect(Collectors.joining(", ")))
                .append("]\n");
        Files.writeString(configFile, text.toString(), StandardCharsets.UTF_8);
    }

    /** Launches the process and returns at once; {@link #awaitAmqpPort} waits for it to listen. */
    void launch() {
        List<String> options = new ArrayList<>();
        options.add("-XX:+ExitOnOutOfMemoryError");
        options.addAll(jvmOptions);
        process.launch(commandPrefix, options, List.of("--config", configFile.toString()), dataDir);
    }

    /** Waits until the AMQP port accepts connections; fails early, with the log, if the process exits. */
    void awaitAmqpPort(Duration timeout) {
        process.awaitPort(host, amqpPort, timeout);
    }

    /** kill -9: no shutdown hook, no cluster leave, sockets reset by the kernel. */
    public void kill() {
        process.kill();
    }

    /**
     * SIGTERM: the node's graceful stop (leave the cluster, hand queues off). Returns the exit code, or -1
     * when it had to be killed after {@link #GRACEFUL_STOP_TIMEOUT}.
     */
    public int stopGracefully() {
        return process.stopGracefully(GRACEFUL_STOP_TIMEOUT);
    }

    /** Sends SIGTERM without waiting, so that several nodes can stop at once. */
    void signalTerm() {
        process.signalTerm();
    }

    /** The exit code of a run that ended by itself (e.g. 3: it took itself out); -1 while running or when stopped. */
    public int exitCode() {
        return process.exitCode();
    }

    /** The output of every run so far. */
    public String output() {
        return process.output();
    }

    @Override
    public String toString() {
        return name + " (" + (host.equals(HOST) ? "" : host + ", ") + "AMQP " + amqpPort + ", remote " + remotePort + ")";
    }

    private static String quote(String value) {
        if (value.matches("-?[0-9]+|true|false|\\[\\]")) return value; // numbers, booleans, the empty list
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
