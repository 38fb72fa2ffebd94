package io.warren.broker.access;

import io.warren.broker.protocol.AccessSnapshot;
import io.warren.broker.protocol.AccessReply;
import io.warren.broker.protocol.AccessCommand;
import io.warren.core.access.AccessChange;
import io.warren.core.access.AccessState;
import io.warren.core.access.Permission;
import io.warren.core.access.UserAccount;
import io.warren.core.policy.ApplyTo;
import io.warren.core.policy.Policy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * Binary format of the access entity's messages and journal events. The events ("A..." manifests) are stored and must
 * stay readable: change them only by adding a manifest. Each starts with a format version byte.
 */
public final class AccessSerializer extends SerializerWithStringManifest {
    private static final String LOAD = "aLoad", CHANGE = "aChange", DONE = "aDone", FAILED = "aFailed",
            SNAPSHOT = "aSnap", SEEDED = "ASeeded", CHANGED = "AChanged";
    /** 2 added policies to the state and the policy changes; format 1 (no policies) is still read. */
    private static final int FORMAT = 2;

    private final ExtendedActorSystem system;
    private volatile ActorRefResolver resolver;

    public AccessSerializer(ExtendedActorSystem system) {
        this.system = system;
    }

    @Override
    public int identifier() {
        return 4_770_302;
    }

    @Override
    public String manifest(Object o) {
        if (o instanceof AccessCommand.Load) return LOAD;
        if (o instanceof AccessCommand.Change) return CHANGE;
        if (o instanceof AccessReply.Done) return DONE;
        if (o instanceof AccessReply.Failed) return FAILED;
        if (o instanceof AccessSnapshot) return SNAPSHOT;
        if (o instanceof AccessEvent.Seeded) return SEEDED;
        if (o instanceof AccessEvent.Changed) return CHANGED;
        throw new IllegalArgumentException("AccessSerializer cannot serialize " + o.getClass().getName());
    }

