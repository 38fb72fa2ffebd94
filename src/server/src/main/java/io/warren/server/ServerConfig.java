package io.warren.server;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * A validated configuration: the values the server itself needs, typed, plus the whole config for the broker.
 *
 * @param nodeName   the configured node name, "" for host:amqp-port
 * @param dataDir    absolute data directory
 * @param amqpHost   interface the AMQP listener binds
 * @param amqpPort   configured AMQP port, 0 for any free port
 * @param backend    persistence backend
 * @param config     the full resolved config (warren.* normalized: sizes as plain numbers, user entries complete)
 */
public record ServerConfig(String nodeName, Path dataDir, String amqpHost, int amqpPort, Backend backend,
                           Config config) {

    public enum Backend {
        H2, POSTGRES;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Validates every warren.* value.
     *
     * @param resolved  the stacked, resolved config
     * @param reference the defaults, to tell a misspelt key from a known one
     * @throws InvalidConfigException listing every problem found
     */
    public static ServerConfig from(Config resolved, Config reference) {
        return new ConfigValidator(resolved, reference).validate();
    }

    public Path pidFile() {
        return dataDir.resolve("warren.pid");
    }
}
