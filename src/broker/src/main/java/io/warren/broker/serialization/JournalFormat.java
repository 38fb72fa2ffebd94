package io.warren.broker.serialization;

import io.warren.amqp.ContentHeaders;
import io.warren.amqp.FieldTables;
import io.warren.broker.queue.QueueEntityEvent;
import io.warren.broker.queue.QueueEntitySnapshot;
import io.warren.broker.topology.TopologyChange;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueDefinition;
import io.warren.core.queue.QueueEvent;
import io.warren.core.queue.QueueSnapshot;
import io.warren.core.routing.Binding;
import io.warren.core.routing.Destination;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.ExchangeType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/**
 * The journal's and snapshots' binary format (queue entity events and snapshots, topology changes). Stored data
 * must stay readable: never change what an existing manifest writes, add a new manifest instead. Message
 * properties are stored in their AMQP wire encoding, so header values keep their exact types across a restart;
 * bodies are stored as they are.
 */
final class JournalFormat {

    private static final String CREATED = "QC", JOURNAL_ENQUEUED = "QE", JOURNAL_REMOVED = "QR", JOURNAL_BATCH = "QB", DELETED = "QD",
            QUEUE_SNAPSHOT = "QS", EXCHANGE_DECLARED = "TX", EXCHANGE_DELETED = "TXD", BOUND = "TB", UNBOUND = "TU",
            QUEUE_DECLARED = "TQ", QUEUE_DELETED = "TQD";

    private JournalFormat() {}

    /** The manifest of a journal or snapshot type, or null for anything else. */
    static String manifest(Object o) {
        if (o instanceof QueueEntityEvent.Created) {
            return CREATED;
        } else if (o instanceof QueueEntityEvent.Journal j) {
            return j.event() instanceof QueueEvent.Enqueued ? JOURNAL_ENQUEUED : JOURNAL_REMOVED;
        } else if (o instanceof QueueEntityEvent.Batch) {
            return JOURNAL_BATCH;
        } else if (o instanceof QueueEntityEvent.Deleted) {
            return DELETED;
        } else if (o instanceof QueueEntitySnapshot) {
            return QUEUE_SNAPSHOT;
        } else if (o instanceof TopologyChange.ExchangeDeclared) {
            return EXCHANGE_DECLARED;
        } else if (o instanceof TopologyChange.ExchangeDeleted) {
            return EXCHANGE_DELETED;
        } else if (o instanceof TopologyChange.Bound) {
            return BOUND;
        } else if (o instanceof TopologyChange.Unbound) {
            return UNBOUND;
        } else if (o instanceof TopologyChange.QueueDeclared) {
            return QUEUE_DECLARED;
        } else if (o instanceof TopologyChange.QueueDeleted) {
            return QUEUE_DELETED;
        }
        return null;
    }

    static boolean handles(String manifest) {
        return switch (manifest) {
            case CREATED, JOURNAL_ENQUEUED, JOURNAL_REMOVED, JOURNAL_BATCH, DELETED, QUEUE_SNAPSHOT, EXCHANGE_DECLARED,
                    EXCHANGE_DELETED, BOUND, UNBOUND, QUEUE_DECLARED, QUEUE_DELETED -> true;
            default -> false;
        };
    }