    @Override
    public byte[] toBinary(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            if (o instanceof AccessCommand.Load l) {
                writeState(out, l.seed());
                writeString(out, ref(l.replyTo()));
            } else if (o instanceof AccessCommand.Change c) {
                writeChange(out, c.change());
                writeString(out, ref(c.replyTo()));
            } else if (o instanceof AccessReply.Done d) {
                out.writeLong(d.version());
            } else if (o instanceof AccessReply.Failed f) {
                writeString(out, f.reason());
            } else if (o instanceof AccessSnapshot s) {
                writeState(out, s.state());
            } else if (o instanceof AccessEvent.Seeded s) {
                writeState(out, s.state());
            } else if (o instanceof AccessEvent.Changed c) {
                writeChange(out, c.change());
            } else {
                throw new IllegalArgumentException("AccessSerializer cannot serialize " + o.getClass().getName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readByte();
            if (format != 1 && format != FORMAT) throw new IllegalArgumentException("unknown access format " + format + " for " + manifest);
            return switch (manifest) {
                case LOAD -> new AccessCommand.Load(readState(in, format), this.<AccessSnapshot>resolve(readString(in)));
                case CHANGE -> new AccessCommand.Change(readChange(in), this.<AccessReply>resolve(readString(in)));
                case DONE -> new AccessReply.Done(in.readLong());
                case FAILED -> new AccessReply.Failed(readString(in));
                case SNAPSHOT -> new AccessSnapshot(readState(in, format));
                case SEEDED -> new AccessEvent.Seeded(readState(in, format));
                case CHANGED -> new AccessEvent.Changed(readChange(in));
                default -> throw new IllegalArgumentException("unknown access manifest " + manifest);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ActorRefResolver resolver() {
        ActorRefResolver r = resolver;
        if (r == null) {
            r = ActorRefResolver.get(Adapter.toTyped(system));
            resolver = r;
        }
        return r;
    }

    private String ref(ActorRef<?> ref) {
        return resolver().toSerializationFormat(ref);
    }

    private <T> ActorRef<T> resolve(String path) {
        return resolver().resolveActorRef(path);
    }

    // ---------------------------------------------------------------- state and changes

    static void writeState(DataOutputStream out, AccessState s) throws IOException {
        out.writeLong(s.version());
        out.writeInt(s.users().size());
        for (UserAccount u : s.users().values()) writeUser(out, u);
        out.writeInt(s.vhosts().size());
        for (String v : s.vhosts()) writeString(out, v);
        int count = 0;
        for (Map<String, Permission> byUser : s.permissions().values()) count += byUser.size();
        out.writeInt(count);
        for (Map.Entry<String, Map<String, Permission>> e : s.permissions().entrySet()) {
            for (Map.Entry<String, Permission> p : e.getValue().entrySet()) {
                writeString(out, e.getKey());
                writeString(out, p.getKey());
                writePermission(out, p.getValue());
            }
        }
        writePolicies(out, s.policies());
        writePolicies(out, s.operatorPolicies());
    }

    static AccessState readState(DataInputStream in, int format) throws IOException {
        long version = in.readLong();
        Map<String, UserAccount> users = new HashMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            UserAccount u = readUser(in);
            users.put(u.name(), u);
        }
        Set<String> vhosts = new HashSet<>();
        for (int i = in.readInt(); i > 0; i--) vhosts.add(readString(in));
        Map<String, Map<String, Permission>> permissions = new HashMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            String vhost = readString(in);
            String user = readString(in);
            permissions.computeIfAbsent(vhost, k -> new HashMap<>()).put(user, readPermission(in));
        }
        if (format < 2) return new AccessState(version, users, vhosts, permissions);
        return new AccessState(version, users, vhosts, permissions, readPolicies(in, false), readPolicies(in, true));
    }

    private static void writeChange(DataOutputStream out, AccessChange c) throws IOException {
        if (c instanceof AccessChange.PutUser p) {
            out.writeByte(1);
            writeUser(out, p.user());
        } else if (c instanceof AccessChange.DeleteUser d) {
            out.writeByte(2);
            writeString(out, d.name());
        } else if (c instanceof AccessChange.PutVhost p) {
            out.writeByte(3);
            writeString(out, p.name());
        } else if (c instanceof AccessChange.DeleteVhost d) {
            out.writeByte(4);
            writeString(out, d.name());
        } else if (c instanceof AccessChange.SetPermission s) {
            out.writeByte(5);
            writeString(out, s.user());
            writeString(out, s.vhost());
            writePermission(out, s.permission());
        } else if (c instanceof AccessChange.ClearPermission cl) {
            out.writeByte(6);
            writeString(out, cl.user());
            writeString(out, cl.vhost());
        } else if (c instanceof AccessChange.PutPolicy p) {
            out.writeByte(7);
            out.writeBoolean(p.operator());
            writePolicy(out, p.policy());
        } else if (c instanceof AccessChange.DeletePolicy d) {
            out.writeByte(8);
            out.writeBoolean(d.operator());
            writeString(out, d.vhost());
            writeString(out, d.name());
        }
    }

    private static AccessChange readChange(DataInputStream in) throws IOException {
        int kind = in.readByte();
        return switch (kind) {
            case 1 -> new AccessChange.PutUser(readUser(in));
            case 2 -> new AccessChange.DeleteUser(readString(in));
            case 3 -> new AccessChange.PutVhost(readString(in));
            case 4 -> new AccessChange.DeleteVhost(readString(in));
            case 5 -> new AccessChange.SetPermission(readString(in), readString(in), readPermission(in));
            case 6 -> new AccessChange.ClearPermission(readString(in), readString(in));
            case 7 -> {
                boolean operator = in.readBoolean();
                yield new AccessChange.PutPolicy(readPolicy(in, operator), operator);
            }
            case 8 -> {
                boolean operator = in.readBoolean();
                String vhost = readString(in);
                yield new AccessChange.DeletePolicy(vhost, readString(in), operator);
            }
            default -> throw new IllegalArgumentException("unknown access change kind " + kind);
        };
    }

    private static void writePolicies(DataOutputStream out, Map<String, Map<String, Policy>> byVhost) throws IOException {
        int count = 0;
        for (Map<String, Policy> byName : byVhost.values()) count += byName.size();
        out.writeInt(count);
        for (Map<String, Policy> byName : byVhost.values()) {
            for (Policy p : byName.values()) writePolicy(out, p);
        }
    }

    private static Map<String, Map<String, Policy>> readPolicies(DataInputStream in, boolean operator) throws IOException {
        Map<String, Map<String, Policy>> out = new HashMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            Policy p = readPolicy(in, operator);
            out.computeIfAbsent(p.vhost(), k -> new HashMap<>()).put(p.name(), p);
        }
        return out;
    }

    private static void writePolicy(DataOutputStream out, Policy p) throws IOException {
        writeString(out, p.vhost());
        writeString(out, p.name());
        writeString(out, p.pattern());
        writeString(out, p.applyTo().wireName());
        out.writeInt(p.priority());
        writeValue(out, p.definition());
    }

    @SuppressWarnings("unchecked")
    private static Policy readPolicy(DataInputStream in, boolean operator) throws IOException {
        String vhost = readString(in);
        String name = readString(in);
        String pattern = readString(in);
        ApplyTo applyTo = ApplyTo.fromWireName(readString(in));
        int priority = in.readInt();
        Map<String, Object> definition = (Map<String, Object>) readValue(in);
        // validated when it was set; journalled policies are not validated again (keys may only ever be added)
        return new Policy(vhost, name, pattern, applyTo, priority, definition, java.util.regex.Pattern.compile(pattern));
    }

    /** A JSON value of a policy definition: string, integer, boolean, float, list or object, tagged. */
    private static void writeValue(DataOutputStream out, Object v) throws IOException {
        if (v instanceof String s) {
            out.writeByte('S');
            writeString(out, s);
        } else if (v instanceof Long || v instanceof Integer) {
            out.writeByte('L');
            out.writeLong(((Number) v).longValue());
        } else if (v instanceof Boolean b) {
            out.writeByte('B');
            out.writeBoolean(b);
        } else if (v instanceof Number n) {
            out.writeByte('D');
            out.writeDouble(n.doubleValue());
        } else if (v instanceof List<?> l) {
            out.writeByte('A');
            out.writeInt(l.size());
            for (Object o : l) writeValue(out, o);
        } else if (v instanceof Map<?, ?> m) {
            out.writeByte('M');
            out.writeInt(m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                writeString(out, String.valueOf(e.getKey()));
                writeValue(out, e.getValue());
            }
        } else {
            out.writeByte('N');
        }
    }

    private static Object readValue(DataInputStream in) throws IOException {
        int tag = in.readByte();
        switch (tag) {
            case 'S': return readString(in);
            case 'L': return in.readLong();
            case 'B': return in.readBoolean();
            case 'D': return in.readDouble();
            case 'A': {
                List<Object> l = new ArrayList<>();
                for (int i = in.readInt(); i > 0; i--) l.add(readValue(in));
                return l;
            }
            case 'M': {
                Map<String, Object> m = new java.util.LinkedHashMap<>();
                for (int i = in.readInt(); i > 0; i--) m.put(readString(in), readValue(in));
                return m;
            }
            case 'N': return null;
            default: throw new IllegalArgumentException("unknown policy value tag " + tag);
        }
    }

    private static void writeUser(DataOutputStream out, UserAccount u) throws IOException {
        writeString(out, u.name());
        writeString(out, u.passwordHash());
        out.writeInt(u.tags().size());
        for (String t : u.tags()) writeString(out, t);
    }

    private static UserAccount readUser(DataInputStream in) throws IOException {
        String name = readString(in);
        String hash = readString(in);
        List<String> tags = new ArrayList<>();
        for (int i = in.readInt(); i > 0; i--) tags.add(readString(in));
        return new UserAccount(name, hash, tags);
    }

    private static void writePermission(DataOutputStream out, Permission p) throws IOException {
        writeString(out, p.configure());
        writeString(out, p.write());
        writeString(out, p.read());
    }

    private static Permission readPermission(DataInputStream in) throws IOException {
        return Permission.of(readString(in), readString(in), readString(in));
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
