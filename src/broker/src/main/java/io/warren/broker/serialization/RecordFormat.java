package io.warren.broker.serialization;

import io.warren.amqp.EncodedProperties;
import io.warren.amqp.FieldTables;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueDefinition;
import io.warren.core.queue.QueueEvent;
import io.warren.core.routing.Binding;
import io.warren.core.routing.Destination;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.ExchangeType;
import java.util.Map;

/**
 * The one encoding of the records that both the journal ({@link JournalFormat}) and remoting ({@link ProtocolFormat})
 * carry: messages, queue and exchange definitions, bindings, field tables and the queue's journal events. Its layout
 * is the journal's, which must stay readable: names as {@link BinaryWriter#writeName}, properties in their AMQP wire
 * encoding (header values keep their exact types), bodies and tables length-prefixed. Never change what a record
 * writes here; a new layout needs new journal manifests (and new remote ones).
 */
final class RecordFormat {
    private RecordFormat() {}

    static void writeMessage(Message m, BinaryWriter w) {
        w.writeName(m.id());
        w.writeName(m.exchange());
        w.writeName(m.routingKey());
        w.writeBytes(m.encodedProperties().bytes()); // as published: the AMQP wire encoding
        w.writeBytes(m.body());
    }

    static Message readMessage(BinaryReader r) {
        String id = r.readName();
        String exchange = r.readName();
        String routingKey = r.readName();
        var properties = EncodedProperties.read(r.readByteString()); // decoded when a rule needs them
        return new Message(id, exchange, routingKey, properties, r.readByteString());
    }

    /** An Enqueued: its sequence, when, the message; a Removed: the sequences it removes. */
    static void writeQueueEvent(QueueEvent event, BinaryWriter w) {
        if (event instanceof QueueEvent.Enqueued e) {
            w.writeLong(e.seq());
            w.writeLong(e.enqueuedAt());
            writeMessage(e.message(), w);
        } else if (event instanceof QueueEvent.Returned r) {
            w.writeLongs(r.seqs());
        } else {
            w.writeLongs(((QueueEvent.Removed) event).seqs());
        }
    }

    static QueueEvent.Returned readReturned(BinaryReader r) {
        return new QueueEvent.Returned(r.readLongs());
    }

    static QueueEvent.Enqueued readEnqueued(BinaryReader r) {
        long seq = r.readLong();
        long at = r.readLong();
        return new QueueEvent.Enqueued(seq, readMessage(r), at);
    }

    static QueueEvent.Removed readRemoved(BinaryReader r) {
        return new QueueEvent.Removed(r.readLongs());
    }

    static void writeQueueDefinition(QueueDefinition d, BinaryWriter w) {
        w.writeName(d.vhost());
        w.writeName(d.name());
        w.writeBoolean(d.durable());
        w.writeBoolean(d.exclusive());
        w.writeBoolean(d.autoDelete());
        writeTable(d.arguments(), w);
    }

    static QueueDefinition readQueueDefinition(BinaryReader r) {
        return new QueueDefinition(r.readName(), r.readName(), r.readBoolean(), r.readBoolean(), r.readBoolean(),
                readTable(r));
    }

    static void writeExchange(ExchangeDefinition d, BinaryWriter w) {
        w.writeName(d.name());
        w.writeName(d.type().wireName());
        w.writeBoolean(d.durable());
        w.writeBoolean(d.autoDelete());
        w.writeBoolean(d.internal());
        writeTable(d.arguments(), w);
    }

    static ExchangeDefinition readExchange(BinaryReader r) {
        String name = r.readName();
        String type = r.readName();
        return new ExchangeDefinition(name, ExchangeType.parse(type).orElseThrow(
                () -> new IllegalArgumentException("unknown exchange type " + type)),
                r.readBoolean(), r.readBoolean(), r.readBoolean(), readTable(r));
    }

    static void writeBinding(Binding b, BinaryWriter w) {
        w.writeName(b.source());
        w.writeBoolean(b.destination().isQueue());
        w.writeName(b.destination().name());
        w.writeName(b.routingKey());
        writeTable(b.arguments(), w);
    }

    static Binding readBinding(BinaryReader r) {
        String source = r.readName();
        boolean queue = r.readBoolean();
        String name = r.readName();
        Destination destination = queue ? Destination.queue(name) : Destination.exchange(name);
        return new Binding(source, destination, r.readName(), readTable(r));
    }

    /** A field table in its AMQP encoding (null is written as the empty table). */
    static void writeTable(Map<String, Object> table, BinaryWriter w) {
        w.writeBytes(FieldTables.encode(table == null ? Map.of() : table));
    }

    static Map<String, Object> readTable(BinaryReader r) {
        return FieldTables.decode(r.readByteString());
    }
}
