package io.warren.core.access;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Passwords as RabbitMQ's {@code rabbit_password_hashing_sha256} stores them: base64 of a 4-byte random salt followed
 * by sha256(salt + utf-8 password). The same string in a definitions file works in both brokers.
 */
public final class PasswordHash {
    public static final String ALGORITHM = "rabbit_password_hashing_sha256";
    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHash() {}

    public static String hash(String password) {
        byte[] salt = new byte[4];
        RANDOM.nextBytes(salt);
        return hash(salt, password);
    }

    static String hash(byte[] salt, String password) {
        byte[] digest = sha256(salt, password);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(salt.length + digest.length).put(salt).put(digest).array());
    }

    /** Whether the password matches; false for an empty hash (a user without a password cannot log in with one). */
    public static boolean matches(String storedHash, String password) {
        if (storedHash == null || storedHash.isEmpty()) return false;
        byte[] stored;
        try {
            stored = Base64.getDecoder().decode(storedHash);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (stored.length != 4 + 32) return false;
        byte[] salt = java.util.Arrays.copyOf(stored, 4);
        byte[] expected = java.util.Arrays.copyOfRange(stored, 4, stored.length);
        // Constant-time compare: the time a wrong password takes says nothing about the right one.
        return MessageDigest.isEqual(expected, sha256(salt, password));
    }

    /** Whether a string can be a stored hash (what a definitions import or the HTTP API's password_hash must be). */
    public static boolean isWellFormed(String storedHash) {
        if (storedHash.isEmpty()) return true;
        try {
            return Base64.getDecoder().decode(storedHash).length == 36;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static byte[] sha256(byte[] salt, String password) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt);
            md.update(password.getBytes(StandardCharsets.UTF_8));
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
