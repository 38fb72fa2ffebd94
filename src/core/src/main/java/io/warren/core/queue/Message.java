package io.warren.core.queue;

import io.warren.amqp.BasicProperties;
import io.warren.amqp.EncodedProperties;
import java.util.Objects;
import org.apache.pekko.util.ByteString;

/**
 * A message as a queue holds it: where it was published, its properties and its body.
 *
 * @param id                unique publish id (publishing node + channel + sequence). A queue stores a given id at
 *                          most once while it holds it, so a re-sent enqueue after a lost reply is idempotent.
 * @param exchange          the exchange the message was (last) published to; for a dead-lettered message, the DLX
 * @param routingKey        the routing key it was published with (for a dead-lettered message, the one it was
 *                          dead-lettered with)
 * @param encodedProperties content header properties as published (never null, {@link EncodedProperties#EMPTY} when
 *                          none): stored, sent to other nodes and delivered as these bytes
 * @param body              the body; a slice of what came off the wire, never copied
 */
public record Message(String id, String exchange, String routingKey, EncodedProperties encodedProperties,
                      ByteString body) {

    public Message {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(exchange, "exchange");
        Objects.requireNonNull(routingKey, "routingKey");
        if (encodedProperties == null) {
            encodedProperties = EncodedProperties.EMPTY;
        }
        if (body == null) {
            body = ByteString.emptyByteString();
        }
    }

    /** A message whose properties the broker made or changed: they are encoded here, once. */
    public Message(String id, String exchange, String routingKey, BasicProperties properties, ByteString body) {
        this(id, exchange, routingKey, EncodedProperties.of(properties), body);
    }

    /** Every property, decoded (on first use; rules that need one property use {@link #encodedProperties()}). */
    public BasicProperties properties() {
        return encodedProperties.decoded();
    }

    /** delivery-mode 2: journalled when it sits in a durable queue. */
    public boolean persistent() {
        return encodedProperties.persistent();
    }

    /** Body size in bytes: what x-max-length-bytes counts (RabbitMQ counts bodies only). */
    public long bodySize() {
        return body.size();
    }

    /** The priority property, 0 when absent or negative (RabbitMQ treats absent as 0). */
    public int priority() {
        Integer p = encodedProperties.priority();
        return p == null || p < 0 ? 0 : p;
    }
}
