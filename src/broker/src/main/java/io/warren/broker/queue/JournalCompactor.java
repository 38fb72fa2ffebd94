package io.warren.broker.queue;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One per node: deletes the journal rows and older snapshots that a queue's newest snapshot covers. pekko-persistence-
 * jdbc deletes by first marking the rows deleted, an UPDATE that rewrites every payload, which held H2 for seconds
 * when a queue drained a big backlog and stalled every queue's writes behind it. Here a plain DELETE goes in steps of
 * {@value #STEP} rows (a row holds up to half a megabyte of events), one step at a time for the whole node, so a
 * compaction never holds the database for long. Requests for the same queue coalesce. The row at the snapshot's
 * sequence number stays: the journal's highest sequence number is what recovery continues from.
 */
public final class JournalCompactor {

    public sealed interface Command {}

    /** Delete this queue's rows and snapshots below this sequence number. */
    public record Compact(String persistenceId, long below) implements Command {}

    private record StepDone(String persistenceId, long below, boolean more, Throwable failure) implements Command {}

    static final int STEP = 100;

    private final ActorContext<Command> ctx;
    private final Executor blocking;
    private final Config db;
    private final String journalTable, snapshotTable;
    /** Queue → delete below, in arrival order; the queue whose step runs is out of it until the step is done. */
    private final Map<String, Long> requests = new LinkedHashMap<>();
    private boolean busy;
    /** Opened on the first step; used by one step at a time, on the blocking dispatcher. */
    private volatile Connection connection;

    /** {@code db}: the shared database's settings (url, user, password); the table names come from the plugins. */
    public static Behavior<Command> create(Config db, String journalTable, String snapshotTable) {
        return Behaviors.setup(ctx -> new JournalCompactor(ctx, db, journalTable, snapshotTable).behavior());
    }

    private JournalCompactor(ActorContext<Command> ctx, Config db, String journalTable, String snapshotTable) {
        this.ctx = ctx;
        this.db = db;
        this.journalTable = journalTable;
        this.snapshotTable = snapshotTable;
        this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    }

    private Behavior<Command> behavior() {
        return Behaviors.receive(Command.class)
                .onMessage(Compact.class, c -> {
                    requests.merge(c.persistenceId(), c.below(), Math::max);
                    next();
                    return Behaviors.same();
                })
                .onMessage(StepDone.class, d -> {
                    busy = false;
                    if (d.failure() != null) {
                        // The next snapshot of that queue asks again; the rows are only kept longer.
                        ctx.getLog().warn("compacting the journal of {} failed: {}", d.persistenceId(), d.failure().toString());
                        close();
                    } else if (d.more()) {
                        // Behind any other queue waiting: one queue's big compaction does not starve the others.
                        requests.merge(d.persistenceId(), d.below(), Math::max);
                    }
                    next();
                    return Behaviors.same();
                })
                .onSignal(PostStop.class, s -> {
                    close();
                    return Behaviors.same();
                })
                .build();
    }

    private void next() {
        if (busy || requests.isEmpty()) return;
        Map.Entry<String, Long> first = requests.entrySet().iterator().next();
        String pid = first.getKey();
        long below = first.getValue();
        requests.remove(pid);
        busy = true;
        ctx.pipeToSelf(CompletableFuture.supplyAsync(() -> {
            try {
                return step(pid, below);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, blocking), (more, failure) -> new StepDone(pid, below, more != null && more, failure));
    }

    /** Deletes up to {@value #STEP} of the queue's rows below {@code below}; true when more remain. */
    private boolean step(String pid, long below) throws SQLException {
        Connection c = connection();
        long lowest;
        try (PreparedStatement s = c.prepareStatement(
                "SELECT MIN(\"sequence_number\") FROM \"" + journalTable + "\" WHERE \"persistence_id\" = ?")) {
            s.setString(1, pid);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                lowest = rs.getLong(1);
                if (rs.wasNull()) lowest = below;
            }
        }
        if (lowest < below) {
            long to = Math.min(below, lowest + STEP);
            try (PreparedStatement s = c.prepareStatement("DELETE FROM \"" + journalTable
                    + "\" WHERE \"persistence_id\" = ? AND \"sequence_number\" < ?")) {
                s.setString(1, pid);
                s.setLong(2, to);
                s.executeUpdate();
            }
            if (to < below) return true;
        }
        try (PreparedStatement s = c.prepareStatement("DELETE FROM \"" + snapshotTable
                + "\" WHERE \"persistence_id\" = ? AND \"sequence_number\" < ?")) {
            s.setString(1, pid);
            s.setLong(2, below);
            s.executeUpdate();
        }
        return false;
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = io.warren.broker.JournalSchema.connect(db);
            connection.setAutoCommit(true);
        }
        return connection;
    }

    private void close() {
        Connection c = connection;
        connection = null;
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // Going away anyway.
        }
    }
}
