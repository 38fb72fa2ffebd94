package io.warren.server.management;

import io.warren.broker.queue.LocalQueues;

/**
 * One queue's figures as the node hosting it reported them; {@link LocalQueues.Stats} in a form that crosses nodes.
 *
 * @param published messages accepted into the queue since its entity started on that node
 * @param delivered deliveries (to consumers and basic.get) since then
 * @param acked     acknowledgements since then
 */
public record QueueFigures(String vhost, String name, boolean durable, boolean exclusive, boolean autoDelete,
                           int messagesReady, int messagesUnacked, long readyBytes, int consumers,
                           long published, long delivered, long acked) implements ManagementSerializable {

    public static QueueFigures of(LocalQueues.Stats s) {
        return new QueueFigures(s.vhost(), s.name(), s.durable(), s.exclusive(), s.autoDelete(), s.messagesReady(),
                s.messagesUnacked(), s.readyBytes(), s.consumers(), s.published(), s.delivered(), s.acked());
    }

    public long messages() {
        return (long) messagesReady + messagesUnacked;
    }
}
