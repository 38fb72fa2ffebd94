package io.warren.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/** Config layers for tests, on top of the contract's defaults rather than the classpath's reference.conf. */
final class TestConfigs {
    private TestConfigs() {}

    static final String DEFAULTS_RESOURCE = "contract-defaults.conf";

    /** The defaults, with an origin that reads like reference.conf so problems do not cite them. */
    static Config contractDefaults() {
        try (InputStream in = TestConfigs.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return ConfigFactory.parseString(text,
                    ConfigParseOptions.defaults().setOriginDescription("reference.conf (contract defaults)"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The defaults as a file, for --config in tests that run Main itself. */
    static Path contractDefaultsFile() {
        try {
            return Path.of(TestConfigs.class.getResource(DEFAULTS_RESOURCE).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Properties properties(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    static ConfigLoader.Sources sources(Properties commandLine, Properties systemProperties, Map<String, String> env,
                                        Optional<Path> file) {
        return new ConfigLoader.Sources(commandLine, systemProperties, env, file, contractDefaults());
    }

    /** A config file with the given HOCON text, in the given directory. */
    static Path file(Path dir, String hocon) {
        try {
            Path f = Files.createTempFile(dir, "warren", ".conf");
            Files.writeString(f, hocon);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads overrides (environment variables plus a config file's text) and validates. */
    static ServerConfig validate(Path dir, Map<String, String> env, String hocon) {
        ConfigLoader.Sources sources = sources(new Properties(), new Properties(), env, Optional.of(file(dir, hocon)));
        return ServerConfig.from(ConfigLoader.load(sources), sources.reference());
    }

    /** Every problem line validation reports for this config file text, or none. */
    static List<String> problems(Path dir, Map<String, String> env, String hocon) {
        try {
            validate(dir, env, hocon);
            return List.of();
        } catch (InvalidConfigException e) {
            return e.problems().stream().map(ConfigProblem::toString).toList();
        }
    }

    /** The problem lines without the " [from file: line]" origin suffix, which names a temporary file. */
    static List<String> problemsWithoutOrigin(Path dir, String hocon) {
        return problems(dir, Map.of(), hocon).stream().map(p -> p.replaceFirst(" \\[from [^\\]]*\\]$", "")).toList();
    }
}
