package io.warren.broker.serialization;

import io.warren.broker.protocol.WarrenSerializable;
import io.warren.amqp.BasicProperties;
import io.warren.amqp.FieldValues;
import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.broker.protocol.QueueCommand;
import io.warren.broker.protocol.QueueDelivery;
import io.warren.broker.queue.QueueEntityEvent;
import io.warren.broker.queue.QueueEntitySnapshot;
import io.warren.broker.protocol.QueueReply;
import io.warren.broker.protocol.TopologyChange;
import io.warren.broker.protocol.TopologyCommand;
import io.warren.broker.protocol.TopologyReply;
import io.warren.broker.protocol.TopologySnapshot;
import io.warren.broker.protocol.VersionedChange;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueDefinition;
import io.warren.core.queue.QueueEvent;
import io.warren.core.queue.QueueSnapshot;
import io.warren.core.routing.Binding;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.ExchangeType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/** One or more instances of every WarrenSerializable class, with the awkward values each field can hold. */
final class Samples {
    private Samples() {}

    static final int TEN_MIB = 10 * 1024 * 1024;

    /** A header of every AMQP field type Warren decodes, nested tables and arrays included (with V inside). */
    static Map<String, Object> everyFieldType() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("inner", "x");
        nested.put("void", null);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("S", "läuft ✓ \u0000 𝄞");
        t.put("I", -123456);
        t.put("l", Long.MIN_VALUE);
        t.put("t", true);
        t.put("F", nested);
        t.put("A", Arrays.asList(1, "two", null, List.of(3L)));
        t.put("x", new byte[] {0, 1, (byte) 0xff});
        t.put("b", (byte) -5);
        t.put("B", new FieldValues.UnsignedByte(250));
        t.put("s", (short) -300);
        t.put("u", new FieldValues.UnsignedShort(65000));
        t.put("i", new FieldValues.UnsignedInt(4_000_000_000L));
        t.put("L", new FieldValues.UnsignedLong(-1L));
        t.put("f", 1.5f);
        t.put("d", -2.25d);
        t.put("D", new BigDecimal("-12.345"));
        t.put("T", Instant.ofEpochSecond(1_700_000_000L));
        t.put("V", null);
        t.put("empty", Map.of());
        return t;
    }

    static BasicProperties fullProperties() {
        return new BasicProperties("application/json", "gzip", everyFieldType(), 2, 9, "corr-1", "reply.queue",
                "60000", "msg-1", 1_700_000_000L, "type", "guest", "app", "cluster");
    }

    static ByteString body(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) b[i] = (byte) (i * 31 + seed);
        return ByteString.fromArrayUnsafe(b);
    }

    static Message fullMessage() {
        return new Message("node-1/3/42", "amq.topic", "a.b.c", fullProperties(),
                ByteString.fromString("hello", StandardCharsets.UTF_8));
    }

    static Message emptyMessage() {
        return new Message("id-empty", "", "", BasicProperties.EMPTY, ByteString.emptyByteString());
    }

    static Message bigMessage() {
        return new Message("id-big", "x", "k", BasicProperties.EMPTY.withDeliveryMode(2), body(TEN_MIB, 7));
    }

    /** A body that is a slice of a larger array and a rope of two pieces: what the channel hands over. */
    static Message slicedMessage() {
        ByteString slice = body(1000, 1).slice(100, 600).concat(body(300, 2));
        return new Message("id-slice", "x", "k", (BasicProperties) null, slice);
    }

    static QueueDefinition queueDefinition() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("x-max-length", 10);
        args.put("x-dead-letter-exchange", "dlx");
        args.put("x-message-ttl", 5000L);
        return new QueueDefinition("/", "orders", true, false, false, args);
    }

    static ExchangeDefinition exchange() {
        return new ExchangeDefinition("ex", ExchangeType.HEADERS, true, false, true, Map.of("alternate-exchange", "ae"));
    }

    static Binding binding() {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("x-match", "any");
        args.put("present", null);
        args.put("bytes", new byte[] {1, 2});
        return Binding.toQueue("ex", "orders", "rk", args);
    }

    static Binding exchangeBinding() {
        return Binding.toExchange("src", "dst", "#");
    }

    @SuppressWarnings("unchecked")
    static <T> ActorRef<T> cast(ActorRef<?> ref) {
        return (ActorRef<T>) ref;
    }

    /** Everything, each with refs set to {@code ref}; null refs where a message allows them. */
    static List<Object> all(ActorRef<?> ref) {
        List<Object> s = new ArrayList<>();
        // QueueCommand
        s.add(new QueueCommand.Declare(queueDefinition(), "conn-1", false, cast(ref)));
        s.add(new QueueCommand.Declare(new QueueDefinition("v", "q", false, true, true, null), null, true, null));
        s.add(new QueueCommand.Enqueue(List.of(fullMessage(), emptyMessage(), slicedMessage()), new long[] {1, 0, 3},
                cast(ref), 7));
        s.add(new QueueCommand.Enqueue(List.of(bigMessage()), new long[] {Long.MAX_VALUE}, cast(ref), 65535));
        s.add(new QueueCommand.Enqueue(List.of(), new long[0], null, 0));
        s.add(new QueueCommand.Enqueue(List.of(fullMessage(), slicedMessage()), new long[] {5, 6}, cast(ref), 3, true));
        s.add(new QueueCommand.Consume("node/1/2", cast(ref), 2, "ctag-1", true, 100, true, -3, "conn-1", true));
        s.add(new QueueCommand.Consume("node/1/2", cast(ref), 2, "", false, 0, false, 0, null, false));
        s.add(new QueueCommand.Cancel("node/1/2", "ctag-1", cast(ref)));
        s.add(new QueueCommand.Cancel("node/1/2", "ctag-1", null));
        s.add(new QueueCommand.Settle("node/1/2", new long[] {1, 2, 3}, new long[] {}, new long[] {-1}));
        s.add(new QueueCommand.Get("node/1/2", cast(ref), 3, false, "conn-1", cast(ref)));
        s.add(new QueueCommand.Get("node/1/2", cast(ref), 3, true, null, cast(ref)));
        s.add(new QueueCommand.Purge("conn-1", cast(ref)));
        s.add(new QueueCommand.Purge(null, null));
        s.add(new QueueCommand.CheckExclusive("conn-1", cast(ref)));
        s.add(new QueueCommand.CheckExclusive(null, null));
        s.add(new QueueCommand.Delete(true, false, "conn-1", cast(ref)));
        s.add(new QueueCommand.Delete(false, true, null, null));
        s.add(new QueueCommand.ChannelClosed("node/1/2"));
        s.add(new QueueCommand.Recover("node/1/2"));
        s.add(new QueueCommand.OwnerClosed("conn-1"));
        s.add(new QueueCommand.NoAckWritten("node#1/3", "amq.ctag-x", 250));
        s.add(new QueueCommand.DeliveriesReceived("node#1/3", 17, 0, new long[0]));
        s.add(new QueueCommand.DeliveriesReceived("node#1/3", 18, 412, new long[] {399, 401, 412}));
        // QueueReply
        s.add(new QueueReply.Ok(3, 1));
        s.add(new QueueReply.Got(new QueueDelivery(null, 12, fullMessage(), true, 41)));
        s.add(new QueueReply.Got(new QueueDelivery(null, 13, bigMessage(), false, 0)));
        s.add(new QueueReply.Empty());
        s.add(new QueueReply.Failed(404, "NOT_FOUND - no queue 'q' in vhost '/'"));
        // ConnectionProtocol.ToChannel
        s.add(new ConnectionProtocol.Deliver(1, "orders", List.of(
                new QueueDelivery("ctag-1", 1, fullMessage(), false, 0),
                new QueueDelivery("ctag-2", 2, emptyMessage(), true, 0),
                new QueueDelivery("ctag-1", 3, slicedMessage(), false, 0))));
        s.add(new ConnectionProtocol.Deliver(2, "big", List.of(new QueueDelivery("ctag", 9, bigMessage(), false, 0))));
        s.add(new ConnectionProtocol.Deliver(2, "orders", List.of(new QueueDelivery("ctag", 10, fullMessage(), true, 0)),
                -4_611_686_018_427_387_904L, 12));
        s.add(new ConnectionProtocol.DeliveryProbe(3, "orders", 77, 12, 10, false));
        s.add(new ConnectionProtocol.DeliveryProbe(3, "orders", -77, 13, 11, true));
        s.add(new ConnectionProtocol.EnqueueSettled(1, "orders", new long[] {1, 2}, new long[] {3}));
        s.add(new ConnectionProtocol.ConsumeResult(1, "ctag-1", 0, null));
        s.add(new ConnectionProtocol.ConsumeResult(1, "ctag-1", 403, "ACCESS_REFUSED - queue 'q' in exclusive use"));
        s.add(new ConnectionProtocol.ConsumerCancelled(4, "ctag-1"));
        s.add(new ConnectionProtocol.QueueIncarnation(4, "orders", cast(ref)));
        s.add(new ConnectionProtocol.ConsumerTimedOut(4, "orders", 17, 1800000));
        s.add(new ConnectionProtocol.DirectReply(2, "k3y", fullMessage()));
        s.add(new ConnectionProtocol.DirectReply(2, "k3y", bigMessage()));
        s.add(new ConnectionProtocol.ReplyConsumerQuery(2, "k3y", cast(ref)));
        // TopologyCommand, TopologyReply, TopologySnapshot, VersionedChange
        s.add(new TopologyCommand.DeclareExchange(exchange(), cast(ref)));
        s.add(new TopologyCommand.DeclareExchange(ExchangeDefinition.durable("d", ExchangeType.DIRECT), null));
        s.add(new TopologyCommand.DeleteExchange("ex", true, cast(ref)));
        s.add(new TopologyCommand.Bind(binding(), cast(ref)));
        s.add(new TopologyCommand.Unbind(exchangeBinding(), null));
        s.add(new TopologyCommand.DeclareQueue("orders", true, cast(ref)));
        s.add(new TopologyCommand.DeleteQueue("orders", cast(ref)));
        s.add(new TopologyCommand.GetSnapshot(cast(ref)));
        s.add(new TopologyReply.Done(2, 99));
        s.add(new TopologyReply.Failed(406, "PRECONDITION_FAILED - inequivalent arg 'durable'"));
        Map<String, Boolean> queues = new LinkedHashMap<>();
        queues.put("orders", true);
        queues.put("temp", false);
        s.add(new TopologySnapshot("/", 2, 99, List.of(exchange(), ExchangeDefinition.durable("t", ExchangeType.TOPIC)),
                queues, List.of(binding(), exchangeBinding())));
        s.add(new TopologySnapshot("empty", 0, 0, List.of(), Map.of(), List.of()));
        for (TopologyChange change : topologyChanges()) s.add(new VersionedChange("/", 1, 5, change));
        // StallCheck
        s.add(new io.warren.broker.protocol.StallCheck.Query("pekko://warren@127.0.0.1:25521", -4_611_686_018_427_387_904L, 7));
        s.add(new io.warren.broker.protocol.StallCheck.Answer(7, "pekko://warren@127.0.0.1:25522", "UNREACHABLE"));
        // Journal and snapshots
        s.add(new QueueEntityEvent.Created(queueDefinition()));
        s.add(new QueueEntityEvent.Journal(new QueueEvent.Enqueued(17, fullMessage(), 1_700_000_000_123L)));
        s.add(new QueueEntityEvent.Journal(new QueueEvent.Enqueued(18, bigMessage(), 1L)));
        s.add(new QueueEntityEvent.Journal(new QueueEvent.Removed(new long[] {17, 18})));
        s.add(new QueueEntityEvent.Batch(List.of(new QueueEvent.Enqueued(19, fullMessage(), 2L),
                new QueueEvent.Removed(new long[] {17}), new QueueEvent.Enqueued(20, bigMessage(), 3L))));
        s.add(new QueueEntityEvent.Batch(List.of()));
        s.add(new QueueEntityEvent.Deleted());
        s.add(new QueueEntitySnapshot(queueDefinition(), new QueueSnapshot(20, List.of(
                new QueueSnapshot.Entry(17, fullMessage(), 5), new QueueSnapshot.Entry(19, emptyMessage(), 6)))));
        s.add(new QueueEntitySnapshot(null, null));
        // quorum queues' returns (QN, batch kind N) and a snapshot with delivery counts (QS2)
        s.add(new QueueEntityEvent.Journal(new QueueEvent.Returned(new long[] {19, 19, 20})));
        s.add(new QueueEntityEvent.Batch(List.of(new QueueEvent.Enqueued(21, fullMessage(), 2L),
                new QueueEvent.Returned(new long[] {21}), new QueueEvent.Removed(new long[] {21}))));
        s.add(new QueueEntitySnapshot(queueDefinition(), new QueueSnapshot(22, List.of(
                new QueueSnapshot.Entry(17, fullMessage(), 5, 3), new QueueSnapshot.Entry(19, emptyMessage(), 6, 0)))));
        s.addAll(topologyChanges());
        return s;
    }

    static List<TopologyChange> topologyChanges() {
        return List.of(
                new TopologyChange.ExchangeDeclared(exchange()),
                new TopologyChange.ExchangeDeleted("ex"),
                new TopologyChange.Bound(binding()),
                new TopologyChange.Unbound(exchangeBinding()),
                new TopologyChange.QueueDeclared("orders", true),
                new TopologyChange.QueueDeleted("orders"));
    }
}
