package io.warren.broker.auth;

import io.warren.amqp.AmqpException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * connection.start-ok's rules: which SASL mechanisms are offered, who the response names, whether that user may log
 * in from where the connection comes from (loopback_users), and how long a refusal waits (failure throttling).
 * Refusals carry a reason for the log, never the password.
 */
public final class Authenticator {

    public sealed interface Outcome {
        record Accepted(UserDirectory.User user) implements Outcome {}

        /**
         * @param clientText the connection.close text (without the "ACCESS_REFUSED - " prefix)
         * @param logReason  why, for the broker log
         * @param delay      how long to wait before answering (throttling of repeated failures)
         */
        record Refused(String clientText, String logReason, Duration delay) implements Outcome {}
    }

    private final UserDirectory users;
    private final List<String> mechanisms;
    private final Set<String> loopbackUsers;
    private final AuthFailureThrottle throttle;

    public Authenticator(UserDirectory users, List<String> mechanisms, Set<String> loopbackUsers, AuthFailureThrottle throttle) {
        this.users = users;
        this.mechanisms = List.copyOf(mechanisms);
        this.loopbackUsers = Set.copyOf(loopbackUsers);
        this.throttle = throttle;
    }

    /**
     * The mechanisms connection.start lists: EXTERNAL only where it can work, on a TLS connection whose client sent
     * a certificate (as rabbitmq-auth-mechanism-ssl offers it).
     */
    public String offered(boolean peerCertificate) {
        return String.join(" ", mechanisms.stream().filter(m -> peerCertificate || !m.equals("EXTERNAL")).toList());
    }

    /**
     * @param remoteHost  the client's IP address as text
     * @param remote      host:port, for the log and the throttle
     * @param peerName    the CN of the client certificate, if the connection has a verified one
     */
    public Outcome authenticate(String mechanism, byte[] response, String remoteHost, String remote, Optional<String> peerName) {
        Outcome outcome = check(mechanism, response, remoteHost, peerName);
        if (outcome instanceof Outcome.Refused r) {
            return new Outcome.Refused(r.clientText(), r.logReason(), throttle.failed(remoteHost));
        }
        throttle.succeeded(remoteHost);
        return outcome;
    }

    private Outcome check(String mechanism, byte[] response, String remoteHost, Optional<String> peerName) {
        if (!List.of(offered(peerName.isPresent()).split(" ")).contains(mechanism)) {
            return refused("unsupported authentication mechanism '" + mechanism + "'",
                    "unsupported authentication mechanism '" + mechanism + "'");
        }
        UserDirectory.User user;
        if (mechanism.equals("EXTERNAL")) {
            String name = peerName.orElseThrow();
            Optional<UserDirectory.User> found = users.lookup(name);
            if (found.isEmpty()) {
                return refused("EXTERNAL login refused: user '" + name + "' - invalid credentials",
                        "user '" + name + "' (client certificate CN) is not a known user");
            }
            user = found.get();
        } else {
            SaslResponse.Credentials c;
            try {
                c = SaslResponse.parse(mechanism, response);
            } catch (AmqpException e) {
                return refused(mechanism + " login refused: malformed response", "malformed " + mechanism + " response");
            }
            Optional<UserDirectory.User> found = users.authenticate(c.user(), c.password());
            if (found.isEmpty()) {
                String why = users.lookup(c.user()).isPresent() ? "wrong password" : "unknown user";
                return refused(mechanism + " login refused: user '" + c.user() + "' - invalid credentials",
                        "user '" + c.user() + "': " + why);
            }
            user = found.get();
        }
        if (loopbackUsers.contains(user.name()) && !isLoopback(remoteHost)) {
            return refused("user '" + user.name() + "' can only connect via localhost",
                    "user '" + user.name() + "' is in warren.loopback-users and may only connect from a loopback address");
        }
        return new Outcome.Accepted(user);
    }

    private static Outcome refused(String clientText, String logReason) {
        return new Outcome.Refused(clientText, logReason, Duration.ZERO);
    }

    /** The listener hands us literal IP addresses, so this never does a DNS lookup. */
    static boolean isLoopback(String host) {
        if (!host.matches("[0-9a-fA-F.:%]+")) return false;
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
