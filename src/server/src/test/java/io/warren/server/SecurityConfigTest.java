package io.warren.server;

import static io.warren.server.TestConfigs.problemsWithoutOrigin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** warren.tls, warren.auth-mechanisms, warren.limits: a bad value fails startup with a message naming the key. */
class SecurityConfigTest {
    @TempDir
    Path dir;

    @Test
    void aTlsListenerNeedsACertificate() {
        assertEquals(List.of("warren.tls.certificate: a TLS listener is enabled (warren.amqp.tls.enabled or "
                        + "warren.management.tls.enabled) but no server certificate is set: set certificate + private-key "
                        + "(PEM) or keystore (PKCS#12)"),
                problemsWithoutOrigin(dir, "warren.amqp.tls.enabled = true"));
    }

    @Test
    void certificateFilesMustExistAndLoad() throws Exception {
        Path garbage = Files.writeString(dir.resolve("cert.pem"), "not a certificate");
        List<String> found = problemsWithoutOrigin(dir, "warren.amqp.tls.enabled = true\n"
                + "warren.tls.certificate = \"" + garbage + "\"\nwarren.tls.private-key = \"" + dir.resolve("missing.key") + "\"");
        assertEquals(List.of("warren.tls.private-key: \"" + dir.resolve("missing.key") + "\" is not a readable file"), found);
        Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        found = problemsWithoutOrigin(dir, "warren.amqp.tls.enabled = true\n"
                + "warren.tls.certificate = \"" + garbage + "\"\nwarren.tls.private-key = \"" + key + "\"");
        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).startsWith("warren.tls: cannot load the TLS files: "), found.get(0));
    }

    @Test
    void verifyPeerNeedsTheCas() {
        assertTrue(problemsWithoutOrigin(dir, "warren.management.tls.enabled = true\nwarren.tls.verify-peer = true")
                .contains("warren.tls.ca-certificates: must be set when warren.tls.verify-peer = true "
                        + "(the CAs client certificates must chain to)"));
        assertEquals(List.of("warren.tls.fail-if-no-peer-cert: needs warren.tls.verify-peer = true"),
                problemsWithoutOrigin(dir, "warren.tls.fail-if-no-peer-cert = true"));
    }

    @Test
    void mechanismsAreKnownAndExternalNeedsClientCertificates() {
        assertEquals(List.of("warren.auth-mechanisms: \"CRAM-MD5\" is not a mechanism Warren has (PLAIN, AMQPLAIN, EXTERNAL)"),
                problemsWithoutOrigin(dir, "warren.auth-mechanisms = [PLAIN, CRAM-MD5]"));
        assertEquals(List.of("warren.auth-mechanisms: EXTERNAL needs client certificates: warren.amqp.tls.enabled and "
                        + "warren.tls.verify-peer"),
                problemsWithoutOrigin(dir, "warren.auth-mechanisms = [PLAIN, EXTERNAL]"));
    }

    @Test
    void limitsAndThrottleAreNotNegative() {
        assertEquals(List.of("warren.limits.connections-per-user: -1 is not a limit (0 = none)"),
                problemsWithoutOrigin(dir, "warren.limits.connections-per-user = -1"));
        assertEquals(List.of("warren.auth-failure-throttle.delay: -1s is negative (0s never delays)"),
                problemsWithoutOrigin(dir, "warren.auth-failure-throttle.delay = -1s"));
        assertEquals(List.of("warren.process-memory-high-watermark: 1.5 is not a fraction of the memory limit (0 = off, at most 1)"),
                problemsWithoutOrigin(dir, "warren.process-memory-high-watermark = 1.5"));
    }
}
