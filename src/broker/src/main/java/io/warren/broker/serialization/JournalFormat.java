package io.warren.broker.serialization;

import io.warren.broker.queue.QueueEntityEvent;
import io.warren.broker.queue.QueueEntitySnapshot;
import io.warren.broker.protocol.TopologyChange;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueDefinition;
import io.warren.core.queue.QueueEvent;
import io.warren.core.queue.QueueSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The journal's and snapshots' binary format (queue entity events and snapshots, topology changes). Stored data
 * must stay readable: never change what an existing manifest writes, add a new manifest instead. The records inside
 * (messages, definitions, bindings) are {@link RecordFormat}'s, the same encoding remoting uses; the bytes are the
 * ones this format wrote with {@code DataOutputStream} before (JournalFormatCompatibilityTest holds such rows).
 */
final class JournalFormat {

    private static final String CREATED = "QC", JOURNAL_ENQUEUED = "QE", JOURNAL_REMOVED = "QR", JOURNAL_BATCH = "QB", DELETED = "QD",
            QUEUE_SNAPSHOT = "QS", JOURNAL_RETURNED = "QN", QUEUE_SNAPSHOT_COUNTED = "QS2", EXCHANGE_DECLARED = "TX", EXCHANGE_DELETED = "TXD", BOUND = "TB", UNBOUND = "TU",
            QUEUE_DECLARED = "TQ", QUEUE_DELETED = "TQD";

    private JournalFormat() {}

    /** The manifest of a journal or snapshot type, or null for anything else. */
    static String manifest(Object o) {
        if (o instanceof QueueEntityEvent.Created) {
            return CREATED;
        } else if (o instanceof QueueEntityEvent.Journal j) {
            return j.event() instanceof QueueEvent.Enqueued ? JOURNAL_ENQUEUED
                    : j.event() instanceof QueueEvent.Returned ? JOURNAL_RETURNED : JOURNAL_REMOVED;
        } else if (o instanceof QueueEntityEvent.Batch) {
            return JOURNAL_BATCH;
        } else if (o instanceof QueueEntityEvent.Deleted) {
            return DELETED;
        } else if (o instanceof QueueEntitySnapshot s) {
            // QS stays what it was (a build before delivery counts reads it); only a quorum queue's snapshot with
            // a returned message needs QS2
            return hasDeliveryCounts(s) ? QUEUE_SNAPSHOT_COUNTED : QUEUE_SNAPSHOT;
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
            case CREATED, JOURNAL_ENQUEUED, JOURNAL_REMOVED, JOURNAL_BATCH, DELETED, QUEUE_SNAPSHOT, JOURNAL_RETURNED,
                    QUEUE_SNAPSHOT_COUNTED, EXCHANGE_DECLARED,
                    EXCHANGE_DELETED, BOUND, UNBOUND, QUEUE_DECLARED, QUEUE_DELETED -> true;
            default -> false;
        };
    }

    private static boolean hasDeliveryCounts(QueueEntitySnapshot s) {
        return s.queue() != null && s.queue().messages().stream().anyMatch(e -> e.deliveryCount() != 0);
    }

    static byte[] toBinary(Object o) {
        BinaryWriter w = new BinaryWriter();
        write(o, w);
        // toArrayUnsafe hands out a whole backing array without copying; bodies appended as fragments are copied once.
        return w.result().toArrayUnsafe();
    }

