package io.warren.server;

/**
 * One environment variable that overrides one config key.
 *
 * @param name  the variable, e.g. {@code WARREN_AMQP_PORT}
 * @param key   the config path it sets, e.g. {@code warren.amqp.port}
 * @param kind  how the variable's text becomes a config value
 * @param help  one line for {@code --help}
 */
public record EnvironmentVariable(String name, String key, Kind kind, String help) {

    /** How the text of a variable is turned into a value. */
    public enum Kind {
        /** Taken as is; HOCON converts it on read, so "5672", "true" and "60s" all work for their keys. */
        TEXT,
        /** Comma-separated; blanks around items are dropped, an empty variable is an empty list. */
        COMMA_LIST
    }
}
