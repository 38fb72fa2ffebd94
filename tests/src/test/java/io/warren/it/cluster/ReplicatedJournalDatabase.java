package io.warren.it.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL primary with a synchronous streaming-replication standby (synchronous_commit = on,
 * synchronous_standby_names = 'standby1'), so that a commit, and so a confirm, is on both servers. Built with the
 * Debian {@code postgresql} binaries (zonky's embedded PostgreSQL ships no pg_basebackup); run as the
 * {@code postgres} user when the tests run as root, as PostgreSQL refuses root. The nodes reach it through a
 * multi-host JDBC URL with {@code targetServerType=primary}: after the primary dies and the standby is promoted they
 * find the new primary by themselves.
 */
public final class ReplicatedJournalDatabase implements AutoCloseable {
    public static final String DATABASE = "warren";
    public static final String USER = "postgres";

    private final Path bin;
    private final Path dir;
    private final int primaryPort;
    private final int standbyPort;

    private ReplicatedJournalDatabase(Path bin, Path dir, int primaryPort, int standbyPort) {
        this.bin = bin;
        this.dir = dir;
        this.primaryPort = primaryPort;
        this.standbyPort = standbyPort;
    }

    /** The newest /usr/lib/postgresql/N/bin holding pg_basebackup, if any. */
    public static Optional<Path> debianBinaries() {
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_basebackup")))
                    .max(Path::compareTo);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Starts the pair on two free ports; the standby is streaming synchronously when this returns. */
    public static ReplicatedJournalDatabase start(int primaryPort, int standbyPort) {
        Path bin = debianBinaries().orElseThrow(() -> new IllegalStateException("no Debian postgresql binaries"));
        try {
            Path dir = Files.createTempDirectory("warren-pg-standby-");
            ReplicatedJournalDatabase db = new ReplicatedJournalDatabase(bin, dir, primaryPort, standbyPort);
            db.setUp();
            return db;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the PostgreSQL pair", e);
        }
    }

    private void setUp() throws IOException {
        if (isRoot()) run(List.of("chown", "postgres:", dir.toString()), false);
        Path primary = dir.resolve("primary");
        pg(List.of(bin.resolve("initdb").toString(), "-D", primary.toString(), "-U", USER, "--auth=trust", "-E", "UTF8"));
        append(primary.resolve("postgresql.conf"), String.join("\n",
                "port = " + primaryPort, "listen_addresses = '127.0.0.1'", "unix_socket_directories = '" + dir + "'",
                "wal_level = replica", "max_wal_senders = 5", "synchronous_commit = on", "max_connections = 100",
                "fsync = on", ""));
        pgCtl(primary, "start");
        psql(primaryPort, "CREATE DATABASE " + DATABASE);
        Path standby = dir.resolve("standby");
        pg(List.of(bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p", String.valueOf(primaryPort),
                "-U", USER, "-D", standby.toString(), "-R", "-X", "stream"));
        append(standby.resolve("postgresql.auto.conf"), String.join("\n", "port = " + standbyPort,
                "primary_conninfo = 'host=127.0.0.1 port=" + primaryPort + " user=" + USER + " application_name=standby1'", ""));
        pgCtl(standby, "start");
        // Only now: with a synchronous standby named but absent, every commit (CREATE DATABASE too) waits for it.
        psql(primaryPort, "ALTER SYSTEM SET synchronous_standby_names = 'standby1'");
        psql(primaryPort, "SELECT pg_reload_conf()");
        long until = System.currentTimeMillis() + 60_000;
        while (!psql(primaryPort, "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'")
                .trim().equals("sync")) {
            if (System.currentTimeMillis() > until) throw new IllegalStateException("the standby never became synchronous");
            sleep(200);
        }
    }

    /** Every node's journal settings: the multi-host URL that finds whichever server is primary. */
    public Map<String, String> brokerSettings() {
        return Map.of(
                "warren.persistence.backend", "postgres",
                "warren.persistence.postgres.url", "jdbc:postgresql://127.0.0.1:" + primaryPort + ",127.0.0.1:"
                        + standbyPort + "/" + DATABASE + "?targetServerType=primary",
                "warren.persistence.postgres.user", USER,
                "warren.persistence.postgres.password", "unused");
    }

    /** kill -9 of the primary's postmaster: its children go too, nothing is flushed or handed over. */
    public void killPrimary() throws IOException {
        String pid = Files.readAllLines(dir.resolve("primary").resolve("postmaster.pid")).get(0).trim();
        run(List.of("kill", "-9", pid), false);
    }

    /** pg_ctl promote of the standby: it stops replaying and accepts writes. */
    public void promoteStandby() {
        pgCtl(dir.resolve("standby"), "promote");
    }

    /** Journal rows on the promoted standby. */
    public long journalRowsOnStandby() {
        return Long.parseLong(psql(standbyPort, DATABASE, "SELECT count(*) FROM event_journal").trim());
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() {
        for (String server : List.of("primary", "standby")) {
            Path data = dir.resolve(server);
            if (Files.exists(data.resolve("postmaster.pid"))) {
                try {
                    pg(List.of(bin.resolve("pg_ctl").toString(), "stop", "-D", data.toString(), "-m", "immediate", "-w"));
                } catch (RuntimeException ignored) {
                    // already gone
                }
            }
        }
    }

    private void pgCtl(Path data, String action) {
        pg(List.of(bin.resolve("pg_ctl").toString(), action, "-w", "-t", "60", "-D", data.toString(),
                "-l", dir.resolve(data.getFileName() + ".log").toString()));
    }

    private String psql(int port, String sql) {
        return psql(port, "postgres", sql);
    }

    private String psql(int port, String database, String sql) {
        return pg(List.of(bin.resolve("psql").toString(), "-X", "-tA", "-h", "127.0.0.1", "-p", String.valueOf(port),
                "-U", USER, "-d", database, "-c", sql));
    }

    private String pg(List<String> command) {
        return run(command, true);
    }

    private static String run(List<String> command, boolean asPostgres) {
        List<String> full = new ArrayList<>();
        if (asPostgres && isRoot()) full.addAll(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(command);
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(90, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(full + " failed: " + new String(out));
            }
            return new String(out);
        } catch (IOException e) {
            throw new IllegalStateException(full + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void append(Path file, String text) {
        // the file belongs to postgres; tee -a as that user
        List<String> full = new ArrayList<>();
        if (isRoot()) full.addAll(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(List.of("sh", "-c", "cat >> '" + file + "'"));
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            p.getOutputStream().write(text.getBytes());
            p.getOutputStream().close();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("cannot write " + file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
