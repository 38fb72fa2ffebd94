package io.warren.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void noArgumentsRunsWithDefaults() {
        CommandLine c = CommandLine.parse(List.of());
        assertEquals(CommandLine.Action.RUN, c.action());
        assertEquals(Optional.empty(), c.configFile());
        assertEquals(0, c.overrides().size());
    }

    @Test
    void configFileDataDirAndPropertiesInBothSpellings() {
        CommandLine c = CommandLine.parse(List.of("--config", "a.conf", "--data-dir=/var/w",
                "-Dwarren.amqp.port=5673", "-Dpekko.loglevel=DEBUG", "-Dwarren.node-name="));
        assertEquals(Optional.of(Path.of("a.conf")), c.configFile());
        assertEquals("/var/w", c.overrides().getProperty("warren.data-dir"));
        assertEquals("5673", c.overrides().getProperty("warren.amqp.port"));
        assertEquals("DEBUG", c.overrides().getProperty("pekko.loglevel"));
        assertEquals("", c.overrides().getProperty("warren.node-name"));
        assertEquals(Optional.of(Path.of("b.conf")), CommandLine.parse(List.of("--config=b.conf")).configFile());
        assertEquals("d", CommandLine.parse(List.of("--data-dir", "d")).overrides().getProperty("warren.data-dir"));
    }

    @Test
    void actions() {
        assertEquals(CommandLine.Action.HELP, CommandLine.parse(List.of("--config", "x", "--help")).action());
        assertEquals(CommandLine.Action.HELP, CommandLine.parse(List.of("-h")).action());
        assertEquals(CommandLine.Action.PRINT_CONFIG, CommandLine.parse(List.of("--print-config")).action());
        assertEquals(CommandLine.Action.PRINT_DATA_DIR, CommandLine.parse(List.of("--print-data-dir")).action());
    }

    @Test
    void badArgumentsSayWhatIsWrong() {
        assertEquals("--config needs a value",
                assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse(List.of("--config"))).getMessage());
        assertEquals("--data-dir needs a value",
                assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse(List.of("--data-dir", ""))).getMessage());
        assertEquals("-Dfoo: expected -Dkey=value",
                assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse(List.of("-Dfoo"))).getMessage());
        assertEquals("-D=1: expected -Dkey=value",
                assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse(List.of("-D=1"))).getMessage());
        assertEquals("unknown argument --port",
                assertThrows(CommandLine.UsageException.class, () -> CommandLine.parse(List.of("--port", "1"))).getMessage());
    }
}
