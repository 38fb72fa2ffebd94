package io.warren.broker.tls;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * warren.tls: the server's certificate and key (PEM files or a PKCS#12 keystore), the CAs client certificates must
 * chain to, and whether client certificates are asked for (RabbitMQ's ssl_options verify / fail_if_no_peer_cert).
 */
public record TlsSettings(Optional<Path> certificate, Optional<Path> privateKey, Optional<Path> keystore,
                          String keystorePassword, Optional<Path> caCertificates, boolean verifyPeer,
                          boolean failIfNoPeerCert, Duration reloadCheckInterval) {

    /** TLS 1.2 and 1.3 only: older versions have known weaknesses and RabbitMQ disables them too. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public static TlsSettings from(Config tls) {
        return new TlsSettings(path(tls, "certificate"), path(tls, "private-key"), path(tls, "keystore"),
                tls.getString("keystore-password"), path(tls, "ca-certificates"), tls.getBoolean("verify-peer"),
                tls.getBoolean("fail-if-no-peer-cert"), tls.getDuration("reload-check-interval"));
    }

    private static Optional<Path> path(Config tls, String key) {
        String value = tls.getString(key);
        return value.isEmpty() ? Optional.empty() : Optional.of(Path.of(value));
    }

    /** Every file the context is built from, to watch for changes. */
    public List<Path> files() {
        return java.util.stream.Stream.of(certificate, privateKey, keystore, caCertificates)
                .flatMap(Optional::stream).toList();
    }
}
