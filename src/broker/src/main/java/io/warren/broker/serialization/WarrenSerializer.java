package io.warren.broker.serialization;

import io.warren.broker.protocol.WarrenSerializable;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.util.ByteString;

/**
 * Serializer for every {@link WarrenSerializable}: journal events and snapshots in {@link JournalFormat} (upper-case
 * manifests, a stored format that must stay readable), cross-node messages in {@link ProtocolFormat} (lower-case
 * manifests).
 *
 * <p>It is also a {@link ByteBufferSerializer}, so Artery writes a message straight into its envelope buffer: a
 * message body is copied once on the way out, and read back as a slice of the received bytes.
 */
public final class WarrenSerializer extends SerializerWithStringManifest implements ByteBufferSerializer {

    private final ExtendedActorSystem system;
    private final ProtocolFormat protocol;
    private volatile ActorRefResolver resolver;

    public WarrenSerializer(ExtendedActorSystem system) {
        this.system = system;
        this.protocol = new ProtocolFormat(this::resolver);
    }

    private ActorRefResolver resolver() {
        ActorRefResolver r = resolver;
        if (r == null) {
            r = ActorRefResolver.get(Adapter.toTyped(system));
            resolver = r;
        }
        return r;
    }

    @Override
    public int identifier() {
        return 4_770_301;
    }

    @Override
    public String manifest(Object o) {
        String manifest = JournalFormat.manifest(o);
        if (manifest == null) manifest = ProtocolFormat.manifest(o);
        if (manifest == null) {
            throw new IllegalArgumentException("Warren cannot serialize " + o.getClass().getName());
        }
        return manifest;
    }

    @Override
    public byte[] toBinary(Object o) {
        return bytes(o).toArrayUnsafe();
    }

    @Override
    public void toBinary(Object o, ByteBuffer buf) {
        ByteString bytes = bytes(o);
        // copyToBuffer copies what fits and says nothing: a truncated message must fail instead, as Artery expects.
        if (bytes.size() > buf.remaining()) throw new BufferOverflowException();
        bytes.copyToBuffer(buf);
    }

    /** Both formats write on one {@link BinaryWriter}: bodies are appended, not copied, until the bytes are taken. */
    private ByteString bytes(Object o) {
        BinaryWriter w = new BinaryWriter();
        if (JournalFormat.manifest(o) != null) JournalFormat.write(o, w);
        else if (ProtocolFormat.manifest(o) != null) protocol.write(o, w);
        else throw new IllegalArgumentException("Warren cannot serialize " + o.getClass().getName());
        return w.result();
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) {
        if (JournalFormat.handles(manifest)) return JournalFormat.fromBinary(bytes, manifest);
        if (!ProtocolFormat.handles(manifest)) throw new IllegalArgumentException("unknown Warren manifest " + manifest);
        BinaryReader r = new BinaryReader(bytes);
        Object o = protocol.read(manifest, r);
        r.expectEnd(manifest);
        return o;
    }

    @Override
    public Object fromBinary(ByteBuffer buf, String manifest) {
        // Artery reuses its buffer after this returns, so the message must own its bytes: one copy, then slices.
        byte[] bytes = new byte[buf.remaining()];
        buf.get(bytes);
        return fromBinary(bytes, manifest);
    }
}
