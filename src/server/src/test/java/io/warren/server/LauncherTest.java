package io.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/warren as a real process. WARREN_CLASSPATH points it at this test run's classpath, so it never builds
 * here. Starting and stopping a real node belongs in tests/, once the broker exists.
 */
class LauncherTest {

    private static final Path LAUNCHER = Path.of("").toAbsolutePath().resolve("../../bin/warren").normalize();

    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) {}

    @BeforeAll
    static void launcherIsThere() {
        assertTrue(Files.isExecutable(LAUNCHER), LAUNCHER + " is executable");
    }

    private Outcome warren(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("WARREN_"));
        builder.environment().put("WARREN_CLASSPATH", System.getProperty("java.class.path"));
        // these JVMs live a second: skip the optimizing compiler (also shows WARREN_JAVA_OPTS reaches java)
        builder.environment().put("WARREN_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        builder.environment().putAll(env);
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("bin/warren " + String.join(" ", args) + " did not finish");
        }
        return new Outcome(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private String defaults() {
        return TestConfigs.contractDefaultsFile().toString();
    }

    @Test
    void helpDescribesTheLauncherAndTheNode() throws Exception {
        Outcome o = warren(Map.of(), "--help");
        assertEquals(0, o.code(), o.err());
        for (String text : List.of("bin/warren start", "bin/warren stop", "WARREN_JAVA_OPTS", "--config FILE",
                "WARREN_AMQP_PORT", "WARREN_SEED_NODES")) {
            assertTrue(o.out().contains(text), text + " in\n" + o.out());
        }
    }

    @Test
    void badSystemPropertyFailsStartWithTwoAndNamesTheKey() throws Exception {
        Outcome o = warren(Map.of(), "start", "--config", defaults(), "-Dwarren.amqp.port=70000");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(
                "warren.amqp.port: 70000 is not a port (1-65535, or 0 for any free port) [from system properties]"),
                o.err());
        assertFalse(Files.exists(dir.resolve("data/warren.pid")), "no pid file for a node that never started");
    }

    @Test
    void badEnvironmentVariableFailsStartWithTwoAndNamesTheVariable() throws Exception {
        Outcome o = warren(Map.of("WARREN_HEARTBEAT", "-5s"), "start", "--config", defaults());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("warren.amqp.heartbeat: -5s is negative (0s disables heartbeats)"
                + " [from environment variable WARREN_HEARTBEAT]"), o.err());
    }

    @Test
    void badConfigFileFailsStartWithTwo() throws Exception {
        Path file = TestConfigs.file(dir, "include \"" + defaults() + "\"\nwarren.persistence.backend = mongo\n");
        Outcome o = warren(Map.of(), "start", "--config", file.toString());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("warren.persistence.backend: mongo is not a persistence backend (h2 or postgres)"
                + " [from " + file + ": 2]"), o.err());
    }

    @Test
    void unknownCommandAndArgumentFailWithTwo() throws Exception {
        assertEquals(2, warren(Map.of(), "launch").code());
        Outcome o = warren(Map.of(), "start", "--bogus");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("unknown argument --bogus"), o.err());
    }

    @Test
    void stopWithoutANodeSaysSoAndExitsWithOne() throws Exception {
        Outcome o = warren(Map.of("WARREN_DATA_DIR", "d"), "stop");
        assertEquals(1, o.code());
        assertTrue(o.err().contains("no Warren node running with data in " + dir.resolve("d")), o.err());
        assertEquals(3, warren(Map.of("WARREN_DATA_DIR", "d"), "status").code());
    }

    @Test
    void stopWithAStalePidFileSaysTheProcessHasExited() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        Files.createDirectories(dir.resolve("d"));
        Files.writeString(dir.resolve("d/warren.pid"), exited.pid() + "\n");
        Outcome o = warren(Map.of(), "stop", "--data-dir", "d");
        assertEquals(1, o.code());
        assertTrue(o.err().contains("names pid " + exited.pid() + ", which has exited"), o.err());
    }

    @Test
    void stopNeverSignalsAProcessThatIsNotWarren() throws Exception {
        Process other = new ProcessBuilder("sleep", "30").start();
        try {
            Files.createDirectories(dir.resolve("d"));
            Files.writeString(dir.resolve("d/warren.pid"), other.pid() + "\n");
            Outcome o = warren(Map.of(), "stop", "-Dwarren.data-dir=d");
            assertEquals(1, o.code());
            assertTrue(o.err().contains("is not a Warren node"), o.err());
            assertTrue(other.isAlive(), "left alone");
        } finally {
            other.destroy();
        }
    }

    @Test
    void stopSignalsTheNodeFoundThroughTheConfigFileAndWaitsForItToExit() throws Exception {
        // stands in for a node: its command line names Warren's main class, and SIGTERM ends it
        Process node = new ProcessBuilder("bash", "-c", "sleep 30; true", Main.class.getName()).start();
        try {
            Path config = TestConfigs.file(dir, "warren.data-dir = from-file");
            Files.createDirectories(dir.resolve("from-file"));
            Files.writeString(dir.resolve("from-file/warren.pid"), node.pid() + "\n");
            assertEquals(0, warren(Map.of(), "status", "--config", config.toString()).code());
            Outcome o = warren(Map.of(), "stop", "--config", config.toString());
            assertEquals(0, o.code(), o.err());
            assertTrue(o.out().contains("stopped (pid " + node.pid() + ")"), o.out());
            assertTrue(node.waitFor(5, TimeUnit.SECONDS));
        } finally {
            node.destroyForcibly();
        }
    }
}
