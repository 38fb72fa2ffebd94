package io.warren.it.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    private final Path logDir;
    private final List<String> jvmOptions;
    private final List<Path> logFiles = new ArrayList<>();
    private Process process;

    ClusterNode(int index, String name, int amqpPort, int remotePort, Path dataDir, Path configFile, Path logDir,
                List<String> jvmOptions) {
        this.jvmOptions = List.copyOf(jvmOptions);
        this.index = index;
        this.name = name;
        this.amqpPort = amqpPort;
        this.remotePort = remotePort;
        this.dataDir = dataDir;
        this.configFile = configFile;
        this.logDir = logDir;
    }

    /** 1-based, as in "node 1". */
    public int index() { return index; }

    public String name() { return name; }

    public int amqpPort() { return amqpPort; }

    public int remotePort() { return remotePort; }

    /** The node's Pekko address, as seed-nodes and the cluster's logs spell it. */
    public String remoteAddress() {
        return "pekko://warren@" + HOST + ":" + remotePort;
    }

    public Path configFile() { return configFile; }

    public List<Path> logFiles() { return List.copyOf(logFiles); }

    /** The log of the current (or last) run. */
    public Path currentLog() {
        if (logFiles.isEmpty()) throw new IllegalStateException(name + " has never run");
        return logFiles.get(logFiles.size() - 1);
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        if (process == null) throw new IllegalStateException(name + " is not running");
        return process.pid();
    }

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
    synchronized void launch() {
        if (isRunning()) throw new IllegalStateException(name + " is already running");
        try {
            Path log = logDir.resolve(name + "-run" + (logFiles.size() + 1) + ".log");
            logFiles.add(log);
            List<String> command = new ArrayList<>();
            command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx512m");
            command.add("-XX:+ExitOnOutOfMemoryError");
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(testClassPath());
            command.add("io.warren.server.Main");
            command.add("--config");
            command.add(configFile.toString());
            Files.writeString(log, "# " + Instant.now() + " " + String.join(" ", command.subList(0, 2))
                    + " ... io.warren.server.Main --config " + configFile + "\n", StandardCharsets.UTF_8);
            process = new ProcessBuilder(command)
                    .directory(dataDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name, e);
        }
    }

    /** Waits until the AMQP port accepts connections; fails early, with the log, if the process exits. */
    void awaitAmqpPort(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Process current;
            synchronized (this) {
                current = process;
            }
            if (current == null || !current.isAlive()) {
                throw new IllegalStateException(name + " exited"
                        + (current == null ? "" : " with code " + current.exitValue())
                        + " before opening AMQP port " + amqpPort + "\n" + tail(currentLog(), 60));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(HOST, amqpPort), 500);
                return;
            } catch (IOException notYet) {
                sleep(200);
            }
        }
        throw new IllegalStateException(name + " did not open AMQP port " + amqpPort + " within "
                + timeout.toSeconds() + " s\n" + tail(currentLog(), 60));
    }

    /** kill -9: no shutdown hook, no cluster leave, sockets reset by the kernel. */
    public synchronized void kill() {
        if (process == null) return;
        process.destroyForcibly();
        waitForExit(Duration.ofSeconds(15));
        process = null;
    }

    /**
     * SIGTERM: the node's graceful stop (leave the cluster, hand queues off). Returns the exit code, or -1
     * when it had to be killed after {@link #GRACEFUL_STOP_TIMEOUT}.
     */
    public synchronized int stopGracefully() {
        if (process == null) return 0;
        process.destroy();
        int code = -1;
        if (waitForExit(GRACEFUL_STOP_TIMEOUT)) {
            code = process.exitValue();
        } else {
            process.destroyForcibly();
            waitForExit(Duration.ofSeconds(15));
        }
        process = null;
        return code;
    }

    /** Sends SIGTERM without waiting, so that several nodes can stop at once. */
    synchronized void signalTerm() {
        if (process != null) process.destroy();
    }

    /** The output of every run so far. */
    public String output() {
        StringBuilder text = new StringBuilder();
        for (Path log : logFiles) {
            text.append("==> ").append(log).append('\n').append(read(log));
        }
        return text.toString();
    }

    /** The last {@code lines} lines of a log, for failure messages that stay readable. */
    static String tail(Path log, int lines) {
        List<String> all = read(log).lines().toList();
        return "==> " + log + " (last " + Math.min(lines, all.size()) + " lines)\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public String toString() {
        return name + " (AMQP " + amqpPort + ", remote " + remotePort + ")";
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    private boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String quote(String value) {
        if (value.matches("-?[0-9]+|true|false")) return value;
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
