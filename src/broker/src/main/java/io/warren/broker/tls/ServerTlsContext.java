package io.warren.broker.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of TLS for the AMQPS and HTTPS listeners. Each new connection gets an engine from the files as
 * they are now: when a certificate, key or CA file changes (checked at most once per reload interval) the context
 * is rebuilt, so certificates are rotated without a restart; connections already open keep their session. A file
 * that cannot be read after a change is logged and the previous context stays in use.
 */
public final class ServerTlsContext {
    private static final Logger log = LoggerFactory.getLogger(ServerTlsContext.class);
    private static final io.warren.broker.RateLimitedLog refusals =
            new io.warren.broker.RateLimitedLog(log, java.time.Duration.ofSeconds(1));

    private final TlsSettings settings;
    private volatile SSLContext context;
    private volatile List<Long> stamps;
    private volatile long checkedAt;

    /** Builds the context now, so that bad files fail startup with a message naming them. */
    public ServerTlsContext(TlsSettings settings) {
        this.settings = settings;
        this.stamps = stamps(settings.files());
        try {
            this.context = build(settings);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("warren.tls: " + e.getMessage(), e);
        }
        this.checkedAt = System.nanoTime();
    }

    /** A server-mode engine for one new connection, TLS 1.2+ only, asking for a client certificate as configured. */
    public SSLEngine newEngine() {
        return newEngine(null, -1);
    }

    /** As {@link #newEngine()}, for a client at {@code host}:{@code port} (named in the log if its certificate is refused). */
    public SSLEngine newEngine(String host, int port) {
        SSLEngine engine = host == null ? current().createSSLEngine() : current().createSSLEngine(host, port);
        engine.setUseClientMode(false);
        engine.setEnabledProtocols(TlsSettings.PROTOCOLS.stream()
                .filter(p -> List.of(engine.getSupportedProtocols()).contains(p)).toArray(String[]::new));
        if (settings.verifyPeer() && settings.failIfNoPeerCert()) engine.setNeedClientAuth(true);
        else if (settings.verifyPeer()) engine.setWantClientAuth(true);
        return engine;
    }

    public TlsSettings settings() {
        return settings;
    }

    SSLContext current() {
        long now = System.nanoTime();
        if (now - checkedAt >= settings.reloadCheckInterval().toNanos()) {
            synchronized (this) {
                if (now - checkedAt >= settings.reloadCheckInterval().toNanos()) {
                    checkedAt = now;
                    reloadIfChanged();
                }
            }
        }
        return context;
    }

    private void reloadIfChanged() {
        List<Long> now = stamps(settings.files());
        if (now.equals(stamps)) return;
        try {
            context = build(settings);
            stamps = now;
            log.info("TLS certificate files changed: new connections use them from now on");
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            // Half-written files during a rotation are normal: keep the old context, try again next interval.
            log.warn("TLS certificate files changed but cannot be loaded, keeping the previous ones: {}", e.getMessage());
        }
    }

    /** Modification time and size of each file; a rotation changes at least one of them. */
    private static List<Long> stamps(List<Path> files) {
        List<Long> stamps = new ArrayList<>();
        for (Path f : files) {
            try {
                stamps.add(Files.getLastModifiedTime(f).toMillis());
                stamps.add(Files.size(f));
            } catch (IOException e) {
                stamps.add(-1L);
                stamps.add(-1L);
            }
        }
        return stamps;
    }

    static SSLContext build(TlsSettings s) throws IOException, GeneralSecurityException {
        char[] password = s.keystorePassword().toCharArray();
        KeyStore keys;
        if (s.keystore().isPresent()) {
            keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(s.keystore().get())) {
                keys.load(in, password);
            } catch (IOException e) {
                throw new IOException(s.keystore().get() + ": " + e.getMessage(), e);
            }
        } else if (s.certificate().isPresent() && s.privateKey().isPresent()) {
            List<X509Certificate> chain = PemFiles.certificates(s.certificate().get());
            PrivateKey key = PemFiles.privateKey(s.privateKey().get());
            keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", key, password, chain.toArray(new X509Certificate[0]));
        } else {
            throw new GeneralSecurityException("no server certificate: set certificate and private-key, or keystore");
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);

        TrustManagerFactory tmf = null;
        if (s.caCertificates().isPresent()) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (X509Certificate ca : PemFiles.certificates(s.caCertificates().get())) trust.setCertificateEntry("ca" + i++, ca);
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
        }
        javax.net.ssl.TrustManager[] trustManagers = tmf == null ? null : java.util.Arrays.stream(tmf.getTrustManagers())
                .map(tm -> tm instanceof javax.net.ssl.X509ExtendedTrustManager x ? new RefusalLoggingTrustManager(x, refusals) : tm)
                .toArray(javax.net.ssl.TrustManager[]::new);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), trustManagers, null);
        return context;
    }
}
