package io.warren.broker.tls;

import io.warren.broker.RateLimitedLog;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The CA trust manager with a log line (at most one per second) for every client certificate it refuses, naming
 * the client and the certificate's subject: the TLS stage itself reports a failed handshake to nobody.
 */
final class RefusalLoggingTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager delegate;
    private final RateLimitedLog log;

    RefusalLoggingTrustManager(X509ExtendedTrustManager delegate, RateLimitedLog log) {
        this.delegate = delegate;
        this.log = log;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            refused(chain, engine == null ? "?" : engine.getPeerHost() + ":" + engine.getPeerPort(), e);
            throw e;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            refused(chain, socket == null ? "?" : String.valueOf(socket.getRemoteSocketAddress()), e);
            throw e;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType);
        } catch (CertificateException e) {
            refused(chain, "?", e);
            throw e;
        }
    }

    private void refused(X509Certificate[] chain, String client, CertificateException e) {
        String subject = chain == null || chain.length == 0 ? "none" : chain[0].getSubjectX500Principal().getName();
        log.warn("TLS handshake with " + client + " failed: client certificate " + subject + " refused: " + e.getMessage());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        delegate.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
