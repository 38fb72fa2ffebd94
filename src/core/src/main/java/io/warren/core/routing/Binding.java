package io.warren.core.routing;

import io.warren.core.FieldTableValues;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A binding from a source exchange to a destination. As in RabbitMQ, two bindings are the same binding when
 * source, destination, routing key and arguments are all equal; arguments compare by value and type
 * ({@link TableValues#same}), byte arrays by content. The arguments are copied and unmodifiable; void
 * (null) values are kept, since a headers binding uses them to match on presence.
 */
public record Binding(String source, Destination destination, String routingKey, Map<String, Object> arguments) {

    public Binding {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(routingKey, "routingKey");
        arguments = arguments == null || arguments.isEmpty()
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(arguments));
    }

    public static Binding toQueue(String source, String queue, String routingKey) {
        return new Binding(source, Destination.queue(queue), routingKey, Map.of());
    }

    public static Binding toQueue(String source, String queue, String routingKey, Map<String, Object> arguments) {
        return new Binding(source, Destination.queue(queue), routingKey, arguments);
    }

    public static Binding toExchange(String source, String exchange, String routingKey) {
        return new Binding(source, Destination.exchange(exchange), routingKey, Map.of());
    }

    public static Binding toExchange(String source, String exchange, String routingKey, Map<String, Object> arguments) {
        return new Binding(source, Destination.exchange(exchange), routingKey, arguments);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof Binding b
                && source.equals(b.source)
                && destination.equals(b.destination)
                && routingKey.equals(b.routingKey)
                && FieldTableValues.sameTable(arguments, b.arguments);
    }

    @Override
    public int hashCode() {
        int h = source.hashCode();
        h = 31 * h + destination.hashCode();
        h = 31 * h + routingKey.hashCode();
        return 31 * h + FieldTableValues.tableHash(arguments);
    }
}
