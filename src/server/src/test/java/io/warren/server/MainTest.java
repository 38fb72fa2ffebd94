package io.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Main up to the point where it would start a node: arguments, help, config errors and exit codes. */
class MainTest {

    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) {}

    private Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("--config", TestConfigs.contractDefaultsFile().toString()));
        all.addAll(List.of(args));
        int code = Main.run(all, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsOptionsAndEveryEnvironmentVariable() {
        Outcome o = run("--help");
        assertEquals(0, o.code());
        for (String option : List.of("--config FILE", "--data-dir DIR", "-Dkey=value", "--print-config")) {
            assertTrue(o.out().contains(option), option);
        }
        for (EnvironmentVariable v : EnvironmentOverrides.VARIABLES) {
            assertTrue(o.out().matches("(?s).*\\n  " + v.name() + " +" + v.key().replace(".", "\\.") + " .*"),
                    v.name() + " -> " + v.key());
        }
        assertTrue(o.out().contains(EnvironmentOverrides.DEFAULT_USER));
    }

    @Test
    void helpListsTheDefaultsItIsGiven() {
        String help = HelpText.render(TestConfigs.contractDefaults());
        assertTrue(help.contains("  warren.amqp.port = 5672\n"), help);
        assertTrue(help.contains("  warren.amqp.heartbeat = \"60s\"\n") || help.contains("  warren.amqp.heartbeat = 60s\n"), help);
        assertTrue(help.contains("  warren.cluster.seed-nodes = []\n"), help);
    }

    @Test
    void badValueExitsWithTwoAndOneLinePerProblem() {
        Outcome o = run("-Dwarren.amqp.port=70000", "-Dwarren.amqp.channel-max=0");
        assertEquals(2, o.code());
        assertEquals(List.of(
                "warren.amqp.port: 70000 is not a port (1-65535, or 0 for any free port) [from command line]",
                "warren.amqp.channel-max: 0 is not a channel count (1-65535) [from command line]",
                "warren: invalid configuration, not starting (see --help)"), o.err().lines().toList());
        assertEquals("", o.out());
    }

    @Test
    void unknownArgumentExitsWithTwo() {
        Outcome o = run("--port", "5673");
        assertEquals(2, o.code());
        assertEquals("warren: unknown argument --port (see --help)", o.err().strip());
    }

    @Test
    void missingConfigFileExitsWithTwo() {
        Path missing = dir.resolve("missing.conf");
        Outcome o = run("--config", missing.toString());
        assertEquals(2, o.code());
        assertTrue(o.err().startsWith("--config: " + missing + ": no such file"), o.err());
    }

    @Test
    void printConfigShowsTheResolvedNormalizedValues() {
        Outcome o = run("-Dwarren.amqp.port=5673", "-Dwarren.amqp.frame-max=64KiB", "--print-config");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("port=5673") || o.out().contains("port = 5673") || o.out().contains("\"port\" : 5673"),
                o.out());
        assertTrue(o.out().contains("65536"), o.out());
    }

    @Test
    void printDataDirIsAbsolute() {
        Outcome o = run("--data-dir", "some/dir", "--print-data-dir");
        assertEquals(0, o.code(), o.err());
        assertEquals(Path.of("some/dir").toAbsolutePath().normalize().toString(), o.out().strip());
    }
}
