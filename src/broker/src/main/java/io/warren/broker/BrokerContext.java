package io.warren.broker;

import io.warren.broker.auth.UserDirectory;
import io.warren.broker.connection.ConnectionRegistry;
import io.warren.broker.queue.QueueClient;
import io.warren.broker.topology.TopologyClient;

/** The node-wide services every connection and entity on this node shares. */
public record BrokerContext(BrokerSettings settings, UserDirectory users, QueueClient queues, TopologyClient topology,
                            ConnectionRegistry connections, io.warren.broker.alarm.ResourceAlarms alarms,
                            io.warren.broker.queue.LocalQueues localQueues,
                            org.apache.pekko.actor.typed.ActorRef<io.warren.broker.queue.JournalCompactor.Command> journalCompactor,
                            io.warren.broker.auth.AccessControl access) {}
