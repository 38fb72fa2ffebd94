package io.warren.server.management;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * This node's figures in Prometheus' text exposition format (version 0.0.4). Each node reports only the queues it
 * hosts, like RabbitMQ's prometheus plugin: Prometheus scrapes every node, and a queue that moves shows up under
 * the new node's instance.
 */
final class PrometheusMetrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusMetrics() {}

    /** @param clusterMembers members of the cluster that are Up, as this node sees them */
    static String render(NodeReport node, int clusterMembers) {
        StringBuilder out = new StringBuilder(4096);
        List<QueueFigures> queues = node.queues().stream()
                .sorted(Comparator.comparing(QueueFigures::vhost).thenComparing(QueueFigures::name)).toList();
        queueGauge(out, queues, "warren_queue_messages_ready", "gauge", "Messages ready to be delivered",
                QueueFigures::messagesReady);
        queueGauge(out, queues, "warren_queue_messages_unacked", "gauge",
                "Messages delivered and not yet acknowledged", QueueFigures::messagesUnacked);
        queueGauge(out, queues, "warren_queue_messages_ready_bytes", "gauge",
                "Body bytes of the messages ready to be delivered", QueueFigures::readyBytes);
        queueGauge(out, queues, "warren_queue_consumers", "gauge", "Consumers", QueueFigures::consumers);
        queueGauge(out, queues, "warren_queue_published_total", "counter",
                "Messages enqueued since the queue started on this node", QueueFigures::published);
        queueGauge(out, queues, "warren_queue_delivered_total", "counter",
                "Messages delivered since the queue started on this node", QueueFigures::delivered);
        queueGauge(out, queues, "warren_queue_acked_total", "counter",
                "Messages acknowledged since the queue started on this node", QueueFigures::acked);
        single(out, "warren_queues", "gauge", "Queues running on this node", queues.size());
        single(out, "warren_connections", "gauge", "AMQP connections open on this node", node.connections());
        single(out, "warren_cluster_members", "gauge", "Cluster members that are up, as this node sees them",
                clusterMembers);
        single(out, "warren_uptime_seconds", "gauge", "Seconds since this node's JVM started",
                node.uptimeMillis() / 1000.0);
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        single(out, "jvm_memory_heap_used_bytes", "gauge", "JVM heap in use", heap.getUsed());
        single(out, "jvm_memory_heap_committed_bytes", "gauge", "JVM heap committed", heap.getCommitted());
        single(out, "jvm_memory_heap_max_bytes", "gauge", "JVM maximum heap (-1 if undefined)", heap.getMax());
        return out.toString();
    }

    private static void queueGauge(StringBuilder out, List<QueueFigures> queues, String name, String type,
                                   String help, ToLongFunction<QueueFigures> value) {
        header(out, name, type, help);
        for (QueueFigures q : queues) {
            out.append(name).append("{vhost=\"").append(escape(q.vhost())).append("\",queue=\"")
                    .append(escape(q.name())).append("\"} ").append(value.applyAsLong(q)).append('\n');
        }
    }

    private static void single(StringBuilder out, String name, String type, String help, double value) {
        header(out, name, type, help);
        out.append(name).append(' ');
        if (value == Math.rint(value) && !Double.isInfinite(value)) {
            out.append((long) value);
        } else {
            out.append(value);
        }
        out.append('\n');
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** Label values escape backslash, double quote and line feed. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
