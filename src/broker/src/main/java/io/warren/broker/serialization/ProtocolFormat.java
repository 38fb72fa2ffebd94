package io.warren.broker.serialization;

import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.broker.protocol.QueueCommand;
import io.warren.broker.protocol.QueueDelivery;
import io.warren.broker.protocol.QueueReply;
import io.warren.broker.protocol.StallCheck;
import io.warren.broker.protocol.TopologyChange;
import io.warren.broker.protocol.TopologyCommand;
import io.warren.broker.protocol.TopologyReply;
import io.warren.broker.protocol.TopologySnapshot;
import io.warren.broker.protocol.VersionedChange;
import io.warren.core.queue.Message;
import io.warren.core.routing.Binding;
import io.warren.core.routing.ExchangeDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/**
 * The format of the messages actors send each other across nodes: queue commands and replies, what queues send to
 * channels, topology commands, replies, snapshots and published changes. Only live nodes read it, so it may change
 * between releases as long as a rolling update does not mix formats (then add a manifest instead).
 *
 * <p>Manifests start with a lower-case letter so they can never collide with {@link JournalFormat}'s. The records the
 * journal stores too (messages, definitions, bindings, topology changes) are written by {@link RecordFormat} and
 * {@link JournalFormat}, one encoding for both; the manifests ending in "2" are those that changed to it.
 */
final class ProtocolFormat {

    // QueueCommand
    private static final String Q_DECLARE = "qDcl2", Q_ENQUEUE = "qEnq2",
            // a re-sent Enqueue: the same bytes under its own manifest, so a first send keeps qEnq2's format
            Q_ENQUEUE_RESENT = "qEnqR", Q_CONSUME = "qCon2", Q_CANCEL = "qCan",
            Q_SETTLE = "qSet", Q_GET = "qGet", Q_PURGE = "qPur", Q_DELETE = "qDel", Q_CHANNEL_CLOSED = "qChC",
            Q_RECOVER = "qRec", Q_OWNER_CLOSED = "qOwC", Q_NO_ACK_WRITTEN = "qNAW",
            Q_CHECK_EXCLUSIVE = "qChX", Q_DELIVERIES_RECEIVED = "qDRc";
    // QueueReply
    private static final String R_OK = "rOk", R_GOT = "rGot2", R_EMPTY = "rEmp", R_FAILED = "rFail";
    // ConnectionProtocol.ToChannel
    // cDlv2: a Deliver without its incarnation and number (read still, from a node of the release before)
    private static final String C_DELIVER_UNNUMBERED = "cDlv2", C_DELIVER = "cDlv3", C_DELIVERY_PROBE = "cDPr",
            C_ENQUEUE_SETTLED = "cEnS", C_CONSUME_RESULT = "cCoR",
            C_CONSUMER_CANCELLED = "cCoC", C_QUEUE_INCARNATION = "cQIn", C_CONSUMER_TIMED_OUT = "cCTO",
            C_DIRECT_REPLY = "cDRp2", C_REPLY_CONSUMER_QUERY = "cRCQ";
    // TopologyCommand, TopologyReply, TopologySnapshot, VersionedChange
    private static final String T_DECLARE_EXCHANGE = "tDX2", T_DELETE_EXCHANGE = "tDlX", T_BIND = "tBnd2",
            T_UNBIND = "tUnb2", T_DECLARE_QUEUE = "tDQ", T_DELETE_QUEUE = "tDlQ", T_GET_SNAPSHOT = "tGS",
            T_DONE = "tDone", T_FAILED = "tFail", T_SNAPSHOT = "tSnap2", T_VERSIONED_CHANGE = "tVC2";
    // StallCheck (between FailoverGuards)
    private static final String S_QUERY = "sQry", S_ANSWER = "sAns";

    private final Supplier<ActorRefResolver> resolver;

    /** The resolver is looked up on first use: the serializer may be created while the actor system starts. */
    ProtocolFormat(Supplier<ActorRefResolver> resolver) {
        this.resolver = resolver;
    }

