package io.warren.broker.cluster;

import com.typesafe.config.Config;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * Fences a downed node off the shared PostgreSQL journal: ends every database session tagged with its
 * {@code application_name}. A frozen or cut-off process keeps its sessions open, and a transaction it left open
 * (row locks on journal keys) would hold the writes of its queues' new incarnations on the survivors until
 * PostgreSQL noticed the dead client, tens of seconds later.
 *
 * <p>Each incarnation of a node gets its own tag ({@code warren-<node>-<random>}), carried in the JDBC URL's
 * {@code ApplicationName} and announced to the other members as a cluster role; a node restarted at the same
 * address has a new tag, so fencing its old incarnation never ends the new one's sessions.
 */
public final class JournalFence {
    /** PostgreSQL truncates application_name at 63 bytes. */
    private static final int MAX_TAG = 63;

    /** Where to connect to end sessions (the node's own journal database settings). */
    public record Target(String url, String user, String password) {
        static Target from(Config db) {
            return new Target(db.getString("url"), db.getString("user"), db.getString("password"));
        }
    }

    private JournalFence() {}

    /** A fresh session tag for this incarnation of node {@code nodeName}. */
    public static String newSessionTag(String nodeName) {
        byte[] random = new byte[4];
        new SecureRandom().nextBytes(random);
        String suffix = "-" + HexFormat.of().formatHex(random);
        String name = nodeName.replaceAll("[^A-Za-z0-9._:-]", "_");
        String tag = "warren-" + name;
        if (tag.length() + suffix.length() > MAX_TAG) tag = tag.substring(0, MAX_TAG - suffix.length());
        return tag + suffix;
    }

    /**
     * The journal URL with this node's session tag, and server-side timeouts as a backstop for whatever fencing
     * misses: a write waiting for a row lock gives up after {@code lockTimeout} (the queue stops and recovers
     * instead of hanging), and a session idle inside a transaction is ended after {@code idleInTransactionTimeout}.
     */
    public static String taggedUrl(String url, String sessionTag, String lockTimeout, String idleInTransactionTimeout) {
        String options = "-c lock_timeout=" + lockTimeout + " -c idle_in_transaction_session_timeout=" + idleInTransactionTimeout;
        return url + (url.contains("?") ? "&" : "?") + "ApplicationName=" + encode(sessionTag)
                + "&options=" + encode(options);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Ends every session tagged {@code sessionTag}; returns how many were ended. Blocking: call off the actors. */
    public static int endSessions(Target target, String sessionTag) throws SQLException {
        try (Connection connection = DriverManager.getConnection(target.url(), target.user(), target.password());
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()")) {
            statement.setString(1, sessionTag);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getInt(1) : 0;
            }
        }
    }
}
