package io.warren.it.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A throw-away PKI made with openssl at test time (no private key is committed): a CA, a server certificate for
 * localhost/127.0.0.1 and client certificates, one signed by the CA and one by a CA the broker does not trust.
 * Keys are EC P-256 (fast to make), private keys unencrypted PKCS#8 PEM, client keys also as PKCS#12.
 */
public final class TestCertificates {
    public static final String PASSWORD = "changeit";

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    public static TestCertificates create(Path dir) throws IOException, InterruptedException {
        TestCertificates pki = new TestCertificates(Files.createDirectories(dir));
        pki.ca("ca");
        pki.ca("rogue-ca");
        pki.signed("server", "localhost", "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        return pki;
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    /** A client certificate with {@code cn}, signed by {@code ca} ("ca" or "rogue-ca"); returns its .p12. */
    public Path client(String name, String cn, String ca) throws IOException, InterruptedException {
        signed(name, cn, ca, "extendedKeyUsage=clientAuth");
        openssl("pkcs12", "-export", "-in", name + ".pem", "-inkey", name + ".key", "-out", name + ".p12",
                "-passout", "pass:" + PASSWORD, "-name", name);
        return file(name + ".p12");
    }

    /** A new server certificate (new key, new serial) in place of the current one, as a rotation does. */
    public void reissueServer(String cn) throws IOException, InterruptedException {
        signed("server-next", cn, "ca", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        Files.copy(file("server-next.key"), file("server.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(file("server-next.pem"), file("server.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** A client context trusting the test CA, presenting {@code clientP12} when it is not null. */
    public SSLContext clientContext(Path clientP12) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", certificate(file("ca.pem")));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (clientP12 != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(clientP12)) {
                keys.load(in, PASSWORD.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD.toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : new javax.net.ssl.KeyManager[] {
                new AlwaysPresent((javax.net.ssl.X509ExtendedKeyManager) kmf.getKeyManagers()[0])}, tmf.getTrustManagers(), null);
        return context;
    }

    /**
     * Presents the client certificate whatever CAs the server asks for: the JDK otherwise sends none when its issuer
     * is not in the server's list, and a certificate from an untrusted CA would never reach the broker (OpenSSL
     * clients such as pika send it anyway).
     */
    private static final class AlwaysPresent extends javax.net.ssl.X509ExtendedKeyManager {
        private final javax.net.ssl.X509ExtendedKeyManager delegate;
        private final String alias;

        AlwaysPresent(javax.net.ssl.X509ExtendedKeyManager delegate) {
            this.delegate = delegate;
            String[] aliases = delegate.getClientAliases("EC", null);
            this.alias = aliases == null || aliases.length == 0 ? null : aliases[0];
        }

        @Override public String[] getClientAliases(String keyType, java.security.Principal[] issuers) { return delegate.getClientAliases(keyType, null); }
        @Override public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) { return alias; }
        @Override public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) { return alias; }
        @Override public String[] getServerAliases(String keyType, java.security.Principal[] issuers) { return null; }
        @Override public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) { return null; }
        @Override public X509Certificate[] getCertificateChain(String a) { return delegate.getCertificateChain(a); }
        @Override public java.security.PrivateKey getPrivateKey(String a) { return delegate.getPrivateKey(a); }
    }

    public static X509Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    private void ca(String name) throws IOException, InterruptedException {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=warren-test-" + name);
    }

    private void signed(String name, String cn, String ca, String extension) throws IOException, InterruptedException {
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/O=Warren tests/CN=" + cn);
        Files.writeString(file(name + ".ext"), extension + "\n");
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-set_serial",
                String.valueOf(System.nanoTime()), "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + output);
        }
    }
}