    /** The manifest of a cross-node message type, or null for anything else. */
    static String manifest(Object o) {
        if (o instanceof QueueCommand c) return queueCommandManifest(c);
        if (o instanceof QueueReply r) return queueReplyManifest(r);
        if (o instanceof ConnectionProtocol.ToChannel t) return toChannelManifest(t);
        if (o instanceof TopologyCommand c) return topologyCommandManifest(c);
        if (o instanceof TopologyReply.Done) return T_DONE;
        if (o instanceof TopologyReply.Failed) return T_FAILED;
        if (o instanceof TopologySnapshot) return T_SNAPSHOT;
        if (o instanceof VersionedChange) return T_VERSIONED_CHANGE;
        if (o instanceof StallCheck.Query) return S_QUERY;
        if (o instanceof StallCheck.Answer) return S_ANSWER;
        return null;
    }

    private static String queueCommandManifest(QueueCommand c) {
        if (c instanceof QueueCommand.Declare) return Q_DECLARE;
        if (c instanceof QueueCommand.Enqueue e) return e.resent() ? Q_ENQUEUE_RESENT : Q_ENQUEUE;
        if (c instanceof QueueCommand.Consume) return Q_CONSUME;
        if (c instanceof QueueCommand.Cancel) return Q_CANCEL;
        if (c instanceof QueueCommand.Settle) return Q_SETTLE;
        if (c instanceof QueueCommand.Get) return Q_GET;
        if (c instanceof QueueCommand.Purge) return Q_PURGE;
        if (c instanceof QueueCommand.CheckExclusive) return Q_CHECK_EXCLUSIVE;
        if (c instanceof QueueCommand.Delete) return Q_DELETE;
        if (c instanceof QueueCommand.ChannelClosed) return Q_CHANNEL_CLOSED;
        if (c instanceof QueueCommand.Recover) return Q_RECOVER;
        if (c instanceof QueueCommand.OwnerClosed) return Q_OWNER_CLOSED;
        if (c instanceof QueueCommand.NoAckWritten) return Q_NO_ACK_WRITTEN;
        if (c instanceof QueueCommand.DeliveriesReceived) return Q_DELIVERIES_RECEIVED;
        return null;
    }

    private static String queueReplyManifest(QueueReply r) {
        if (r instanceof QueueReply.Ok) return R_OK;
        if (r instanceof QueueReply.Got) return R_GOT;
        if (r instanceof QueueReply.Empty) return R_EMPTY;
        if (r instanceof QueueReply.Failed) return R_FAILED;
        return null;
    }

    private static String toChannelManifest(ConnectionProtocol.ToChannel t) {
        if (t instanceof ConnectionProtocol.Deliver) return C_DELIVER;
        if (t instanceof ConnectionProtocol.DeliveryProbe) return C_DELIVERY_PROBE;
        if (t instanceof ConnectionProtocol.EnqueueSettled) return C_ENQUEUE_SETTLED;
        if (t instanceof ConnectionProtocol.ConsumeResult) return C_CONSUME_RESULT;
        if (t instanceof ConnectionProtocol.ConsumerCancelled) return C_CONSUMER_CANCELLED;
        if (t instanceof ConnectionProtocol.QueueIncarnation) return C_QUEUE_INCARNATION;
        if (t instanceof ConnectionProtocol.ConsumerTimedOut) return C_CONSUMER_TIMED_OUT;
        if (t instanceof ConnectionProtocol.DirectReply) return C_DIRECT_REPLY;
        if (t instanceof ConnectionProtocol.ReplyConsumerQuery) return C_REPLY_CONSUMER_QUERY;
        return null;
    }

    private static String topologyCommandManifest(TopologyCommand c) {
        if (c instanceof TopologyCommand.DeclareExchange) return T_DECLARE_EXCHANGE;
        if (c instanceof TopologyCommand.DeleteExchange) return T_DELETE_EXCHANGE;
        if (c instanceof TopologyCommand.Bind) return T_BIND;
        if (c instanceof TopologyCommand.Unbind) return T_UNBIND;
        if (c instanceof TopologyCommand.DeclareQueue) return T_DECLARE_QUEUE;
        if (c instanceof TopologyCommand.DeleteQueue) return T_DELETE_QUEUE;
        if (c instanceof TopologyCommand.GetSnapshot) return T_GET_SNAPSHOT;
        return null;
    }

    static boolean handles(String manifest) {
        return !manifest.isEmpty() && Character.isLowerCase(manifest.charAt(0));
    }

