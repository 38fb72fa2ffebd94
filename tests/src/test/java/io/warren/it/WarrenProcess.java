package io.warren.it;

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
import java.util.concurrent.TimeUnit;

/**
 * A Warren server JVM (io.warren.server.Main on the test class path) that a test starts, stops, kills and
 * starts again; each run appends its output to a log file of its own, so a failure message can show every run.
 */
public final class WarrenProcess {
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(15);
    private static final int FAILURE_LOG_LINES = 60;

    private final String name;
    private final Path logDir;
    private final List<Path> logFiles = new ArrayList<>();
    private Process process;

    /** {@code name} names the log files ({@code <name>-run<n>.log} in {@code logDir}) and the failure messages. */
    public WarrenProcess(String name, Path logDir) {
        this.name = name;
        this.logDir = logDir;
    }

    /**
     * Starts {@code java -Xmx512m <jvmOptions> -cp <test class path> io.warren.server.Main <mainArguments>} in
     * {@code workingDirectory} (null: this JVM's) and returns at once; {@link #awaitPort} waits for it to listen.
     */
    public synchronized void launch(List<String> jvmOptions, List<String> mainArguments, Path workingDirectory) {
        launch(List.of(), jvmOptions, mainArguments, workingDirectory);
    }

    /**
     * As {@link #launch(List, List, Path)}, with {@code commandPrefix} in front of {@code java}: e.g.
     * {@code ip netns exec <namespace>}, which execs java in place (the process is still the JVM, so its pid and
     * signals are the broker's).
     */
    public synchronized void launch(List<String> commandPrefix, List<String> jvmOptions, List<String> mainArguments,
                                    Path workingDirectory) {
        if (isRunning()) throw new IllegalStateException(this + " is already running");
        try {
            Path log = logDir.resolve(name + "-run" + (logFiles.size() + 1) + ".log");
            logFiles.add(log);
            List<String> command = new ArrayList<>(commandPrefix);
            command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx512m");
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(testClassPath());
            command.add("io.warren.server.Main");
            command.addAll(mainArguments);
            Files.writeString(log, "# " + Instant.now() + " " + String.join(" ", command.subList(0, commandPrefix.size() + 2))
                    + " ... io.warren.server.Main " + String.join(" ", mainArguments) + "\n", StandardCharsets.UTF_8);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            if (workingDirectory != null) builder.directory(workingDirectory.toFile());
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + this, e);
        }
    }

    /**
     * Waits until {@code host:port} accepts connections; fails early, with the log, if the process exits, and
     * kills it when the port stays closed, so that a failed start leaves no process behind.
     */
    public void awaitPort(String host, int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Process current;
            synchronized (this) {
                current = process;
            }
            if (current == null || !current.isAlive()) {
                throw new IllegalStateException(this + " exited"
                        + (current == null ? "" : " with code " + current.exitValue())
                        + " before opening port " + port + "\n" + tail(currentLog(), FAILURE_LOG_LINES));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 500);
                return;
            } catch (IOException notYet) {
                sleep(200);
            }
        }
        kill();
        throw new IllegalStateException(this + " did not open port " + port + " within "
                + timeout.toSeconds() + " s\n" + tail(currentLog(), FAILURE_LOG_LINES));
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        if (process == null) throw new IllegalStateException(this + " is not running");
        return process.pid();
    }

    /** The exit code of a run that ended by itself; -1 while it runs, or when it was stopped or killed by the test. */
    public synchronized int exitCode() {
        return process == null || process.isAlive() ? -1 : process.exitValue();
    }

    /** kill -9: no shutdown hook runs, the kernel resets the sockets. Returns when the process is gone. */
    public synchronized void kill() {
        if (process == null) return;
        process.destroyForcibly();
        waitForExit(KILL_TIMEOUT);
        process = null;
    }

    /**
     * SIGTERM, and kill -9 if the process is still there after {@code grace}. Returns the exit code, -1 when it
     * had to be killed, 0 when it was not running.
     */
    public synchronized int stopGracefully(Duration grace) {
        if (process == null) return 0;
        process.destroy();
        int code = -1;
        if (waitForExit(grace)) {
            code = process.exitValue();
        } else {
            process.destroyForcibly();
            waitForExit(KILL_TIMEOUT);
        }
        process = null;
        return code;
    }

    /** Sends SIGTERM without waiting, so that several processes can stop at once. */
    public synchronized void signalTerm() {
        if (process != null) process.destroy();
    }

    public synchronized List<Path> logFiles() { return List.copyOf(logFiles); }

    /** The log of the current (or last) run. */
    public synchronized Path currentLog() {
        if (logFiles.isEmpty()) throw new IllegalStateException(this + " has never run");
        return logFiles.get(logFiles.size() - 1);
    }

    /** The output of every run so far. */
    public String output() {
        StringBuilder text = new StringBuilder();
        for (Path log : logFiles()) {
            text.append("==> ").append(log).append('\n').append(read(log));
        }
        return text.toString();
    }

    /** The last {@code lines} lines of a log, for failure messages that stay readable. */
    public static String tail(Path log, int lines) {
        List<String> all = read(log).lines().toList();
        return "==> " + log + " (last " + Math.min(lines, all.size()) + " lines)\n"
                + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** Thread.sleep for polling loops: an interrupt ends the test. */
    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Warren " + name;
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

    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }
}
