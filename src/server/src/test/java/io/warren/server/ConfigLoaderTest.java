package io.warren.server;

import static io.warren.server.TestConfigs.file;
import static io.warren.server.TestConfigs.properties;
import static io.warren.server.TestConfigs.sources;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Config load(Properties commandLine, Properties system, Map<String, String> env, String fileText) {
        Optional<Path> f = fileText == null ? Optional.empty() : Optional.of(file(dir, fileText));
        return ConfigLoader.load(sources(commandLine, system, env, f));
    }

    @Test
    void defaultsApplyWhenNothingOverrides() {
        Config c = load(new Properties(), new Properties(), Map.of(), null);
        assertEquals(5672, c.getInt("warren.amqp.port"));
        assertEquals("data", c.getString("warren.data-dir"));
    }

    @Test
    void eachLayerBeatsTheOneBelowIt() {
        String fileText = "warren.amqp.port = 1001\nwarren.cluster.remote-port = 1001\n"
                + "warren.management.port = 1001\nwarren.data-dir = from-file";
        Map<String, String> env = Map.of("WARREN_AMQP_PORT", "1002", "WARREN_REMOTE_PORT", "1002",
                "WARREN_MANAGEMENT_PORT", "1002");
        Properties system = properties("warren.amqp.port", "1003", "warren.cluster.remote-port", "1003");
        Properties commandLine = properties("warren.amqp.port", "1004");

        Config c = load(commandLine, system, env, fileText);

        assertEquals(1004, c.getInt("warren.amqp.port"), "command line beats system properties");
        assertEquals(1003, c.getInt("warren.cluster.remote-port"), "system properties beat the environment");
        assertEquals(1002, c.getInt("warren.management.port"), "environment beats the file");
        assertEquals("from-file", c.getString("warren.data-dir"), "file beats the defaults");
        assertEquals(2047, c.getInt("warren.amqp.channel-max"), "defaults fill the rest");
    }

    @Test
    void fileMergesIntoSectionsInsteadOfReplacingThem() {
        Config c = load(new Properties(), new Properties(), Map.of(), "warren.amqp { port = 5673 }");
        assertEquals(5673, c.getInt("warren.amqp.port"));
        assertEquals(131072, c.getInt("warren.amqp.frame-max"));
    }

    @Test
    void everyDocumentedVariableSetsItsKey() {
        for (EnvironmentVariable v : EnvironmentOverrides.VARIABLES) {
            String value = v.kind() == EnvironmentVariable.Kind.COMMA_LIST ? "a, b" : "42";
            Config c = EnvironmentOverrides.from(Map.of(v.name(), value));
            assertTrue(c.hasPath(v.key()), v.name() + " sets " + v.key());
            Object expected = v.kind() == EnvironmentVariable.Kind.COMMA_LIST ? List.of("a", "b") : "42";
            assertEquals(expected, c.getValue(v.key()).unwrapped(), v.name());
        }
    }

    @Test
    void variablesMapToDistinctKeys() {
        long distinctKeys = EnvironmentOverrides.VARIABLES.stream().map(EnvironmentVariable::key).distinct().count();
        assertEquals(EnvironmentOverrides.VARIABLES.size(), distinctKeys);
        assertTrue(EnvironmentOverrides.VARIABLES.stream().allMatch(v -> v.name().startsWith("WARREN_")));
    }

    @Test
    void commaListsAreTrimmedAndAnEmptyVariableIsAnEmptyList() {
        Config seeds = load(new Properties(), new Properties(),
                Map.of("WARREN_SEED_NODES", " pekko://warren@a:25520 ,pekko://warren@b:25520,"), null);
        assertEquals(List.of("pekko://warren@a:25520", "pekko://warren@b:25520"),
                seeds.getStringList("warren.cluster.seed-nodes"));
        Config none = load(new Properties(), new Properties(), Map.of("WARREN_VHOSTS", ""), "warren.vhosts = [a]");
        assertEquals(List.of(), none.getStringList("warren.vhosts"));
    }

    @Test
    void environmentValuesConvertToTheKeysType() {
        Config c = load(new Properties(), new Properties(),
                Map.of("WARREN_HEARTBEAT", "15s", "WARREN_MANAGEMENT_ENABLED", "false"), null);
        assertEquals(15, c.getDuration("warren.amqp.heartbeat").getSeconds());
        assertEquals(false, c.getBoolean("warren.management.enabled"));
    }

    @Test
    void defaultUserReplacesTheUserListAndFollowsTheVhostsFromAnyLayer() {
        Config c = load(new Properties(), new Properties(),
                Map.of("WARREN_DEFAULT_USER", "admin", "WARREN_DEFAULT_PASS", "s3cr\"et"),
                "warren.vhosts = [\"/\", staging]");
        List<? extends Config> users = c.getConfigList("warren.users");
        assertEquals(1, users.size());
        assertEquals("admin", users.get(0).getString("name"));
        assertEquals("s3cr\"et", users.get(0).getString("password"));
        assertEquals(List.of("/", "staging"), users.get(0).getStringList("vhosts"));
        assertEquals(List.of("administrator"), users.get(0).getStringList("tags"));
    }

    @Test
    void defaultUserWithoutPasswordIsAProblem() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> load(new Properties(), new Properties(), Map.of("WARREN_DEFAULT_USER", "admin"), null));
        assertEquals("warren.users: WARREN_DEFAULT_USER is set but WARREN_DEFAULT_PASS is not: set both or neither",
                e.problems().get(0).toString());
    }

    @Test
    void substitutionsInTheDefaultsFollowOverrides() {
        Config reference = ConfigFactory.parseString(
                "warren.cluster.remote-port = 25520\npekko.remote.artery.canonical.port = ${warren.cluster.remote-port}");
        Config c = ConfigLoader.load(new ConfigLoader.Sources(new Properties(), new Properties(),
                Map.of("WARREN_REMOTE_PORT", "25600"), Optional.empty(), reference));
        assertEquals(25600, c.getInt("pekko.remote.artery.canonical.port"));
    }

    @Test
    void missingConfigFileIsAProblem() {
        Path missing = dir.resolve("nope.conf");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(
                sources(new Properties(), new Properties(), Map.of(), Optional.of(missing))));
        assertEquals("--config: " + missing + ": no such file", e.problems().get(0).toString());
    }

    @Test
    void unparseableConfigFileIsAProblemNamingTheFileAndLine() {
        Path broken = file(dir, "warren {\n  amqp { port = 5672\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(
                sources(new Properties(), new Properties(), Map.of(), Optional.of(broken))));
        String line = e.problems().get(0).toString();
        assertTrue(line.startsWith("--config: ") && line.contains(broken.getFileName().toString()), line);
    }

    @Test
    void unresolvedSubstitutionIsAProblem() {
        Path f = file(dir, "warren.node-name = ${nowhere.to.be.found}");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(
                sources(new Properties(), new Properties(), Map.of(), Optional.of(f))));
        assertTrue(e.problems().get(0).toString().contains("nowhere.to.be.found"), e.getMessage());
    }
}
