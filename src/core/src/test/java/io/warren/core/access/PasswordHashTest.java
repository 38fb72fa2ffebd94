package io.warren.core.access;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class PasswordHashTest {
    /** base64(salt + sha256(salt + "guest")) with salt 908DC60A, computed independently with Python's hashlib. */
    @Test
    void matchesRabbitMqsFormat() {
        byte[] salt = {(byte) 0x90, (byte) 0x8D, (byte) 0xC6, (byte) 0x0A};
        String h = PasswordHash.hash(salt, "guest");
        assertEquals("kI3GCrswBLNZQzHJJ95QLoyfAVooYhnvf7jbqiW9BjOYUloe", h);
        assertTrue(PasswordHash.matches(h, "guest"));
        assertFalse(PasswordHash.matches(h, "guesT"));
    }

    @Test
    void saltsDiffer_andEmptyOrMalformedHashesMatchNothing() {
        assertNotEquals(PasswordHash.hash("p"), PasswordHash.hash("p"));
        assertTrue(PasswordHash.matches(PasswordHash.hash("pä"), "pä"));
        assertFalse(PasswordHash.matches("", ""));
        assertFalse(PasswordHash.matches("!!", "p"));
        assertTrue(PasswordHash.isWellFormed(PasswordHash.hash("x")));
        assertFalse(PasswordHash.isWellFormed("abc"));
    }
}
