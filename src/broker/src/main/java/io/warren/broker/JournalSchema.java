package io.warren.broker;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Creates pekko-persistence-jdbc's tables when the database has none yet, from the schema scripts shipped in its
 * jar, so a fresh node (embedded H2) or a fresh PostgreSQL needs no manual setup.
 */
public final class JournalSchema {
    private JournalSchema() {}

    /** A connection to the shared journal database ({@code db}: its url, user and password settings). */
    public static Connection connect(Config db) throws SQLException {
        return DriverManager.getConnection(db.getString("url"), db.getString("user"), db.getString("password"));
    }

    static void ensure(Config db, boolean postgres) {
        String url = db.getString("url");
        // Several nodes of a new cluster may start at once: if another one is creating the tables, wait and see.
        for (int attempt = 1; ; attempt++) {
            try (Connection c = connect(db)) {
                if (hasJournal(c)) return;
                create(c, postgres);
                return;
            } catch (SQLException e) {
                if (attempt >= 10) {
                    throw new IllegalStateException("cannot prepare the journal database at " + url + ": " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(500L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while preparing the journal database", ie);
                }
            }
        }
    }

    private static void create(Connection c, boolean postgres) throws SQLException {
        String script = read(postgres ? "schema/postgres/postgres-create-schema.sql" : "schema/h2/h2-create-schema.sql");
        // H2 keeps BLOBs out of line in its LOB store, a large share of every journal write: payloads are a few
        // bytes to a few megabytes, which H2 stores inline as BINARY VARYING.
        if (!postgres) script = script.replace(" BLOB", " BINARY VARYING(1000000000)");
        // Statement by statement (PostgreSQL's script has CREATE INDEX CONCURRENTLY, which refuses a transaction);
        // a node that loses the race to another fails here and finds the tables on its next attempt.
        try (Statement s = c.createStatement()) {
            for (String sql : script.split(";")) {
                if (!sql.isBlank()) s.execute(sql);
            }
        }
    }

    private static boolean hasJournal(Connection c) throws SQLException {
        // durable_state is created after the journal and snapshot tables: its presence means they are all there.
        try (ResultSet rs = c.getMetaData().getTables(null, null, "durable_state", null)) {
            return rs.next();
        }
    }

    private static String read(String resource) {
        try (InputStream in = JournalSchema.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing " + resource + " in pekko-persistence-jdbc");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
