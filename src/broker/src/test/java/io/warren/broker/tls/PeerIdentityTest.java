package io.warren.broker.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class PeerIdentityTest {
    @Test
    void theMostSpecificCommonNameIsTheUser() {
        assertEquals(Optional.of("alice"), PeerIdentity.commonName("CN=alice,O=Warren tests"));
        assertEquals(Optional.of("alice"), PeerIdentity.commonName("CN=alice,OU=people,CN=example"));
        assertEquals(Optional.of("a, b"), PeerIdentity.commonName("CN=a\\, b,O=x"));
        assertEquals(Optional.empty(), PeerIdentity.commonName("O=no common name"));
    }
}
