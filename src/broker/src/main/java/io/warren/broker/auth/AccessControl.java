package io.warren.broker.auth;

import com.typesafe.config.Config;
import java.util.HashSet;

/** Who may connect and how many: authentication (with loopback_users and throttling) and the connection limits. */
public record AccessControl(Authenticator authenticator, ConnectionLimits limits) {

    public static AccessControl from(Config warren, UserDirectory users) {
        Authenticator authenticator = new Authenticator(users, warren.getStringList("auth-mechanisms"),
                new HashSet<>(warren.getStringList("loopback-users")),
                new AuthFailureThrottle(warren.getInt("auth-failure-throttle.after"),
                        warren.getDuration("auth-failure-throttle.delay")));
        return new AccessControl(authenticator, new ConnectionLimits(
                warren.getInt("limits.connections-per-vhost"), warren.getInt("limits.connections-per-user")));
    }
}