    /** Writes {@code o}, whose {@link #manifest} is not null. */
    static void write(Object o, BinaryWriter w) {
        if (o instanceof QueueEntityEvent.Created c) {
            RecordFormat.writeQueueDefinition(c.definition(), w);
        } else if (o instanceof QueueEntityEvent.Journal j) {
            RecordFormat.writeQueueEvent(j.event(), w);
        } else if (o instanceof QueueEntityEvent.Batch b) {
            // count, then per event its kind (E enqueued, R removed, N returned) and the same bytes as QE / QR / QN
            w.writeInt(b.events().size());
            for (QueueEvent e : b.events()) {
                w.writeByte(e instanceof QueueEvent.Enqueued ? 'E' : e instanceof QueueEvent.Returned ? 'N' : 'R');
                RecordFormat.writeQueueEvent(e, w);
            }
        } else if (o instanceof QueueEntityEvent.Deleted) {
            // no payload: the manifest says it all
        } else if (o instanceof QueueEntitySnapshot s) {
            w.writeBoolean(s.definition() != null);
            if (s.definition() != null) RecordFormat.writeQueueDefinition(s.definition(), w);
            w.writeBoolean(s.queue() != null);
            if (s.queue() != null) {
                w.writeLong(s.queue().nextSeq());
                w.writeInt(s.queue().messages().size());
                boolean counted = hasDeliveryCounts(s);
                for (QueueSnapshot.Entry e : s.queue().messages()) {
                    w.writeLong(e.seq());
                    w.writeLong(e.enqueuedAt());
                    RecordFormat.writeMessage(e.message(), w);
                    if (counted) w.writeInt(e.deliveryCount());
                }
            }
        } else if (o instanceof TopologyChange.ExchangeDeclared c) {
            RecordFormat.writeExchange(c.definition(), w);
        } else if (o instanceof TopologyChange.ExchangeDeleted c) {
            w.writeName(c.name());
        } else if (o instanceof TopologyChange.Bound c) {
            RecordFormat.writeBinding(c.binding(), w);
        } else if (o instanceof TopologyChange.Unbound c) {
            RecordFormat.writeBinding(c.binding(), w);
        } else if (o instanceof TopologyChange.QueueDeclared c) {
            w.writeName(c.name());
            w.writeBoolean(c.durable());
        } else if (o instanceof TopologyChange.QueueDeleted c) {
            w.writeName(c.name());
        } else {
            throw new IllegalArgumentException("Warren cannot serialize " + o.getClass().getName() + " yet");
        }
    }

    static Object fromBinary(byte[] bytes, String manifest) {
        BinaryReader r = BinaryReader.copying(bytes);
        Object o = read(manifest, r);
        r.expectEnd(manifest);
        return o;
    }

    static Object read(String manifest, BinaryReader r) {
        return switch (manifest) {
            case CREATED -> new QueueEntityEvent.Created(RecordFormat.readQueueDefinition(r));
            case JOURNAL_ENQUEUED -> new QueueEntityEvent.Journal(RecordFormat.readEnqueued(r));
            case JOURNAL_REMOVED -> new QueueEntityEvent.Journal(RecordFormat.readRemoved(r));
            case JOURNAL_RETURNED -> new QueueEntityEvent.Journal(RecordFormat.readReturned(r));
            case JOURNAL_BATCH -> {
                int n = r.readInt();
                List<QueueEvent> events = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    int kind = r.readByte();
                    if (kind == 'E') events.add(RecordFormat.readEnqueued(r));
                    else if (kind == 'R') events.add(RecordFormat.readRemoved(r));
                    else if (kind == 'N') events.add(RecordFormat.readReturned(r));
                    else throw new IllegalArgumentException("unknown queue event kind " + kind + " in a batch");
                }
                yield new QueueEntityEvent.Batch(events);
            }
            case DELETED -> new QueueEntityEvent.Deleted();
            case QUEUE_SNAPSHOT, QUEUE_SNAPSHOT_COUNTED -> {
                boolean counted = manifest.equals(QUEUE_SNAPSHOT_COUNTED);
                QueueDefinition def = r.readBoolean() ? RecordFormat.readQueueDefinition(r) : null;
                QueueSnapshot snap = null;
                if (r.readBoolean()) {
                    long nextSeq = r.readLong();
                    int n = r.readInt();
                    List<QueueSnapshot.Entry> entries = new ArrayList<>(Math.min(n, 1024));
                    for (int i = 0; i < n; i++) {
                        long seq = r.readLong();
                        long at = r.readLong();
                        Message message = RecordFormat.readMessage(r);
                        entries.add(new QueueSnapshot.Entry(seq, message, at, counted ? r.readInt() : 0));
                    }
                    snap = new QueueSnapshot(nextSeq, entries);
                }
                yield new QueueEntitySnapshot(def, snap);
            }
            case EXCHANGE_DECLARED -> new TopologyChange.ExchangeDeclared(RecordFormat.readExchange(r));
            case EXCHANGE_DELETED -> new TopologyChange.ExchangeDeleted(r.readName());
            case BOUND -> new TopologyChange.Bound(RecordFormat.readBinding(r));
            case UNBOUND -> new TopologyChange.Unbound(RecordFormat.readBinding(r));
            case QUEUE_DECLARED -> new TopologyChange.QueueDeclared(r.readName(), r.readBoolean());
            case QUEUE_DELETED -> new TopologyChange.QueueDeleted(r.readName());
            default -> throw new IllegalArgumentException("unknown manifest " + manifest);
        };
    }
}
