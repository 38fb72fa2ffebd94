package io.warren.broker.auth;

import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Users, their passwords and the virtual hosts each may open, as configured under warren.users. */
public final class UserDirectory {
    public record User(String name, String password, Set<String> vhosts, List<String> tags) {}

    private final Map<String, User> users = new HashMap<>();
    private final Set<String> vhosts;

    public UserDirectory(Config warren) {
        this.vhosts = Set.copyOf(warren.getStringList("vhosts"));
        for (Config u : warren.getConfigList("users")) {
            List<String> allowed = u.hasPath("vhosts") ? u.getStringList("vhosts") : List.copyOf(vhosts);
            List<String> tags = u.hasPath("tags") ? u.getStringList("tags") : List.of();
            users.put(u.getString("name"), new User(u.getString("name"), u.getString("password"), Set.copyOf(allowed), tags));
        }
    }

    public Optional<User> authenticate(String name, String password) {
        User u = users.get(name);
        if (u == null) return Optional.empty();
        // Constant-time compare: the time a wrong password takes says nothing about the right one.
        boolean ok = MessageDigest.isEqual(u.password().getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
        return ok ? Optional.of(u) : Optional.empty();
    }

    /** The user of that name, whatever its password: SASL EXTERNAL trusts the client certificate instead. */
    public Optional<User> lookup(String name) {
        return Optional.ofNullable(users.get(name));
    }

    public boolean vhostExists(String vhost) {
        return vhosts.contains(vhost);
    }

    public Set<String> vhosts() {
        return vhosts;
    }
}
