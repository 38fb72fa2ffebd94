package io.warren.server.management;

import io.warren.broker.connection.ConnectionRegistry;
import java.util.List;

/**
 * One channel of an open connection as its node reports it ({@link ConnectionRegistry.ChannelDetails} in a form
 * that crosses nodes), with its consumers.
 */
public record ChannelFigures(int number, int prefetchCount, int globalPrefetchCount, boolean confirm,
                             boolean transactional, int messagesUnacknowledged, int messagesUnconfirmed,
                             List<ConsumerFigures> consumers) implements ManagementSerializable {

    /** One consumer of the channel. */
    public record ConsumerFigures(String tag, String queue, boolean ackRequired, int prefetchCount, boolean exclusive,
                                  int priority) implements ManagementSerializable {}

    public ChannelFigures {
        consumers = consumers == null ? List.of() : List.copyOf(consumers);
    }

    public static ChannelFigures of(ConnectionRegistry.ChannelDetails d) {
        return new ChannelFigures(d.number(), d.prefetchCount(), d.globalPrefetchCount(), d.confirm(), d.transactional(),
                d.messagesUnacknowledged(), d.messagesUnconfirmed(), d.consumers().stream()
                .map(c -> new ConsumerFigures(c.tag(), c.queue(), c.ackRequired(), c.prefetchCount(), c.exclusive(), c.priority()))
                .toList());
    }
}
