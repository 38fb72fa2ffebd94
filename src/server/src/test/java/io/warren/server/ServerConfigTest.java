package io.warren.server;

import static io.warren.server.TestConfigs.problems;
import static io.warren.server.TestConfigs.problemsWithoutOrigin;
import static io.warren.server.TestConfigs.validate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerConfigTest {

    @TempDir
    Path dir;

    private void assertProblem(String hocon, String expected) {
        assertEquals(List.of(expected), problemsWithoutOrigin(dir, hocon), hocon);
    }

    @Test
    void theDefaultsAreValid() {
        ServerConfig c = validate(dir, Map.of(), "");
        assertEquals("", c.nodeName());
        assertEquals(Path.of("data").toAbsolutePath(), c.dataDir());
        assertEquals(c.dataDir().resolve("warren.pid"), c.pidFile());
        assertEquals("0.0.0.0", c.amqpHost());
        assertEquals(5672, c.amqpPort());
        assertEquals(ServerConfig.Backend.H2, c.backend());
    }

    @Test
    void theBrokersOwnDefaultsPassValidation() {
        com.typesafe.config.Config reference = com.typesafe.config.ConfigFactory.defaultReferenceUnresolved();
        org.junit.jupiter.api.Assumptions.assumeTrue(reference.hasPath("warren"),
                "warren-broker's reference.conf is on the classpath");
        ServerConfig c = ServerConfig.from(reference.resolve(), reference);
        assertEquals(c.config().getInt("warren.amqp.port"), c.amqpPort());
    }

    @Test
    void theExampleFromTheBriefReadsExactlyAndNamesTheVariable() {
        assertEquals(List.of("warren.amqp.port: 70000 is not a port (1-65535, or 0 for any free port)"
                        + " [from environment variable WARREN_AMQP_PORT]"),
                problems(dir, Map.of("WARREN_AMQP_PORT", "70000"), ""));
    }

    @Test
    void aProblemInAFileNamesTheFileAndLine() {
        List<String> found = problems(dir, Map.of(), "\n\nwarren.amqp.port = 70000");
        assertEquals(1, found.size());
        assertTrue(found.get(0).matches("warren\\.amqp\\.port: 70000 is not a port .* \\[from .*warren.*\\.conf: 3\\]"),
                found.get(0));
    }

    @Test
    void everyProblemIsReportedNotOnlyTheFirst() {
        List<String> found = problemsWithoutOrigin(dir, "warren.amqp.port = -1\nwarren.amqp.frame-max = 10\n"
                + "warren.persistence.backend = mysql");
        assertEquals(List.of(
                "warren.amqp.port: -1 is not a port (1-65535, or 0 for any free port)",
                "warren.amqp.frame-max: 10 is below the AMQP minimum frame size 4096",
                "warren.persistence.backend: mysql is not a persistence backend (h2 or postgres)"), found);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "warren.amqp.port = 65536 | warren.amqp.port: 65536 is not a port (1-65535, or 0 for any free port)",
            "warren.amqp.port = abc | warren.amqp.port: abc is not a whole number",
            "warren.amqp.port = 5672.5 | warren.amqp.port: 5672.5 is not a whole number",
            "warren.amqp.port = [1] | warren.amqp.port: [1] is not a whole number",
            "warren.amqp.host = \"\" | warren.amqp.host: must not be empty",
            "warren.amqp.host = \"my host\" | warren.amqp.host: \"my host\" is not a host name or address",
            "warren.amqp.frame-max = 4095 | warren.amqp.frame-max: 4095 is below the AMQP minimum frame size 4096",
            "warren.amqp.frame-max = lots | warren.amqp.frame-max: lots is not a size (bytes, or e.g. 128KiB)",
            "warren.amqp.channel-max = 0 | warren.amqp.channel-max: 0 is not a channel count (1-65535)",
            "warren.amqp.channel-max = 65536 | warren.amqp.channel-max: 65536 is not a channel count (1-65535)",
            "warren.amqp.heartbeat = -5s | warren.amqp.heartbeat: -5s is negative (0s disables heartbeats)",
            "warren.amqp.heartbeat = 1500ms | warren.amqp.heartbeat: 1500ms is not a whole number of seconds (AMQP negotiates seconds)",
            "warren.amqp.heartbeat = 65536s | warren.amqp.heartbeat: 65536s is longer than AMQP allows (65535s)",
            "warren.amqp.heartbeat = soon | warren.amqp.heartbeat: soon is not a duration (e.g. 60s, 500ms)",
            "warren.amqp.handshake-timeout = 0s | warren.amqp.handshake-timeout: 0s must be longer than zero",
            "warren.amqp.consumer-timeout = -1s | warren.amqp.consumer-timeout: -1s is negative (0s turns the consumer timeout off)",
            "warren.amqp.consumer-timeout = never | warren.amqp.consumer-timeout: never is not a duration (e.g. 60s, 500ms)",
            "warren.persistence.journal-alarm-after = 0s | warren.persistence.journal-alarm-after: 0s must be longer than zero",
            "warren.persistence.confirm-timeout = -1s | warren.persistence.confirm-timeout: -1s is negative (0s waits for confirms as long as it takes)",
            "warren.cluster.first-seed-forms-after = 0s | warren.cluster.first-seed-forms-after: 0s must be longer than zero",
            "warren.cluster.failover.alone-exit-after = soon | warren.cluster.failover.alone-exit-after: soon is not a duration (e.g. 60s, 500ms)",
            "warren.cluster.failover.unrequested-shard-delay = -1s | warren.cluster.failover.unrequested-shard-delay: -1s is negative (0s allocates shards in request order)",
            "warren.persistence.settled-ids.max = -1 | warren.persistence.settled-ids.max: -1 must be 0 (off) or more",
            "warren.persistence.settled-ids.max-age = -1s | warren.persistence.settled-ids.max-age: -1s is negative (0s forgets a settled id at once)",
            "warren.amqp.max-message-size = 0 | warren.amqp.max-message-size: 0 is not a message size (1 byte to 512MiB, RabbitMQ's limit)",
            "warren.amqp.max-message-size = 1GiB | warren.amqp.max-message-size: 1GiB is not a message size (1 byte to 512MiB, RabbitMQ's limit)",
            "warren.node-name = \"a b\" | warren.node-name: \"a b\" contains whitespace",
            "warren.data-dir = \"\" | warren.data-dir: must not be empty",
            "warren.data-dir = \"a\\u0000b\" | warren.data-dir: \"a\\u0000b\" is not a path: Nul character not allowed",
            "warren.vhosts = \"/\" | warren.vhosts: / is not a list of strings",
            "warren.vhosts = [\"/\", \"\"] | warren.vhosts[1]: \"\" is not a vhost name (1-255 characters)",
            "warren.vhosts = [\"/\", a, a] | warren.vhosts[2]: \"a\" is listed twice",
            "warren.management.enabled = maybe | warren.management.enabled: maybe is not true or false",
            "warren.management.pekko-management.enabled = sometimes | warren.management.pekko-management.enabled: sometimes is not auto, true or false",
            "warren.management.port = 5672 | warren.management.port: 5672 is also warren.amqp.port",
            "warren.cluster.remote-port = 15672 | warren.cluster.remote-port: 15672 is also warren.management.port",
            "warren.persistence.backend = mysql | warren.persistence.backend: mysql is not a persistence backend (h2 or postgres)",
            "warren.cluster.seed-nodes = [\"host:25520\"] | warren.cluster.seed-nodes[0]: \"host:25520\" is not a node address (pekko://warren@<host>:<port>)",
            "warren.cluster.seed-nodes = [\"pekko://warren@h:70000\"] | warren.cluster.seed-nodes[0]: \"pekko://warren@h:70000\" is not a node address (pekko://warren@<host>:<port>)",
            "warren.cluster.seed-nodes = [\"pekko://other@h:25520\"] | warren.cluster.seed-nodes[0]: \"pekko://other@h:25520\" is not a node address (pekko://warren@<host>:<port>)",
            "warren.memory-high-watermark = 0 | warren.memory-high-watermark: 0 is not a fraction of the heap (above 0, at most 1)",
            "warren.memory-high-watermark = 1.5 | warren.memory-high-watermark: 1.5 is not a fraction of the heap (above 0, at most 1)",
            "warren.memory-high-watermark = lots | warren.memory-high-watermark: lots is not a number (a fraction of the heap, e.g. 0.8)",
            "warren.persistence.snapshot-every = 0 | warren.persistence.snapshot-every: 0 must be at least 1",
            "warren.cluster.min-nr-of-members = 0 | warren.cluster.min-nr-of-members: 0 must be at least 1",
            "warren.cluster.remote-host = \"\" | warren.cluster.remote-host: must not be empty",
            "warren.cluster.remote-port = 65536 | warren.cluster.remote-port: 65536 is not a port (1-65535, or 0 for any free port)",
            "warren.amqp.prot = 5673 | warren.amqp.prot: unknown key (did you mean warren.amqp.port?)",
            "warren.frobnicate = yes | warren.frobnicate: unknown key",
            "warren.amqp = 5 | warren.amqp: 5 is not a section (expected { ... })",
            "warren.amqp.port = null | warren.amqp.port: is null",
    })
    void eachBadValueIsReportedWithItsKey(String hocon, String expected) {
        assertProblem(hocon, expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "warren.users = guest | warren.users: guest is not a list of users",
            "warren.users = [guest] | warren.users[0]: \"guest\" is not a user (expected { name, password, vhosts, tags })",
            "warren.users = [{ password = x }] | warren.users[0].name: missing",
            "warren.users = [{ name = a, password = \"\" }] | warren.users[0].password: must not be empty (RabbitMQ refuses blank passwords too)",
            "warren.users = [{ name = \"\", password = x }] | warren.users[0].name: must not be empty",
            "warren.users = [{ name = a, password = x, tgas = [] }] | warren.users[0].tgas: unknown key (did you mean tags?)",
            "warren.users = [{ name = a }] | warren.users[0].password: missing",
            "warren.users = [{ name = a, password = x, vhosts = [prod] }] | warren.users[0].vhosts: \"prod\" is not in warren.vhosts [/]",
            "warren.users = [{ name = a, password = x, tags = administrator }] | warren.users[0].tags: \"administrator\" is not a list of strings",
            "warren.users = [{ name = [a], password = x }] | warren.users[0].name: [\"a\"] is not a string",
            "warren.users = [{ name = a, password = x }, { name = a, password = y }] | warren.users[1].name: \"a\" is listed twice",
    })
    void eachMalformedUserIsReportedWithItsPosition(String hocon, String expected) {
        List<String> found = problemsWithoutOrigin(dir, hocon);
        assertEquals(1, found.size(), found.toString());
        assertEquals(expected, found.get(0).replaceFirst(" \\[from [^\\]]*\\]$", ""));
    }

    @Test
    void postgresNeedsAPostgresUrlAndAUser() {
        assertEquals(List.of(), problemsWithoutOrigin(dir, "warren.persistence.backend = postgres"));
        assertEquals(List.of(
                        "warren.persistence.postgres.user: must not be empty",
                        "warren.persistence.postgres.url: jdbc:mysql://db/w is not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)"),
                problemsWithoutOrigin(dir, "warren.persistence { backend = postgres, postgres { url = \"jdbc:mysql://db/w\", user = \"\" } }"));
    }

    @Test
    void postgresSettingsAreNotRequiredForH2() {
        assertEquals(List.of(), problemsWithoutOrigin(dir, "warren.persistence.postgres.url = \"\""));
    }

    @Test
    void portsMayRepeatOnDifferentInterfacesOrWhenAnyFreePortIsAsked() {
        assertEquals(List.of(), problemsWithoutOrigin(dir,
                "warren.amqp { host = 10.0.0.1, port = 7000 }\nwarren.management { host = 10.0.0.2, port = 7000 }"));
        assertEquals(List.of(), problemsWithoutOrigin(dir,
                "warren.amqp.port = 0\nwarren.management.port = 0\nwarren.cluster.remote-port = 0"));
        assertEquals(List.of(), problemsWithoutOrigin(dir,
                "warren.management { enabled = false, port = 5672 }"));
    }

    @Test
    void goodValuesInOtherFormsAreAcceptedAndNormalized() {
        ServerConfig c = validate(dir, Map.of("WARREN_FRAME_MAX", "128KiB", "WARREN_MAX_MESSAGE_SIZE", "16MiB",
                        "WARREN_AMQP_PORT", "0", "WARREN_HEARTBEAT", "0"),
                "warren.users = [{ name = app, password = pw }]\n"
                        + "warren.cluster.seed-nodes = [\"pekko://warren@[::1]:25520\", \"pekko://warren@node-1.svc:25520\"]");
        assertEquals(0, c.amqpPort());
        assertEquals(131072, c.config().getInt("warren.amqp.frame-max"));
        assertEquals(16 * 1024 * 1024, c.config().getInt("warren.amqp.max-message-size"));
        assertEquals(0, c.config().getDuration("warren.amqp.heartbeat").getSeconds());
        var user = c.config().getConfigList("warren.users").get(0);
        assertEquals(List.of("/"), user.getStringList("vhosts"), "vhosts default to every vhost");
        assertEquals(List.of(), user.getStringList("tags"), "tags default to none");
    }

    @Test
    void aConfigWithoutAWarrenSectionSaysWhereDefaultsComeFrom() {
        InvalidConfigException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidConfigException.class,
                () -> ServerConfig.from(com.typesafe.config.ConfigFactory.parseString("pekko.loglevel = INFO"),
                        com.typesafe.config.ConfigFactory.empty()));
        assertTrue(e.getMessage().startsWith("warren: missing: no warren section"), e.getMessage());
    }

    @Test
    void keysWithoutTheirOwnCheckAreTypeCheckedAgainstTheirDefault() throws Exception {
        com.typesafe.config.Config reference = com.typesafe.config.ConfigFactory.parseString(
                "warren { new-duration = 60s, new-number = 3, new-flag = true, new-list = [], new-name = x }")
                .withFallback(TestConfigs.contractDefaults());
        com.typesafe.config.Config bad = com.typesafe.config.ConfigFactory.parseString(
                "warren { new-duration = soon, new-number = many, new-flag = perhaps, new-list = 4, new-name = {} }")
                .withFallback(reference).resolve();
        InvalidConfigException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidConfigException.class,
                () -> ServerConfig.from(bad, reference));
        List<String> found = e.problems().stream().map(ConfigProblem::toString)
                .map(p -> p.replaceFirst(" \\[from [^\\]]*\\]$", "")).sorted().toList();
        assertEquals(List.of(
                "warren.new-duration: soon is not a duration (e.g. 60s, 500ms)",
                "warren.new-flag: perhaps is not a boolean like the default true",
                "warren.new-list: 4 is not a list like the default []",
                "warren.new-name: {} is not a string like the default \"x\"",
                "warren.new-number: many is not a number like the default 3"), found);
        com.typesafe.config.Config good = com.typesafe.config.ConfigFactory.parseString(
                "warren { new-duration = 2m, new-number = 4.5, new-flag = off, new-list = [a], new-name = y }")
                .withFallback(reference).resolve();
        assertEquals(4.5, ServerConfig.from(good, reference).config().getDouble("warren.new-number"));
    }

    @Test
    void editDistanceCountsSingleCharacterEdits() {
        assertEquals(0, ConfigValidator.editDistance("port", "port"));
        assertEquals(1, ConfigValidator.editDistance("prot", "port") - 1); // a swap is two edits
        assertEquals(3, ConfigValidator.editDistance("", "abc"));
        assertEquals(1, ConfigValidator.editDistance("pasword", "password"));
    }
}
