package io.warren.server.management;

import java.util.List;

/**
 * What one node says about itself to the management API of any node.
 *
 * @param address      the node's Pekko address, e.g. {@code pekko://warren@10.0.0.5:25520}: the "node" of its queues
 * @param nodeName     warren.node-name (or host:amqp-port)
 * @param uptimeMillis how long the node's JVM has been running
 * @param connections  AMQP connections open on the node
 * @param queues       the queues running on the node (passivated ones are absent)
 * @param open         the node's open AMQP connections (past connection.open)
 * @param alarms       the node's resource alarms in effect ("memory", "journal")
 * @param alarmReason  why the journal alarm is up (empty when it is not)
 * @param resources    the node's memory, file descriptors and disk
 */
public record NodeReport(String address, String nodeName, long uptimeMillis, int connections,
                         List<QueueFigures> queues, List<ConnectionFigures> open, List<String> alarms,
                         String alarmReason, NodeResources resources) implements ManagementSerializable {

    /** A report without resource figures. */
    public NodeReport(String address, String nodeName, long uptimeMillis, int connections, List<QueueFigures> queues,
                      List<ConnectionFigures> open, List<String> alarms, String alarmReason) {
        this(address, nodeName, uptimeMillis, connections, queues, open, alarms, alarmReason, NodeResources.UNKNOWN);
    }

    public NodeReport {
        resources = resources == null ? NodeResources.UNKNOWN : resources;
        queues = List.copyOf(queues);
        open = open == null ? List.of() : List.copyOf(open);
        alarms = alarms == null ? List.of() : List.copyOf(alarms);
        alarmReason = alarmReason == null ? "" : alarmReason;
    }
}
