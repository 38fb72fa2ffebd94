package io.warren.broker.alarm;

import java.sql.SQLException;

/** How a journal write failed: a retry helps with an outage, never with a key conflict. */
public final class JournalFailures {
    private JournalFailures() {}

    /**
     * An integrity violation (SQLState class 23, e.g. PostgreSQL's and H2's 23505 duplicate key): the rows are there
     * already, written by an earlier attempt whose answer was lost, or by another incarnation of the queue.
     */
    public static boolean isConflict(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException e) {
                for (SQLException s = e; s != null; s = s.getNextException()) {
                    if (s.getSQLState() != null && s.getSQLState().startsWith("23")) return true;
                }
            }
        }
        return false;
    }
}
