package io.warren.it;

import com.rabbitmq.client.ConnectionFactory;

/** The Java client's connection settings the harnesses (one broker, a cluster) start from. */
public final class ConnectionFactories {
    private ConnectionFactories() {}

    /**
     * guest/guest on vhost "/", no automatic recovery (a test must see every failure), 10 s to connect and
     * to finish the handshake, no wait on shutdown. Host, port and RPC timeout are the caller's.
     */
    public static ConnectionFactory guestWithoutRecovery() {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername("guest");
        factory.setPassword("guest");
        factory.setVirtualHost("/");
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        factory.setConnectionTimeout(10_000);
        factory.setHandshakeTimeout(10_000);
        factory.setShutdownTimeout(0);
        return factory;
    }
}
