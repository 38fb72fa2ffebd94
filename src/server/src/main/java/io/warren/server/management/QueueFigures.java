package io.warren.server.management;

import io.warren.broker.queue.LocalQueues;
import java.util.Map;

/**
 * One queue's figures as the node hosting it reported them; {@link LocalQueues.Stats} in a form that crosses nodes.
 *
 * @param published messages accepted into the queue since its entity started on that node
 * @param delivered deliveries (to consumers and basic.get) since then
 * @param acked     acknowledgements since then
 * @param arguments the queue's declared arguments as JSON values (AMQP field values converted by {@link ApiViews#table})
 */
public record QueueFigures(String vhost, String name, boolean durable, boolean exclusive, boolean autoDelete,
                           int messagesReady, int messagesUnacked, long readyBytes, int consumers,
                           long published, long delivered, long acked, Map<String, Object> arguments)
        implements ManagementSerializable {

    public QueueFigures {
        arguments = arguments == null ? Map.of() : arguments;
    }

    /** Figures of a queue without arguments. */
    public QueueFigures(String vhost, String name, boolean durable, boolean exclusive, boolean autoDelete,
                        int messagesReady, int messagesUnacked, long readyBytes, int consumers,
                        long published, long delivered, long acked) {
        this(vhost, name, durable, exclusive, autoDelete, messagesReady, messagesUnacked, readyBytes, consumers,
                published, delivered, acked, Map.of());
    }

    public static QueueFigures of(LocalQueues.Stats s) {
        Map<String, Object> args = s.arguments() == null || s.arguments().isEmpty() ? Map.of() : ApiViews.table(s.arguments());
        return new QueueFigures(s.vhost(), s.name(), s.durable(), s.exclusive(), s.autoDelete(), s.messagesReady(),
                s.messagesUnacked(), s.readyBytes(), s.consumers(), s.published(), s.delivered(), s.acked(), args);
    }

    public long messages() {
        return (long) messagesReady + messagesUnacked;
    }
}
