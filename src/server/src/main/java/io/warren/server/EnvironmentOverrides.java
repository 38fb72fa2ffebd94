package io.warren.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The environment variables Warren reads, as an explicit table: a generic WARREN_X_Y → warren.x.y rule
 * cannot tell {@code warren.node-name} from {@code warren.node.name}, and a table is what --help prints.
 */
public final class EnvironmentOverrides {

    public static final String DEFAULT_USER = "WARREN_DEFAULT_USER";
    public static final String DEFAULT_PASS = "WARREN_DEFAULT_PASS";

    public static final List<EnvironmentVariable> VARIABLES = List.of(
            text("WARREN_NODE_NAME", "warren.node-name", "node name; empty = host:amqp-port"),
            text("WARREN_DATA_DIR", "warren.data-dir", "directory for the H2 journal and warren.pid"),
            text("WARREN_AMQP_HOST", "warren.amqp.host", "interface the AMQP listener binds"),
            text("WARREN_AMQP_PORT", "warren.amqp.port", "AMQP port (0 = any free port)"),
            text("WARREN_FRAME_MAX", "warren.amqp.frame-max", "largest frame offered to clients, bytes (>= 4096)"),
            text("WARREN_CHANNEL_MAX", "warren.amqp.channel-max", "most channels per connection (1-65535)"),
            text("WARREN_HEARTBEAT", "warren.amqp.heartbeat", "heartbeat offered to clients, e.g. 60s (0s = off)"),
            text("WARREN_HANDSHAKE_TIMEOUT", "warren.amqp.handshake-timeout", "time a client has to open its connection"),
            text("WARREN_MAX_MESSAGE_SIZE", "warren.amqp.max-message-size", "largest message body, bytes or e.g. 16MiB"),
            list("WARREN_VHOSTS", "warren.vhosts", "virtual hosts, comma-separated"),
            list("WARREN_LOOPBACK_USERS", "warren.loopback-users",
                    "users allowed only from loopback addresses, comma-separated (empty: none)"),
            text("WARREN_AMQP_TLS_ENABLED", "warren.amqp.tls.enabled", "true/false: AMQPS listener"),
            text("WARREN_AMQP_TLS_PORT", "warren.amqp.tls.port", "AMQPS port (default 5671)"),
            text("WARREN_TLS_CERTIFICATE", "warren.tls.certificate", "server certificate (chain), PEM file"),
            text("WARREN_TLS_PRIVATE_KEY", "warren.tls.private-key", "server private key, unencrypted PKCS#8 PEM file"),
            text("WARREN_TLS_CA_CERTIFICATES", "warren.tls.ca-certificates", "CAs for client certificates, PEM file"),
            text("WARREN_MANAGEMENT_TLS_ENABLED", "warren.management.tls.enabled", "true/false: HTTPS for management"),
            text("WARREN_MEMORY_HIGH_WATERMARK", "warren.memory-high-watermark",
                    "heap fraction above which publishers are blocked, e.g. 0.8"),
            text("WARREN_MANAGEMENT_ENABLED", "warren.management.enabled", "true/false: management HTTP"),
            text("WARREN_MANAGEMENT_HOST", "warren.management.host", "interface the management HTTP binds"),
            text("WARREN_MANAGEMENT_PORT", "warren.management.port", "management HTTP port"),
            text("WARREN_PERSISTENCE_BACKEND", "warren.persistence.backend", "h2 or postgres"),
            text("WARREN_POSTGRES_URL", "warren.persistence.postgres.url", "JDBC URL, jdbc:postgresql://host:port/db"),
            text("WARREN_POSTGRES_USER", "warren.persistence.postgres.user", "PostgreSQL user"),
            text("WARREN_POSTGRES_PASSWORD", "warren.persistence.postgres.password", "PostgreSQL password"),
            list("WARREN_SEED_NODES", "warren.cluster.seed-nodes", "seed node addresses pekko://warren@host:port, comma-separated"),
            text("WARREN_MIN_NR_OF_MEMBERS", "warren.cluster.min-nr-of-members", "members needed before queues are placed"),
            text("WARREN_REMOTE_HOST", "warren.cluster.remote-host", "host other nodes reach this node on"),
            text("WARREN_REMOTE_PORT", "warren.cluster.remote-port", "cluster (Artery) port"),
            text("WARREN_PEKKO_MANAGEMENT_PORT", "pekko.management.http.port",
                    "Pekko Management port (/alive, /ready, cluster bootstrap)"));

    private EnvironmentOverrides() {}

    /**
     * The config layer the given environment defines. Each value's origin names its variable, so that a
     * validation error can say where a bad value came from.
     *
     * @throws InvalidConfigException when WARREN_DEFAULT_USER and WARREN_DEFAULT_PASS are not set together
     */
    public static Config from(Map<String, String> environment) {
        Config layer = ConfigFactory.empty("environment variables");
        for (EnvironmentVariable variable : VARIABLES) {
            String text = environment.get(variable.name());
            if (text == null) {
                continue;
            }
            Object value = switch (variable.kind()) {
                case TEXT -> text;
                case COMMA_LIST -> Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            };
            layer = layer.withValue(variable.key(),
                    ConfigValueFactory.fromAnyRef(value, "environment variable " + variable.name()));
        }
        return withDefaultUser(layer, environment);
    }

    /**
     * WARREN_DEFAULT_USER/WARREN_DEFAULT_PASS replace the user list with one administrator on every
     * configured vhost, like RABBITMQ_DEFAULT_USER/RABBITMQ_DEFAULT_PASS: the way to get rid of guest/guest
     * in a container without writing a config file.
     */
    private static Config withDefaultUser(Config layer, Map<String, String> environment) {
        String user = environment.get(DEFAULT_USER);
        String pass = environment.get(DEFAULT_PASS);
        if (user == null && pass == null) {
            return layer;
        }
        if (user == null || pass == null) {
            String missing = user == null ? DEFAULT_USER : DEFAULT_PASS;
            String present = user == null ? DEFAULT_PASS : DEFAULT_USER;
            throw new InvalidConfigException(List.of(new ConfigProblem("warren.users",
                    present + " is set but " + missing + " is not: set both or neither")));
        }
        // The vhost list is a substitution so that it follows warren.vhosts from whichever layer sets it.
        Config user0 = ConfigFactory.parseString(
                "warren.users = [{ name = " + quote(user) + ", password = " + quote(pass)
                        + ", vhosts = ${warren.vhosts}, tags = [administrator] }]",
                com.typesafe.config.ConfigParseOptions.defaults()
                        .setOriginDescription("environment variables " + DEFAULT_USER + "/" + DEFAULT_PASS));
        return layer.withFallback(user0);
    }

    private static String quote(String s) {
        return ConfigValueFactory.fromAnyRef(s).render(com.typesafe.config.ConfigRenderOptions.concise());
    }

    private static EnvironmentVariable text(String name, String key, String help) {
        return new EnvironmentVariable(name, key, EnvironmentVariable.Kind.TEXT, help);
    }

    private static EnvironmentVariable list(String name, String key, String help) {
        return new EnvironmentVariable(name, key, EnvironmentVariable.Kind.COMMA_LIST, help);
    }
}
