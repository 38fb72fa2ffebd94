package io.warren.broker.tls;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** The user a client certificate names for SASL EXTERNAL: its subject's CN, as rabbitmq-auth-mechanism-ssl does. */
public final class PeerIdentity {
    private PeerIdentity() {}

    /** The CN of the verified peer certificate, empty when the client sent none. */
    public static Optional<String> commonName(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) return Optional.empty();
            return commonName(leaf.getSubjectX500Principal().getName());
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    static Optional<String> commonName(String distinguishedName) {
        try {
            // The most specific CN: RDNs are listed from the root, so the last one wins.
            String cn = null;
            for (Rdn rdn : new LdapName(distinguishedName).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) cn = String.valueOf(rdn.getValue());
            }
            return Optional.ofNullable(cn);
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
    }
}
