package io.warren.it.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Which broker incarnation wrote what to the shared journal, and when: a trigger on the journal and snapshot tables
 * records, for every committed insert, update and delete, the writing session's {@code application_name} (each
 * incarnation tags its sessions {@code warren-<node>-<random>}, see the broker's JournalFence) and PostgreSQL's clock.
 * A row's own columns cannot say this: its writer UUID is per actor, not per process. The trigger row is part of the
 * write's transaction, so a write rolled back (or ended by fencing) leaves no record.
 */
final class JournalWriteAudit {
    private static final String TABLE = "partition_test_journal_writes";
    private static final List<String> AUDITED = List.of("event_journal", "snapshot");

    private final SharedJournalDatabase database;

    private JournalWriteAudit(SharedJournalDatabase database) {
        this.database = database;
    }

    /** One write: the session that made it, the operation, table and key, and when (PostgreSQL's clock, ms). */
    record Write(String session, String operation, String table, String persistenceId, long sequenceNr, long atMillis) {
        @Override
        public String toString() {
            return session + " " + operation + " " + table + " " + persistenceId + "#" + sequenceNr + " at "
                    + java.time.Instant.ofEpochMilli(atMillis);
        }
    }

    /** Installs the trigger; the journal tables must exist (a node has started). */
    static JournalWriteAudit install(SharedJournalDatabase database) {
        try (Connection connection = database.connection(); Statement statement = connection.createStatement()) {
            // UNLOGGED and without keys: the audit must cost the journal's writes as little as it can.
            statement.execute("CREATE UNLOGGED TABLE IF NOT EXISTS " + TABLE + " (session text, operation text,"
                    + " table_name text, persistence_id text, sequence_number bigint, at timestamptz)");
            statement.execute("CREATE OR REPLACE FUNCTION partition_test_audit() RETURNS trigger AS $$\n"
                    + "BEGIN\n"
                    + "  IF TG_OP = 'DELETE' THEN\n"
                    + "    INSERT INTO " + TABLE + " VALUES (current_setting('application_name'), TG_OP, TG_TABLE_NAME,"
                    + " OLD.persistence_id, OLD.sequence_number, clock_timestamp());\n"
                    + "    RETURN OLD;\n"
                    + "  END IF;\n"
                    + "  INSERT INTO " + TABLE + " VALUES (current_setting('application_name'), TG_OP, TG_TABLE_NAME,"
                    + " NEW.persistence_id, NEW.sequence_number, clock_timestamp());\n"
                    + "  RETURN NEW;\n"
                    + "END $$ LANGUAGE plpgsql");
            for (String table : AUDITED) {
                statement.execute("DROP TRIGGER IF EXISTS partition_test_audit ON " + table);
                statement.execute("CREATE TRIGGER partition_test_audit AFTER INSERT OR UPDATE OR DELETE ON " + table
                        + " FOR EACH ROW EXECUTE FUNCTION partition_test_audit()");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot install the journal write audit", e);
        }
        return new JournalWriteAudit(database);
    }

    /** The session tags of node {@code nodeName}'s incarnations connected to the journal now. */
    List<String> sessionTags(String nodeName) {
        List<String> tags = new ArrayList<>();
        try (Connection connection = database.connection();
             PreparedStatement statement = connection.prepareStatement("SELECT DISTINCT application_name FROM"
                     + " pg_stat_activity WHERE application_name LIKE ?")) {
            statement.setString(1, "warren-" + nodeName + "-%");
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) tags.add(rows.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read pg_stat_activity", e);
        }
        return tags;
    }

    /** Writes by sessions tagged with one of {@code sessions} at or after {@code sinceMillis}. */
    List<Write> writesSince(List<String> sessions, long sinceMillis) {
        List<Write> writes = new ArrayList<>();
        if (sessions.isEmpty()) return writes;
        try (Connection connection = database.connection();
             PreparedStatement statement = connection.prepareStatement("SELECT session, operation, table_name,"
                     + " persistence_id, sequence_number, (extract(epoch FROM at) * 1000)::bigint FROM " + TABLE
                     + " WHERE session = ANY (?) AND at >= to_timestamp(? / 1000.0)"
                     + " ORDER BY at")) {
            statement.setArray(1, connection.createArrayOf("text", sessions.toArray()));
            statement.setLong(2, sinceMillis);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    writes.add(new Write(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                            rows.getLong(5), rows.getLong(6)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the journal write audit", e);
        }
        return writes;
    }

    /** How many writes sessions tagged {@code sessions} made in all (to show the audit sees the node's writes). */
    long writesBy(List<String> sessions) {
        return writesSince(sessions, 0).size();
    }
}
