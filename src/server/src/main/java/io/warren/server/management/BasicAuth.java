package io.warren.server.management;

import io.warren.broker.auth.UserDirectory;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * HTTP basic authentication against Warren's users. As in RabbitMQ, reading the management API takes a user
 * tagged {@code administrator} or {@code monitoring} (those see every vhost).
 */
final class BasicAuth {
    private BasicAuth() {}

    /** The user the Authorization header authenticates, if it does. */
    static Optional<UserDirectory.User> user(UserDirectory users, Optional<String> authorizationHeader) {
        return authorizationHeader.flatMap(BasicAuth::decode).flatMap(c -> users.authenticate(c[0], c[1]));
    }

    /** Why a request was refused, with RabbitMQ's reason text; empty when it may proceed. */
    static Optional<String> refusal(UserDirectory users, Optional<String> authorizationHeader) {
        return user(users, authorizationHeader).map(BasicAuth::refusal).orElse(Optional.of("Not_Authorized"));
    }

    /** Reading the API takes an administrator or monitoring user, as in RabbitMQ. */
    static Optional<String> refusal(UserDirectory.User user) {
        boolean monitor = user.tags().contains("administrator") || user.tags().contains("monitoring");
        return monitor ? Optional.empty() : Optional.of("Not monitor user");
    }

    /** Writing through the API takes any of RabbitMQ's management tags (then the user's permissions decide). */
    static boolean isManagementUser(UserDirectory.User user) {
        return user.tags().stream().anyMatch(t -> t.equals("administrator") || t.equals("monitoring")
                || t.equals("management") || t.equals("policymaker"));
    }

    /** user and password of a "Basic base64(user:password)" header, if it is one. */
    static Optional<String[]> decode(String header) {
        String h = header.trim();
        if (h.length() < 6 || !h.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        return Optional.of(new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)});
    }
}
