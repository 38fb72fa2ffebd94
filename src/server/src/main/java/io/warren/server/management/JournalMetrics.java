package io.warren.server.management;

import io.warren.broker.alarm.JournalWrites;
import io.warren.broker.alarm.ResourceAlarms;
import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * This node's resource alarms and journal figures in Prometheus' text format: alarm state, journal write latency and
 * events per write (histograms), failed writes, writes in flight and the oldest one's wait, and the use of the
 * journal's connection pool (HikariCP's pool MBean, registered under the pool name in reference.conf).
 */
final class JournalMetrics {
    static final String POOL_MBEAN = "com.zaxxer.hikari:type=Pool (warren-journal)";

    private JournalMetrics() {}

    static String render(ResourceAlarms alarms) {
        StringBuilder out = new StringBuilder(2048);
        header(out, "warren_alarm", "gauge", "1 while the resource alarm is raised (publishers blocked)");
        out.append("warren_alarm{resource=\"memory\"} ").append(alarms.memory().raised() ? 1 : 0).append('\n');
        out.append("warren_alarm{resource=\"journal\"} ").append(alarms.journal().raised() ? 1 : 0).append('\n');
        header(out, "warren_journal_alarm_transitions_total", "counter", "Times the journal alarm went up or down");
        out.append("warren_journal_alarm_transitions_total ").append(alarms.journal().transitions()).append('\n');
        JournalWrites writes = alarms.journal().writes();
        histogram(out, "warren_journal_write_seconds", "Time from a queue's journal write leaving to its success",
                writes.latency());
        histogram(out, "warren_journal_write_events", "Queue events per successful journal write (group commit)",
                writes.batchEvents());
        header(out, "warren_journal_write_failures_total", "counter", "Journal writes that failed (and were retried)");
        out.append("warren_journal_write_failures_total ").append(writes.failures()).append('\n');
        header(out, "warren_journal_writes_in_flight", "gauge", "Queues with a journal write in flight");
        out.append("warren_journal_writes_in_flight ").append(writes.inFlight()).append('\n');
        header(out, "warren_journal_oldest_write_seconds", "gauge", "How long the oldest journal write in flight has waited");
        out.append("warren_journal_oldest_write_seconds ").append(writes.oldestInFlightNanos() / 1e9).append('\n');
        pool(out);
        return out.toString();
    }

    private static void histogram(StringBuilder out, String name, String help, JournalWrites.Histogram h) {
        header(out, name, "histogram", help);
        double[] bounds = h.bounds();
        long[] counts = h.cumulative();
        for (int i = 0; i < bounds.length; i++) {
            out.append(name).append("_bucket{le=\"").append(bounds[i]).append("\"} ").append(counts[i]).append('\n');
        }
        long count = h.count();
        out.append(name).append("_bucket{le=\"+Inf\"} ").append(count).append('\n');
        out.append(name).append("_sum ").append(h.sum()).append('\n');
        out.append(name).append("_count ").append(count).append('\n');
    }

    /** The journal pool's connections by state; absent when the pool has not registered its MBean (yet). */
    private static void pool(StringBuilder out) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName pool = new ObjectName(POOL_MBEAN);
            if (!server.isRegistered(pool)) return;
            header(out, "warren_journal_pool_connections", "gauge", "Journal connection pool: connections by state");
            out.append("warren_journal_pool_connections{state=\"active\"} ").append(server.getAttribute(pool, "ActiveConnections")).append('\n');
            out.append("warren_journal_pool_connections{state=\"idle\"} ").append(server.getAttribute(pool, "IdleConnections")).append('\n');
            header(out, "warren_journal_pool_waiting", "gauge", "Threads waiting for a journal connection");
            out.append("warren_journal_pool_waiting ").append(server.getAttribute(pool, "ThreadsAwaitingConnection")).append('\n');
        } catch (Exception e) {
            // The pool went away (shutting down): leave its figures out of this scrape.
        }
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }
}