    /** Writes {@code o}, whose {@link #manifest} is not null. */
    void write(Object o, BinaryWriter w) {
        if (o instanceof QueueCommand c) {
            writeQueueCommand(c, w);
        } else if (o instanceof QueueReply r) {
            writeQueueReply(r, w);
        } else if (o instanceof ConnectionProtocol.ToChannel t) {
            writeToChannel(t, w);
        } else if (o instanceof TopologyCommand c) {
            writeTopologyCommand(c, w);
        } else if (o instanceof TopologyReply.Done d) {
            w.writeLong(d.epoch());
            w.writeLong(d.version());
        } else if (o instanceof TopologyReply.Failed f) {
            w.writeInt(f.replyCode());
            w.writeString(f.replyText());
        } else if (o instanceof TopologySnapshot s) {
            writeTopologySnapshot(s, w);
        } else if (o instanceof VersionedChange v) {
            w.writeString(v.vhost());
            w.writeLong(v.epoch());
            w.writeLong(v.version());
            writeTopologyChange(v.change(), w);
        } else if (o instanceof StallCheck.Query q) {
            w.writeString(q.address());
            w.writeLong(q.uid());
            w.writeLong(q.round());
        } else if (o instanceof StallCheck.Answer a) {
            w.writeLong(a.round());
            w.writeString(a.responder());
            w.writeString(a.status());
        } else {
            throw new IllegalArgumentException("Warren cannot serialize " + o.getClass().getName());
        }
    }

