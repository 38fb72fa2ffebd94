package io.warren.broker.auth;

import com.typesafe.config.Config;
import io.warren.core.access.AccessChange;
import io.warren.core.access.AccessState;
import io.warren.core.access.Action;
import io.warren.core.access.PasswordHash;
import io.warren.core.access.Permission;
import io.warren.core.access.ResourceKind;
import io.warren.core.access.UserAccount;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * This node's view of the cluster's users, vhosts and permissions (kept current by the access replica), and the way
 * to change them (through the cluster's one access entity). Before the node has loaded the cluster's state it holds
 * the config's seed: {@code warren.vhosts}, and {@code warren.users} with full permissions on their vhosts.
 */
public final class UserDirectory {
    /** A logged-in user: its name, the vhosts it may open (where it has permissions), its tags. */
    public record User(String name, Set<String> vhosts, List<String> tags) {}

    private final AccessState seed;
    private volatile AccessState state;
    private boolean loaded;
    private final List<Waiter> waiting = new ArrayList<>();
    private volatile Function<AccessChange, CompletionStage<Long>> writer;

    private record Waiter(long version, CompletableFuture<Long> done) {}

    public UserDirectory(Config warren) {
        this.seed = seedFrom(warren);
        this.state = seed;
    }

    /** The state a fresh cluster starts from: the config's vhosts and users (hashed), each with ".*" on its vhosts. */
    public static AccessState seedFrom(Config warren) {
        AccessState s = AccessState.empty();
        List<String> vhosts = warren.getStringList("vhosts");
        for (String v : vhosts) s = s.apply(new AccessChange.PutVhost(v));
        for (Config u : warren.getConfigList("users")) {
            String name = u.getString("name");
            List<String> tags = u.hasPath("tags") ? u.getStringList("tags") : List.of();
            s = s.apply(new AccessChange.PutUser(new UserAccount(name, PasswordHash.hash(u.getString("password")), tags)));
            for (String v : u.hasPath("vhosts") ? u.getStringList("vhosts") : vhosts) {
                s = s.apply(new AccessChange.SetPermission(name, v, Permission.all()));
            }
        }
        return s;
    }

    public AccessState seed() {
        return seed;
    }

    public AccessState state() {
        return state;
    }

    public Optional<User> authenticate(String name, String password) {
        AccessState s = state;
        Optional<UserAccount> account = s.user(name);
        if (account.isEmpty() || !PasswordHash.matches(account.get().passwordHash(), password)) return Optional.empty();
        return Optional.of(new User(name, s.vhostsOf(name), account.get().tags()));
    }

    /** The user of that name, whatever its password: SASL EXTERNAL trusts the client certificate instead. */
    public Optional<User> lookup(String name) {
        AccessState s = state;
        return s.user(name).map(account -> new User(name, s.vhostsOf(name), account.tags()));
    }

    public boolean vhostExists(String vhost) {
        return state.vhosts().contains(vhost);
    }

    public Set<String> vhosts() {
        return state.vhosts();
    }

    /** RabbitMQ's per-operation permission check: throws its 403 channel error when the user may not. */
    public void check(String user, String vhost, ResourceKind kind, String name, Action action) {
        state.check(user, vhost, kind, name, action);
    }

    /** Takes a state from the cluster: the first one always (it replaces the seed), later ones when newer. */
    public void update(AccessState next) {
        List<Waiter> ready = new ArrayList<>();
        synchronized (this) {
            if (loaded && next.version() <= state.version()) return;
            loaded = true;
            state = next;
            for (Iterator<Waiter> it = waiting.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.version() <= next.version()) {
                    it.remove();
                    ready.add(w);
                }
            }
        }
        ready.forEach(w -> w.done().complete(w.version()));
    }

    /** Completes once this node's view holds the given version, so a read after a change sees it. */
    public synchronized CompletionStage<Long> awaitVersion(long version) {
        if (loaded && state.version() >= version) return CompletableFuture.completedFuture(version);
        CompletableFuture<Long> done = new CompletableFuture<>();
        waiting.add(new Waiter(version, done));
        return done;
    }

    public void attachWriter(Function<AccessChange, CompletionStage<Long>> writer) {
        this.writer = writer;
    }

    /**
     * Applies a change cluster-wide; completes with the new version once this node has it, or fails with an
     * IllegalArgumentException saying why the change does not apply.
     */
    public CompletionStage<Long> change(AccessChange change) {
        Function<AccessChange, CompletionStage<Long>> w = writer;
        if (w == null) return CompletableFuture.failedFuture(new IllegalStateException("access state is not writable on this node"));
        return w.apply(change).thenCompose(this::awaitVersion);
    }
}
