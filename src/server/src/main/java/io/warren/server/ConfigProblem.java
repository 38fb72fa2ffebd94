package io.warren.server;

/**
 * One thing wrong with the configuration.
 *
 * @param key     the config path at fault, e.g. {@code warren.amqp.port} or {@code warren.users[1].name}
 * @param message what is wrong with it, phrased to follow "key: "
 */
public record ConfigProblem(String key, String message) {
    /** The one line printed at startup: {@code warren.amqp.port: 70000 is not a port (...)}. */
    @Override
    public String toString() {
        return key + ": " + message;
    }
}