    static byte[] toBinary(Object o) {
        // Sized for the whole event up front: growing the buffer would copy every body several times.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(sizeHint(o));
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            {
                if (o instanceof QueueEntityEvent.Created c) {
                    writeQueueDefinition(out, c.definition());
                } else if (o instanceof QueueEntityEvent.Journal j) {
                    writeQueueEvent(out, j.event());
                } else if (o instanceof QueueEntityEvent.Batch b) {
                    // count, then per event its kind (E enqueued, R removed) and the same bytes as QE / QR
                    out.writeInt(b.events().size());
                    for (QueueEvent e : b.events()) {
                        out.writeByte(e instanceof QueueEvent.Enqueued ? 'E' : 'R');
                        writeQueueEvent(out, e);
                    }
                } else if (o instanceof QueueEntityEvent.Deleted) {
                    // no payload: the manifest says it all
                } else if (o instanceof QueueEntitySnapshot s) {
                    out.writeBoolean(s.definition() != null);
                    if (s.definition() != null) writeQueueDefinition(out, s.definition());
                    out.writeBoolean(s.queue() != null);
                    if (s.queue() != null) {
                        out.writeLong(s.queue().nextSeq());
                        out.writeInt(s.queue().messages().size());
                        for (QueueSnapshot.Entry e : s.queue().messages()) {
                            out.writeLong(e.seq());
                            out.writeLong(e.enqueuedAt());
                            writeMessage(out, e.message());
                        }
                    }
                } else if (o instanceof TopologyChange.ExchangeDeclared c) {
                    ExchangeDefinition d = c.definition();
                    out.writeUTF(d.name());
                    out.writeUTF(d.type().wireName());
                    out.writeBoolean(d.durable());
                    out.writeBoolean(d.autoDelete());
                    out.writeBoolean(d.internal());
                    writeTable(out, d.arguments());
                } else if (o instanceof TopologyChange.ExchangeDeleted c) {
                    out.writeUTF(c.name());
                } else if (o instanceof TopologyChange.Bound c) {
                    writeBinding(out, c.binding());
                } else if (o instanceof TopologyChange.Unbound c) {
                    writeBinding(out, c.binding());
                } else if (o instanceof TopologyChange.QueueDeclared c) {
                    out.writeUTF(c.name()); out.writeBoolean(c.durable());
                } else if (o instanceof TopologyChange.QueueDeleted c) {
                    out.writeUTF(c.name());
                } else {
                    throw new IllegalArgumentException("Warren cannot serialize " + o.getClass().getName() + " yet");
                }
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static Object fromBinary(byte[] bytes, String manifest) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        try {
            return switch (manifest) {
                case CREATED -> new QueueEntityEvent.Created(readQueueDefinition(in));
                case JOURNAL_ENQUEUED -> new QueueEntityEvent.Journal(readEnqueued(in));
                case JOURNAL_REMOVED -> new QueueEntityEvent.Journal(readRemoved(in));
                case JOURNAL_BATCH -> {
                    int n = in.readInt();
                    List<QueueEvent> events = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        int kind = in.readByte();
                        if (kind == 'E') events.add(readEnqueued(in));
                        else if (kind == 'R') events.add(readRemoved(in));
                        else throw new IllegalArgumentException("unknown queue event kind " + kind + " in a batch");
                    }
                    yield new QueueEntityEvent.Batch(events);
                }
                case DELETED -> new QueueEntityEvent.Deleted();
                case QUEUE_SNAPSHOT -> {
                    QueueDefinition def = in.readBoolean() ? readQueueDefinition(in) : null;
                    QueueSnapshot snap = null;
                    if (in.readBoolean()) {
                        long nextSeq = in.readLong();
                        int n = in.readInt();
                        List<QueueSnapshot.Entry> entries = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            long seq = in.readLong();
                            long at = in.readLong();
                            entries.add(new QueueSnapshot.Entry(seq, readMessage(in), at));
                        }
                        snap = new QueueSnapshot(nextSeq, entries);
                    }
                    yield new QueueEntitySnapshot(def, snap);
                }
                case EXCHANGE_DECLARED -> new TopologyChange.ExchangeDeclared(new ExchangeDefinition(in.readUTF(),
                        ExchangeType.parse(in.readUTF()).orElseThrow(), in.readBoolean(), in.readBoolean(), in.readBoolean(), readTable(in)));
                case EXCHANGE_DELETED -> new TopologyChange.ExchangeDeleted(in.readUTF());
                case BOUND -> new TopologyChange.Bound(readBinding(in));
                case UNBOUND -> new TopologyChange.Unbound(readBinding(in));
                case QUEUE_DECLARED -> new TopologyChange.QueueDeclared(in.readUTF(), in.readBoolean());
                case QUEUE_DELETED -> new TopologyChange.QueueDeleted(in.readUTF());
                default -> throw new IllegalArgumentException("unknown manifest " + manifest);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeQueueEvent(DataOutputStream out, QueueEvent event) throws IOException {
        if (event instanceof QueueEvent.Enqueued e) {
            out.writeLong(e.seq());
            out.writeLong(e.enqueuedAt());
            writeMessage(out, e.message());
        } else {
            long[] seqs = ((QueueEvent.Removed) event).seqs();
            out.writeInt(seqs.length);
            for (long s : seqs) out.writeLong(s);
        }
    }

    private static QueueEvent.Enqueued readEnqueued(DataInputStream in) throws IOException {
        long seq = in.readLong();
        long at = in.readLong();
        return new QueueEvent.Enqueued(seq, readMessage(in), at);
    }

    private static QueueEvent.Removed readRemoved(DataInputStream in) throws IOException {
        long[] seqs = new long[in.readInt()];
        for (int i = 0; i < seqs.length; i++) seqs[i] = in.readLong();
        return new QueueEvent.Removed(seqs);
    }

    /** Roughly the serialized size of a journal event: bodies and a generous allowance for the rest. */
    private static int sizeHint(Object o) {
        long size = 256;
        if (o instanceof QueueEntityEvent.Journal j) size += eventSize(j.event());
        else if (o instanceof QueueEntityEvent.Batch b) for (QueueEvent e : b.events()) size += eventSize(e) + 1;
        return (int) Math.min(size, Integer.MAX_VALUE - 16);
    }

    /** Bodies plus a generous allowance for ids, names and properties; the exact bytes for a Removed. */
    private static long eventSize(QueueEvent e) {
        if (e instanceof QueueEvent.Enqueued en) return 256L + en.message().body().size();
        return 4L + 8L * ((QueueEvent.Removed) e).seqs().length;
    }

    private static void writeQueueDefinition(DataOutputStream out, QueueDefinition d) throws IOException {
        out.writeUTF(d.vhost());
        out.writeUTF(d.name());
        out.writeBoolean(d.durable());
        out.writeBoolean(d.exclusive());
        out.writeBoolean(d.autoDelete());
        writeTable(out, d.arguments());
    }

    private static QueueDefinition readQueueDefinition(DataInputStream in) throws IOException {
        return new QueueDefinition(in.readUTF(), in.readUTF(), in.readBoolean(), in.readBoolean(), in.readBoolean(), readTable(in));
    }

    private static void writeBinding(DataOutputStream out, Binding b) throws IOException {
        out.writeUTF(b.source());
        out.writeBoolean(b.destination().kind() == Destination.Kind.QUEUE);
        out.writeUTF(b.destination().name());
        out.writeUTF(b.routingKey());
        writeTable(out, b.arguments());
    }

    private static Binding readBinding(DataInputStream in) throws IOException {
        String source = in.readUTF();
        boolean queue = in.readBoolean();
        String name = in.readUTF();
        Destination d = queue ? Destination.queue(name) : Destination.exchange(name);
        return new Binding(source, d, in.readUTF(), readTable(in));
    }

    private static void writeMessage(DataOutputStream out, Message m) throws IOException {
        out.writeUTF(m.id());
        out.writeUTF(m.exchange());
        out.writeUTF(m.routingKey());
        writeBytes(out, ContentHeaders.encode(m.properties()));
        writeBytes(out, m.body());
    }

    private static Message readMessage(DataInputStream in) throws IOException {
        String id = in.readUTF();
        String exchange = in.readUTF();
        String key = in.readUTF();
        ByteString props = readBytes(in);
        ByteString body = readBytes(in);
        return new Message(id, exchange, key, ContentHeaders.decode(props), body);
    }

    private static void writeTable(DataOutputStream out, Map<String, Object> table) throws IOException {
        writeBytes(out, FieldTables.encode(table == null ? Map.of() : table));
    }

    private static Map<String, Object> readTable(DataInputStream in) throws IOException {
        return FieldTables.decode(readBytes(in));
    }

    private static void writeBytes(DataOutputStream out, ByteString b) throws IOException {
        int n = b.length();
        out.writeInt(n);
        // toArrayUnsafe hands out a whole backing array without copying; only slices and ropes are compacted.
        out.write(b.toArrayUnsafe(), 0, n);
    }

    private static ByteString readBytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return ByteString.fromArrayUnsafe(b);
    }
}
