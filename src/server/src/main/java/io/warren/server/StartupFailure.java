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

    /**
     * Which of the node's listen addresses (config key to host and port) another process already holds, checked
     * before the actor system starts: Pekko logs a failed bind with a stack trace, and would only fail after the
     * whole start-up. Port 0 (any free port) is never taken.
     */
    static Optional<String> takenPort(java.util.Map<String, java.net.InetSocketAddress> listeners) {
        for (var entry : listeners.entrySet()) {
            java.net.InetSocketAddress address = entry.getValue();
            if (address.getPort() == 0) continue;
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(address);
            } catch (BindException e) {
                return Optional.of(entry.getKey() + ": " + address.getHostString() + ":" + address.getPort()
                        + " is already in use by another process");
            } catch (java.io.IOException e) {
                // not a port clash (e.g. an address this host lacks): the real bind reports it
            }
        }
        return Optional.empty();
    }
}
