package io.warren.core.queue;

import java.util.Objects;

/**
 * Identifies a consumer: the channel it lives on (a cluster-unique channel id chosen by the broker) and its
 * consumer tag, unique within that channel.
 */
public record ConsumerKey(String channelId, String consumerTag) {
    public ConsumerKey {
        Objects.requireNonNull(channelId, "channelId");
        Objects.requireNonNull(consumerTag, "consumerTag");
    }
}
