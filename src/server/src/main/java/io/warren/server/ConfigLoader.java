package io.warren.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Stacks the config layers, highest precedence first:
 * command line ({@code -Dk=v} after the class name, {@code --data-dir}) &gt; JVM system properties &gt;
 * environment variables &gt; {@code --config} file &gt; reference.conf (Warren's and Pekko's defaults).
 */
public final class ConfigLoader {

    /**
     * Everything the loaded config depends on, passed in rather than read from globals so that precedence
     * is testable.
     */
    public record Sources(Properties commandLine, Properties systemProperties, Map<String, String> environment,
                          Optional<Path> configFile, Config reference) {

        /** The sources of the running process, with reference.conf from the classpath. */
        public static Sources ofProcess(CommandLine commandLine) {
            return new Sources(commandLine.overrides(), System.getProperties(), System.getenv(),
                    commandLine.configFile(), ConfigFactory.defaultReferenceUnresolved());
        }
    }

    private ConfigLoader() {}

    /**
     * The fully resolved config. Resolution happens once, after stacking, so a substitution in reference.conf
     * such as {@code canonical.port = ${warren.cluster.remote-port}} follows an override from any layer.
     *
     * @throws InvalidConfigException when the file is missing or unparseable, or a substitution is unresolved
     */
    public static Config load(Sources sources) {
        Config file = sources.configFile().map(ConfigLoader::parseFile).orElse(ConfigFactory.empty());
        Config stacked = ConfigFactory.parseProperties(sources.commandLine(),
                        ConfigParseOptions.defaults().setOriginDescription("command line"))
                .withFallback(ConfigFactory.parseProperties(sources.systemProperties(),
                        ConfigParseOptions.defaults().setOriginDescription("system properties")))
                .withFallback(EnvironmentOverrides.from(sources.environment()))
                .withFallback(file)
                .withFallback(sources.reference());
        try {
            return stacked.resolve(ConfigResolveOptions.defaults());
        } catch (ConfigException e) {
            throw new InvalidConfigException(List.of(new ConfigProblem("config", e.getMessage())));
        }
    }

    private static Config parseFile(Path file) {
        String unusable = !Files.exists(file) ? "no such file"
                : Files.isDirectory(file) ? "is a directory"
                : !Files.isReadable(file) ? "cannot be read" : null;
        if (unusable != null) {
            throw new InvalidConfigException(List.of(new ConfigProblem("--config", file + ": " + unusable)));
        }
        try {
            return ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        } catch (ConfigException e) {
            throw new InvalidConfigException(List.of(new ConfigProblem("--config", e.getMessage())));
        }
    }
}
