package io.warren.broker;

import com.typesafe.config.Config;
import java.time.Duration;

/** The warren.* settings the broker reads on its hot paths, read once. */
public record BrokerSettings(String version, String nodeName, int frameMax, int channelMax, Duration heartbeat,
                             Duration handshakeTimeout, long maxMessageSize, int snapshotEvery, Duration passivateIdleQueuesAfter,
                             Duration consumerTimeout, int settledIdsMax, Duration settledIdsMaxAge) {

    public static BrokerSettings from(Config warren, String nodeName) {
        String version = BrokerSettings.class.getPackage().getImplementationVersion();
        return new BrokerSettings(version == null ? "0.1.0" : version, nodeName,
                warren.getInt("amqp.frame-max"), warren.getInt("amqp.channel-max"),
                warren.getDuration("amqp.heartbeat"), warren.getDuration("amqp.handshake-timeout"),
                warren.getBytes("amqp.max-message-size"), warren.getInt("persistence.snapshot-every"),
                warren.getDuration("persistence.passivate-idle-queues-after"),
                warren.getDuration("amqp.consumer-timeout"),
                warren.getInt("persistence.settled-ids.max"), warren.getDuration("persistence.settled-ids.max-age"));
    }

    /** The broker-wide consumer timeout in ms for queues without x-consumer-timeout; null when it is off (0). */
    public Long consumerTimeoutMillis() {
        return consumerTimeout.isZero() ? null : consumerTimeout.toMillis();
    }
}
