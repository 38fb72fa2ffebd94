package io.warren.broker.serialization;

import io.warren.broker.protocol.WarrenSerializable;
import static io.warren.broker.serialization.DeepEquality.assertDeepEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.warren.amqp.ContentHeaders;
import io.warren.amqp.FieldTables;
import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.broker.protocol.QueueCommand;
import io.warren.broker.queue.QueueEntityEvent;
import io.warren.broker.queue.QueueEntitySnapshot;
import io.warren.broker.protocol.QueueReply;
import io.warren.broker.protocol.TopologyChange;
import io.warren.broker.protocol.TopologyCommand;
import io.warren.broker.protocol.TopologyReply;
import io.warren.broker.protocol.TopologySnapshot;
import io.warren.broker.protocol.VersionedChange;
import io.warren.core.queue.Message;
import io.warren.core.queue.QueueEvent;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class WarrenSerializerTest {

    private static ActorSystem<Void> system;
    private static Serialization serialization;
    private static ActorRef<Object> ref;

    @BeforeAll
    static void start() {
        Config config = ConfigFactory.parseString("pekko.remote.artery.canonical.port=0").withFallback(ConfigFactory.load());
        system = ActorSystem.create(Behaviors.empty(), "test", config);
        serialization = SerializationExtension.get(Adapter.toClassic(system));
        ref = system.systemActorOf(Behaviors.empty(), "sink", Props.empty());
    }

    @AfterAll
    static void stop() {
        system.terminate();
    }

    private static Serializer serializerFor(Object o) {
        Serializer serializer = serialization.findSerializerFor(o);
        assertInstanceOf(WarrenSerializer.class, serializer, o.getClass().getName() + " must be bound to WarrenSerializer");
        return serializer;
    }

    /** Through the Serialization extension's byte[] API, as the journal and Java serialization do. */
    private static Object roundTrip(Object o) {
        Serializer serializer = serializerFor(o);
        String manifest = Serializers.manifestFor(serializer, o);
        byte[] bytes = serialization.serialize(o).get();
        return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
    }

    /** Through the ByteBuffer API, as Artery does when the serializer supports it. */
    private static Object roundTripBuffer(Object o, ByteBuffer buf) {
        Serializer serializer = serializerFor(o);
        String manifest = Serializers.manifestFor(serializer, o);
        buf.clear();
        ((ByteBufferSerializer) serializer).toBinary(o, buf);
        buf.flip();
        Object back = ((WarrenSerializer) serializer).fromBinary(buf, manifest);
        // Artery reuses its buffer: what was read must not change when the buffer is overwritten.
        buf.clear();
        while (buf.hasRemaining()) buf.put((byte) 0x5a);
        return back;
    }

    @Test
    void everySampleRoundTripsThroughBothApis() {
        ByteBuffer buf = ByteBuffer.allocate(12 * 1024 * 1024);
        List<Object> samples = Samples.all(ref);
        for (Object sample : samples) {
            assertDeepEquals(sample, roundTrip(sample));
            assertDeepEquals(sample, roundTripBuffer(sample, buf));
        }
    }

    @Test
    void actorRefsResolveToTheSameActor() {
        ActorRef<QueueReply> replyTo = Samples.cast(ref);
        QueueCommand.Cancel back = (QueueCommand.Cancel) roundTrip(new QueueCommand.Cancel("c", "t", replyTo));
        assertEquals(replyTo, back.replyTo());
        assertEquals(replyTo.path(), back.replyTo().path());
        QueueCommand.Cancel none = (QueueCommand.Cancel) roundTrip(new QueueCommand.Cancel("c", "t", null));
        assertEquals(null, none.replyTo());
    }

    @Test
    void tenMebibyteBodyKeepsEveryByte() {
        Message big = Samples.bigMessage();
        QueueCommand.Enqueue back = (QueueCommand.Enqueue) roundTrip(
                new QueueCommand.Enqueue(List.of(big, big), new long[] {1, 2}, null, 1));
        for (Message m : back.messages()) {
            assertEquals(Samples.TEN_MIB, m.body().size());
            assertEquals(big.body(), m.body());
        }
        byte[] bytes = serialization.serialize(new ConnectionProtocol.Deliver(1, "q",
                List.of(new io.warren.broker.protocol.QueueDelivery("t", 1, big, false, 0)))).get();
        // The body once, plus a little framing: nothing is written twice.
        assertTrue(bytes.length > Samples.TEN_MIB && bytes.length < Samples.TEN_MIB + 200, "size " + bytes.length);
    }

    @Test
    void propertiesKeepEveryHeaderTypeAndTheirExactWireBytes() {
        Message m = Samples.fullMessage();
        QueueReply.Got back = (QueueReply.Got) roundTrip(new QueueReply.Got(
                new io.warren.broker.protocol.QueueDelivery(null, 1, m, false, 0)));
        assertDeepEquals(m.properties(), back.delivery().message().properties());
        assertEquals(ContentHeaders.encode(m.properties()), ContentHeaders.encode(back.delivery().message().properties()));
    }

    /**
     * Properties as a publisher encoded them (here with an empty continuation flag word, which Warren's own encoder
     * never writes) cross nodes and sit in the journal as those bytes: the journal row keeps the QE layout (the
     * property bytes length-prefixed where the earlier build wrote its re-encoding, so either build reads the other's
     * rows), and what comes back delivers the same bytes.
     */
    @Test
    void propertiesAsPublishedCrossNodesAndTheJournalByteForByte() throws IOException {
        ByteString raw = ByteString.fromArray(new byte[] {
                0x31, 0x01, 0x00, 0x00,            // headers, delivery-mode, expiration, continuation; empty word
                0, 0, 0, 7, 1, 'n', 'I', 0, 0, 0, 7, // headers {n: 7}
                2,                                 // delivery-mode 2
                2, '6', '0'});                     // expiration "60"
        Message m = new Message("id-raw", "x", "k", io.warren.amqp.EncodedProperties.read(raw),
                ByteString.fromString("body"));
        assertNotEquals(raw, ContentHeaders.encode(m.properties()), "Warren's encoding differs: the test means something");

        QueueCommand.Enqueue remote = (QueueCommand.Enqueue) roundTrip(
                new QueueCommand.Enqueue(List.of(m), new long[] {1}, null, 1));
        assertEquals(raw, remote.messages().get(0).encodedProperties().bytes());
        assertEquals(m, remote.messages().get(0));

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(expected);
        out.writeLong(5);
        out.writeLong(6);
        out.writeUTF(m.id());
        out.writeUTF(m.exchange());
        out.writeUTF(m.routingKey());
        out.writeInt(raw.size());
        out.write(raw.toArray());
        out.writeInt(4);
        out.write("body".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Object event = new QueueEntityEvent.Journal(new QueueEvent.Enqueued(5, m, 6));
        byte[] row = serialization.serialize(event).get();
        assertArrayEquals(expected.toByteArray(), row);
        QueueEntityEvent.Journal back = (QueueEntityEvent.Journal) serialization.deserialize(row,
                serializerFor(event).identifier(), "QE").get();
        Message stored = ((QueueEvent.Enqueued) back.event()).message();
        assertEquals(raw, stored.encodedProperties().bytes());
        assertTrue(stored.persistent());
        assertEquals("60", stored.encodedProperties().expiration());
        assertEquals(7, stored.encodedProperties().headers().get("n"));
        // the earlier build decoded the stored property bytes with ContentHeaders.decode: it reads these too
        assertEquals(m.properties(), ContentHeaders.decode(raw));
    }

    @Test
    void aBufferTooSmallFailsInsteadOfTruncating() {
        Object big = new QueueCommand.Enqueue(List.of(Samples.bigMessage()), new long[] {1}, null, 1);
        ByteBufferSerializer serializer = (ByteBufferSerializer) serializerFor(big);
        assertThrows(BufferOverflowException.class, () -> serializer.toBinary(big, ByteBuffer.allocate(1024 * 1024)));
        Object journal = new QueueEntityEvent.Journal(new QueueEvent.Enqueued(1, Samples.bigMessage(), 1));
        assertThrows(BufferOverflowException.class, () -> serializer.toBinary(journal, ByteBuffer.allocate(1024)));
    }

    @Test
    void truncatedOrPaddedInputIsRejected() {
        Object o = new QueueCommand.Settle("c", new long[] {1}, new long[] {2}, new long[] {3});
        WarrenSerializer serializer = (WarrenSerializer) serializerFor(o);
        String manifest = serializer.manifest(o);
        byte[] bytes = serializer.toBinary(o);
        byte[] shorter = java.util.Arrays.copyOf(bytes, bytes.length - 1);
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(IllegalArgumentException.class, () -> serializer.fromBinary(shorter, manifest));
        assertThrows(IllegalArgumentException.class, () -> serializer.fromBinary(longer, manifest));
        assertThrows(IllegalArgumentException.class, () -> serializer.fromBinary(bytes, "qNoSuchThing"));
    }

    /** A re-sent Enqueue keeps its mark across nodes; a first send keeps the manifest (and bytes) it always had. */
    @Test
    void aResentEnqueueKeepsItsMarkAndFirstSendsTheirFormat() {
        QueueCommand.Enqueue first = new QueueCommand.Enqueue(List.of(Samples.fullMessage()), new long[] {1}, null, 1);
        QueueCommand.Enqueue resent = new QueueCommand.Enqueue(List.of(Samples.fullMessage()), new long[] {1}, null, 1, true);
        assertEquals("qEnq2", Serializers.manifestFor(serializerFor(first), first));
        assertEquals("qEnqR", Serializers.manifestFor(serializerFor(resent), resent));
        assertArrayEquals(serializerFor(first).toBinary(first), serializerFor(resent).toBinary(resent));
        assertTrue(((QueueCommand.Enqueue) roundTrip(resent)).resent());
        assertFalse(((QueueCommand.Enqueue) roundTrip(first)).resent());
    }

    @Test
    void manifestsAreDistinctPerClass() {
        Set<String> seen = new java.util.HashSet<>();
        Set<Class<?>> classes = new java.util.HashSet<>();
        for (Object sample : Samples.all(ref)) {
            String manifest = Serializers.manifestFor(serializerFor(sample), sample);
            Class<?> key = sample instanceof QueueEntityEvent.Journal j ? j.event().getClass() : sample.getClass();
            if (classes.add(key)) assertTrue(seen.add(manifest), "manifest " + manifest + " used twice");
        }
    }

    // ---- The journal format must not change: stored events and snapshots have to stay readable. ----

    /** The journal's Enqueued event, written independently of the serializer as the original code laid it out. */
    @Test
    void journalEnqueuedKeepsItsStoredLayout() throws IOException {
        Message m = Samples.fullMessage();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(expected);
        out.writeLong(17);
        out.writeLong(1234);
        out.writeUTF(m.id());
        out.writeUTF(m.exchange());
        out.writeUTF(m.routingKey());
        ByteString props = ContentHeaders.encode(m.properties());
        out.writeInt(props.size());
        out.write(props.toArray());
        out.writeInt(m.body().size());
        out.write(m.body().toArray());
        Object event = new QueueEntityEvent.Journal(new QueueEvent.Enqueued(17, m, 1234));
        assertEquals("QE", Serializers.manifestFor(serializerFor(event), event));
        assertArrayEquals(expected.toByteArray(), serialization.serialize(event).get());
        assertEquals("QR", Serializers.manifestFor(serializerFor(new QueueEntityEvent.Journal(new QueueEvent.Removed(new long[0]))),
                new QueueEntityEvent.Journal(new QueueEvent.Removed(new long[0]))));
    }

    /** A batch row: the count, then per event its kind byte and exactly the bytes of its QE / QR form. */
    @Test
    void journalBatchIsItsEventsStoredLayoutsInOrder() throws IOException {
        QueueEvent enqueued = new QueueEvent.Enqueued(17, Samples.fullMessage(), 1234);
        QueueEvent removed = new QueueEvent.Removed(new long[] {3, 17});
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(expected);
        out.writeInt(2);
        out.writeByte('E');
        out.write(serialization.serialize(new QueueEntityEvent.Journal(enqueued)).get());
        out.writeByte('R');
        out.write(serialization.serialize(new QueueEntityEvent.Journal(removed)).get());
        Object batch = new QueueEntityEvent.Batch(List.of(enqueued, removed));
        assertEquals("QB", Serializers.manifestFor(serializerFor(batch), batch));
        assertArrayEquals(expected.toByteArray(), serialization.serialize(batch).get());
    }

    @Test
    void journalTopologyEventsKeepTheirStoredLayout() throws IOException {
        var binding = Samples.binding();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(expected);
        out.writeUTF(binding.source());
        out.writeBoolean(true);
        out.writeUTF(binding.destination().name());
        out.writeUTF(binding.routingKey());
        ByteString table = FieldTables.encode(binding.arguments());
        out.writeInt(table.size());
        out.write(table.toArray());
        Object event = new TopologyChange.Bound(binding);
        assertEquals("TB", Serializers.manifestFor(serializerFor(event), event));
        assertArrayEquals(expected.toByteArray(), serialization.serialize(event).get());

        ByteArrayOutputStream declared = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(declared);
        d.writeUTF("orders");
        d.writeBoolean(true);
        Object queueDeclared = new TopologyChange.QueueDeclared("orders", true);
        assertEquals("TQ", Serializers.manifestFor(serializerFor(queueDeclared), queueDeclared));
        assertArrayEquals(declared.toByteArray(), serialization.serialize(queueDeclared).get());
    }

    // ---- Every WarrenSerializable class needs a sample above, or this fails. ----

    @Test
    void everyWarrenSerializableClassHasARoundTripSample() throws Exception {
        Set<Class<?>> sampled = Samples.all(ref).stream().map(Object::getClass).collect(Collectors.toSet());
        Set<String> missing = new TreeSet<>();
        Set<Class<?>> found = concreteSerializableClasses();
        for (Class<?> c : found) {
            if (!sampled.contains(c)) missing.add(c.getName());
        }
        assertTrue(found.size() >= 40, "class scan found too little to be trusted: " + found);
        assertEquals(Set.of(), missing, "WarrenSerializable classes without a round-trip sample in Samples.all "
                + "(add one, and support them in WarrenSerializer)");
    }

    /** Both the sealed hierarchies (recursively) and a scan of the broker's compiled classes. */
    private static Set<Class<?>> concreteSerializableClasses() throws IOException, URISyntaxException {
        Set<Class<?>> found = new LinkedHashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>(List.of(QueueCommand.class, QueueReply.class, QueueEntityEvent.class,
                QueueEntitySnapshot.class, ConnectionProtocol.class, TopologyCommand.class, TopologyReply.class,
                TopologyChange.class, TopologySnapshot.class, VersionedChange.class));
        todo.addAll(scanBrokerClasses());
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (c.isSealed()) todo.addAll(List.of(c.getPermittedSubclasses()));
            if (WarrenSerializable.class.isAssignableFrom(c) && !c.isInterface()
                    && !java.lang.reflect.Modifier.isAbstract(c.getModifiers()) && !c.isAnonymousClass()) {
                found.add(c);
            }
        }
        return found;
    }

    private static List<Class<?>> scanBrokerClasses() throws IOException, URISyntaxException {
        File root = new File(WarrenSerializable.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names;
        if (root.isDirectory()) {
            try (Stream<Path> files = Files.walk(root.toPath())) {
                names = files.map(p -> root.toPath().relativize(p).toString().replace(File.separatorChar, '/'))
                        .filter(n -> n.endsWith(".class")).toList();
            }
        } else {
            try (JarFile jar = new JarFile(root)) {
                names = jar.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class")).toList();
            }
        }
        return names.stream()
                .filter(n -> n.startsWith("io/warren/") && !n.endsWith("module-info.class"))
                .map(n -> n.substring(0, n.length() - ".class".length()).replace('/', '.'))
                .<Class<?>>map(n -> {
                    try {
                        return Class.forName(n, false, WarrenSerializable.class.getClassLoader());
                    } catch (ClassNotFoundException | LinkageError e) {
                        throw new AssertionError("cannot load " + n, e);
                    }
                })
                .filter(WarrenSerializable.class::isAssignableFrom)
                .toList();
    }

    @Test
    void aNonWarrenClassIsRefused() {
        Object recover = new QueueCommand.Recover("c");
        WarrenSerializer serializer = (WarrenSerializer) serializerFor(recover);
        assertThrows(IllegalArgumentException.class, () -> serializer.manifest("not a warren message"));
        assertNotEquals(serializer.manifest(recover), serializer.manifest(new QueueCommand.ChannelClosed("c")));
    }
}
