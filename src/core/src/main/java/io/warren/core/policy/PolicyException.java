package io.warren.core.policy;

/**
 * A policy that cannot be set. The message is RabbitMQ's {@code Validation failed\n\n<reason>\n} (what its HTTP API
 * answers in a 400's reason and rabbitmqctl prints); {@link #reason()} is the part after the header.
 */
public final class PolicyException extends IllegalArgumentException {
    private final String reason;

    public PolicyException(String reason) {
        super("Validation failed\n\n" + reason + "\n");
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
