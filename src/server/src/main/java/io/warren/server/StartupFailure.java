package io.warren.server;

import java.net.BindException;
import java.util.Optional;

/**
 * Start-up failures an operator fixes without reading a stack trace: a port that another process holds. Pekko
 * wraps the BindException of the AMQP listener and of remoting in its own exceptions, whose messages name the
 * address; one line with that message says everything.
 */
final class StartupFailure {
    private StartupFailure() {}

    /** One line for a port already in use anywhere in the cause chain; empty for anything else. */
    static Optional<String> portInUse(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof BindException || message.contains("Address already in use")) {
                String outer = failure.getCause() != null ? failure.getCause().getMessage() : failure.getMessage();
                return Optional.of("a port is already in use by another process: " + firstLine(outer));
            }
        }
        return Optional.empty();
    }

    private static String firstLine(String message) {
        if (message == null) return "";
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