    Object read(String manifest, BinaryReader r) {
        return switch (manifest) {
            case Q_DECLARE -> new QueueCommand.Declare(RecordFormat.readQueueDefinition(r), r.readString(), r.readBoolean(), readRef(r));
            case Q_ENQUEUE, Q_ENQUEUE_RESENT -> {
                List<Message> messages = readMessages(r);
                yield new QueueCommand.Enqueue(messages, r.readLongs(), readRef(r), r.readInt(),
                        manifest.equals(Q_ENQUEUE_RESENT));
            }
            case Q_CONSUME -> new QueueCommand.Consume(r.readString(), readRef(r), r.readInt(), r.readString(),
                    r.readBoolean(), r.readInt(), r.readBoolean(), r.readInt(), r.readString(), r.readBoolean());
            case Q_CANCEL -> new QueueCommand.Cancel(r.readString(), r.readString(), readRef(r));
            case Q_SETTLE -> new QueueCommand.Settle(r.readString(), r.readLongs(), r.readLongs(), r.readLongs());
            case Q_GET -> new QueueCommand.Get(r.readString(), readRef(r), r.readInt(), r.readBoolean(), r.readString(),
                    readRef(r));
            case Q_PURGE -> new QueueCommand.Purge(r.readString(), readRef(r));
            case Q_CHECK_EXCLUSIVE -> new QueueCommand.CheckExclusive(r.readString(), readRef(r));
            case Q_DELETE -> new QueueCommand.Delete(r.readBoolean(), r.readBoolean(), r.readString(), readRef(r));
            case Q_CHANNEL_CLOSED -> new QueueCommand.ChannelClosed(r.readString());
            case Q_RECOVER -> new QueueCommand.Recover(r.readString());
            case Q_OWNER_CLOSED -> new QueueCommand.OwnerClosed(r.readString());
            case Q_NO_ACK_WRITTEN -> new QueueCommand.NoAckWritten(r.readString(), r.readString(), r.readInt());
            case Q_DELIVERIES_RECEIVED -> new QueueCommand.DeliveriesReceived(r.readString(), r.readLong(), r.readLong(),
                    r.readLongs());

            case R_OK -> new QueueReply.Ok(r.readInt(), r.readInt());
            case R_GOT -> new QueueReply.Got(readDelivery(r));
            case R_EMPTY -> new QueueReply.Empty();
            case R_FAILED -> new QueueReply.Failed(r.readInt(), r.readString());

            case C_DELIVER, C_DELIVER_UNNUMBERED -> {
                int channel = r.readInt();
                String queue = r.readString();
                int n = r.readInt();
                List<QueueDelivery> deliveries = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) deliveries.add(readDelivery(r));
                if (manifest.equals(C_DELIVER_UNNUMBERED)) yield new ConnectionProtocol.Deliver(channel, queue, deliveries);
                yield new ConnectionProtocol.Deliver(channel, queue, deliveries, r.readLong(), r.readLong());
            }
            case C_DELIVERY_PROBE -> new ConnectionProtocol.DeliveryProbe(r.readInt(), r.readString(), r.readLong(),
                    r.readLong(), r.readLong(), r.readBoolean());
            case C_ENQUEUE_SETTLED -> new ConnectionProtocol.EnqueueSettled(r.readInt(), r.readString(), r.readLongs(),
                    r.readLongs());
            case C_CONSUME_RESULT -> new ConnectionProtocol.ConsumeResult(r.readInt(), r.readString(), r.readInt(),
                    r.readString());
            case C_CONSUMER_CANCELLED -> new ConnectionProtocol.ConsumerCancelled(r.readInt(), r.readString());
            case C_QUEUE_INCARNATION -> new ConnectionProtocol.QueueIncarnation(r.readInt(), r.readString(), readRef(r));
            case C_CONSUMER_TIMED_OUT -> new ConnectionProtocol.ConsumerTimedOut(r.readInt(), r.readString(), r.readLong(),
                    r.readLong());
            case C_DIRECT_REPLY -> new ConnectionProtocol.DirectReply(r.readInt(), r.readString(), RecordFormat.readMessage(r));
            case C_REPLY_CONSUMER_QUERY -> new ConnectionProtocol.ReplyConsumerQuery(r.readInt(), r.readString(), readRef(r));

            case T_DECLARE_EXCHANGE -> new TopologyCommand.DeclareExchange(RecordFormat.readExchange(r), readRef(r));
            case T_DELETE_EXCHANGE -> new TopologyCommand.DeleteExchange(r.readString(), r.readBoolean(), readRef(r));
            case T_BIND -> new TopologyCommand.Bind(RecordFormat.readBinding(r), readRef(r));
            case T_UNBIND -> new TopologyCommand.Unbind(RecordFormat.readBinding(r), readRef(r));
            case T_DECLARE_QUEUE -> new TopologyCommand.DeclareQueue(r.readString(), r.readBoolean(), readRef(r));
            case T_DELETE_QUEUE -> new TopologyCommand.DeleteQueue(r.readString(), readRef(r));
            case T_GET_SNAPSHOT -> new TopologyCommand.GetSnapshot(readRef(r));
            case T_DONE -> new TopologyReply.Done(r.readLong(), r.readLong());
            case T_FAILED -> new TopologyReply.Failed(r.readInt(), r.readString());
            case T_SNAPSHOT -> readTopologySnapshot(r);
            case T_VERSIONED_CHANGE -> new VersionedChange(r.readString(), r.readLong(), r.readLong(), readTopologyChange(r));
            case S_QUERY -> new StallCheck.Query(r.readString(), r.readLong(), r.readLong());
            case S_ANSWER -> new StallCheck.Answer(r.readLong(), r.readString(), r.readString());
            default -> throw new IllegalArgumentException("unknown Warren manifest " + manifest);
        };
    }

    private void writeQueueCommand(QueueCommand c, BinaryWriter w) {
        if (c instanceof QueueCommand.Declare d) {
            RecordFormat.writeQueueDefinition(d.definition(), w);
            w.writeString(d.ownerConnection());
            w.writeBoolean(d.passive());
            writeRef(d.replyTo(), w);
        } else if (c instanceof QueueCommand.Enqueue e) {
            w.writeInt(e.messages().size());
            for (Message m : e.messages()) RecordFormat.writeMessage(m, w);
            w.writeLongs(e.publishSeqs());
            writeRef(e.replyTo(), w);
            w.writeInt(e.channel());
        } else if (c instanceof QueueCommand.Consume k) {
            w.writeString(k.channelId());
            writeRef(k.connection(), w);
            w.writeInt(k.channel());
            w.writeString(k.consumerTag());
            w.writeBoolean(k.noAck());
            w.writeInt(k.prefetch());
            w.writeBoolean(k.exclusive());
            w.writeInt(k.priority());
            w.writeString(k.ownerConnection());
            w.writeBoolean(k.channelPrefetchLimited());
        } else if (c instanceof QueueCommand.Cancel k) {
            w.writeString(k.channelId());
            w.writeString(k.consumerTag());
            writeRef(k.replyTo(), w);
        } else if (c instanceof QueueCommand.Settle s) {
            w.writeString(s.channelId());
            w.writeLongs(s.acked());
            w.writeLongs(s.requeued());
            w.writeLongs(s.discarded());
        } else if (c instanceof QueueCommand.Get g) {
            w.writeString(g.channelId());
            writeRef(g.connection(), w);
            w.writeInt(g.channel());
            w.writeBoolean(g.noAck());
            w.writeString(g.ownerConnection());
            writeRef(g.replyTo(), w);
        } else if (c instanceof QueueCommand.Purge p) {
            w.writeString(p.ownerConnection());
            writeRef(p.replyTo(), w);
        } else if (c instanceof QueueCommand.CheckExclusive x) {
            w.writeString(x.ownerConnection());
            writeRef(x.replyTo(), w);
        } else if (c instanceof QueueCommand.Delete d) {
            w.writeBoolean(d.ifUnused());
            w.writeBoolean(d.ifEmpty());
            w.writeString(d.ownerConnection());
            writeRef(d.replyTo(), w);
        } else if (c instanceof QueueCommand.ChannelClosed k) {
            w.writeString(k.channelId());
        } else if (c instanceof QueueCommand.Recover k) {
            w.writeString(k.channelId());
        } else if (c instanceof QueueCommand.OwnerClosed k) {
            w.writeString(k.ownerConnection());
        } else if (c instanceof QueueCommand.NoAckWritten n) {
            w.writeString(n.channelId());
            w.writeString(n.consumerTag());
            w.writeInt(n.count());
        } else if (c instanceof QueueCommand.DeliveriesReceived d) {
            w.writeString(d.channelId());
            w.writeLong(d.seq());
            w.writeLong(d.missingUpTo());
            w.writeLongs(d.held());
        } else {
            throw new IllegalArgumentException("Warren cannot serialize " + c.getClass().getName());
        }
    }

    private void writeQueueReply(QueueReply r, BinaryWriter w) {
        if (r instanceof QueueReply.Ok ok) {
            w.writeInt(ok.messageCount());
            w.writeInt(ok.consumerCount());
        } else if (r instanceof QueueReply.Got g) {
            writeDelivery(g.delivery(), w);
        } else if (r instanceof QueueReply.Failed f) {
            w.writeInt(f.replyCode());
            w.writeString(f.replyText());
        } else if (!(r instanceof QueueReply.Empty)) {
            throw new IllegalArgumentException("Warren cannot serialize " + r.getClass().getName());
        }
    }

    private void writeToChannel(ConnectionProtocol.ToChannel t, BinaryWriter w) {
        w.writeInt(t.channel());
        if (t instanceof ConnectionProtocol.Deliver d) {
            w.writeString(d.queue());
            w.writeInt(d.deliveries().size());
            for (QueueDelivery delivery : d.deliveries()) writeDelivery(delivery, w);
            w.writeLong(d.incarnation());
            w.writeLong(d.seq());
        } else if (t instanceof ConnectionProtocol.DeliveryProbe p) {
            w.writeString(p.queue());
            w.writeLong(p.incarnation());
            w.writeLong(p.seq());
            w.writeLong(p.lastDeliveryId());
            w.writeBoolean(p.wantHeld());
        } else if (t instanceof ConnectionProtocol.EnqueueSettled s) {
            w.writeString(s.queue());
            w.writeLongs(s.accepted());
            w.writeLongs(s.rejected());
        } else if (t instanceof ConnectionProtocol.ConsumeResult c) {
            w.writeString(c.consumerTag());
            w.writeInt(c.failureCode());
            w.writeString(c.failureText());
        } else if (t instanceof ConnectionProtocol.ConsumerCancelled c) {
            w.writeString(c.consumerTag());
        } else if (t instanceof ConnectionProtocol.QueueIncarnation q) {
            w.writeString(q.queue());
            writeRef(q.ref(), w);
        } else if (t instanceof ConnectionProtocol.ConsumerTimedOut c) {
            w.writeString(c.queue());
            w.writeLong(c.deliveryId());
            w.writeLong(c.timeoutMillis());
        } else if (t instanceof ConnectionProtocol.DirectReply d) {
            w.writeString(d.key());
            RecordFormat.writeMessage(d.message(), w);
        } else if (t instanceof ConnectionProtocol.ReplyConsumerQuery q) {
            w.writeString(q.key());
            writeRef(q.replyTo(), w);
        } else {
            throw new IllegalArgumentException("Warren cannot serialize " + t.getClass().getName());
        }
    }

    private void writeTopologyCommand(TopologyCommand c, BinaryWriter w) {
        if (c instanceof TopologyCommand.DeclareExchange d) {
            RecordFormat.writeExchange(d.definition(), w);
            writeRef(d.replyTo(), w);
        } else if (c instanceof TopologyCommand.DeleteExchange d) {
            w.writeString(d.name());
            w.writeBoolean(d.ifUnused());
            writeRef(d.replyTo(), w);
        } else if (c instanceof TopologyCommand.Bind b) {
            RecordFormat.writeBinding(b.binding(), w);
            writeRef(b.replyTo(), w);
        } else if (c instanceof TopologyCommand.Unbind u) {
            RecordFormat.writeBinding(u.binding(), w);
            writeRef(u.replyTo(), w);
        } else if (c instanceof TopologyCommand.DeclareQueue d) {
            w.writeString(d.name());
            w.writeBoolean(d.durable());
            writeRef(d.replyTo(), w);
        } else if (c instanceof TopologyCommand.DeleteQueue d) {
            w.writeString(d.name());
            writeRef(d.replyTo(), w);
        } else if (c instanceof TopologyCommand.GetSnapshot g) {
            writeRef(g.replyTo(), w);
        } else {
            throw new IllegalArgumentException("Warren cannot serialize " + c.getClass().getName());
        }
    }

    private static void writeTopologySnapshot(TopologySnapshot s, BinaryWriter w) {
        w.writeString(s.vhost());
        w.writeLong(s.epoch());
        w.writeLong(s.version());
        w.writeInt(s.exchanges().size());
        for (ExchangeDefinition x : s.exchanges()) RecordFormat.writeExchange(x, w);
        w.writeInt(s.queues().size());
        for (Map.Entry<String, Boolean> q : s.queues().entrySet()) {
            w.writeString(q.getKey());
            w.writeBoolean(q.getValue());
        }
        w.writeInt(s.bindings().size());
        for (Binding b : s.bindings()) RecordFormat.writeBinding(b, w);
    }

    private static TopologySnapshot readTopologySnapshot(BinaryReader r) {
        String vhost = r.readString();
        long epoch = r.readLong();
        long version = r.readLong();
        int nx = r.readInt();
        List<ExchangeDefinition> exchanges = new ArrayList<>(Math.min(nx, 1024));
        for (int i = 0; i < nx; i++) exchanges.add(RecordFormat.readExchange(r));
        int nq = r.readInt();
        Map<String, Boolean> queues = new LinkedHashMap<>();
        for (int i = 0; i < nq; i++) queues.put(r.readString(), r.readBoolean());
        int nb = r.readInt();
        List<Binding> bindings = new ArrayList<>(Math.min(nb, 1024));
        for (int i = 0; i < nb; i++) bindings.add(RecordFormat.readBinding(r));
        return new TopologySnapshot(vhost, epoch, version, exchanges, queues, bindings);
    }

    /** A change travels in its journal format: one encoding per change, and replicas read what the journal holds. */
    private static void writeTopologyChange(TopologyChange change, BinaryWriter w) {
        w.writeString(JournalFormat.manifest(change));
        JournalFormat.write(change, w);
    }

    private static TopologyChange readTopologyChange(BinaryReader r) {
        return (TopologyChange) JournalFormat.read(r.readString(), r);
    }

    private static void writeDelivery(QueueDelivery d, BinaryWriter w) {
        w.writeString(d.consumerTag());
        w.writeLong(d.deliveryId());
        RecordFormat.writeMessage(d.message(), w);
        w.writeBoolean(d.redelivered());
        w.writeInt(d.messageCount());
    }

    private static QueueDelivery readDelivery(BinaryReader r) {
        return new QueueDelivery(r.readString(), r.readLong(), RecordFormat.readMessage(r), r.readBoolean(), r.readInt());
    }

    private static List<Message> readMessages(BinaryReader r) {
        int n = r.readInt();
        List<Message> messages = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) messages.add(RecordFormat.readMessage(r));
        return messages;
    }

    private void writeRef(ActorRef<?> ref, BinaryWriter w) {
        w.writeString(ref == null ? null : resolver.get().toSerializationFormat(ref));
    }

    private <T> ActorRef<T> readRef(BinaryReader r) {
        String path = r.readString();
        return path == null ? null : resolver.get().resolveActorRef(path);
    }
}
