package io.warren.broker.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.warren.broker.protocol.AccessSnapshot;
import io.warren.core.access.AccessChange;
import io.warren.core.access.AccessState;
import io.warren.core.access.Permission;
import io.warren.core.policy.ApplyTo;
import io.warren.core.policy.Policy;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Policies survive the journal and the wire; states and events written before policies existed still read. */
class AccessSerializerPolicyTest {
    private final AccessSerializer serializer = new AccessSerializer(null);

    private Object roundTrip(Object o) {
        return serializer.fromBinary(serializer.toBinary(o), serializer.manifest(o));
    }

    @Test
    void stateWithPoliciesAndPolicyChangesRoundTrip() {
        Map<String, Object> def = new LinkedHashMap<>();
        def.put("message-ttl", 1000L);
        def.put("dead-letter-exchange", "dlx");
        def.put("ha-params", List.of("a", 2L));
        def.put("ha-promote-on-failure", true);
        Policy p = Policy.of("/", "p", "^q", ApplyTo.QUEUES, 3, def, false);
        Policy op = Policy.of("/", "op", ".*", ApplyTo.ALL, 0, Map.of("max-length", 10L), true);
        AccessState s = new AccessState(7, Map.of(), Set.of("/"), Map.of())
                .apply(new AccessChange.PutPolicy(p, false)).apply(new AccessChange.PutPolicy(op, true));
        assertEquals(s, ((AccessSnapshot) roundTrip(new AccessSnapshot(s))).state());
        assertEquals(s, ((AccessEvent.Seeded) roundTrip(new AccessEvent.Seeded(s))).state());
        assertEquals(new AccessChange.PutPolicy(p, false), ((AccessEvent.Changed) roundTrip(new AccessEvent.Changed(
                new AccessChange.PutPolicy(p, false)))).change());
        assertEquals(new AccessChange.DeletePolicy("/", "op", true), ((AccessEvent.Changed) roundTrip(new AccessEvent.Changed(
                new AccessChange.DeletePolicy("/", "op", true)))).change());
    }

    @Test
    void formatOneSeedWithoutPoliciesStillReads() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);      // format 1
            out.writeLong(4);      // version
            out.writeInt(0);       // users
            out.writeInt(1);       // vhosts
            byte[] slash = "/".getBytes(StandardCharsets.UTF_8);
            out.writeInt(slash.length);
            out.write(slash);
            out.writeInt(0);       // permissions
        }
        AccessEvent.Seeded seeded = (AccessEvent.Seeded) serializer.fromBinary(bytes.toByteArray(), "ASeeded");
        assertEquals(new AccessState(4, Map.of(), Set.of("/"), Map.<String, Map<String, Permission>>of()), seeded.state());
        assertEquals(Map.of(), seeded.state().policies());
    }
}
