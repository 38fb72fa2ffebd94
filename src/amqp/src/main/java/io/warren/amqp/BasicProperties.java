package io.warren.amqp;

import java.util.Map;

/**
 * The 14 properties of a basic-class content header. A null field is absent on the wire (its flag bit is
 * clear). Headers are a field table as decoded by {@link FieldTables}: value types keep their wire tag so a
 * message's headers pass through the broker unchanged.
 */
public record BasicProperties(
        String contentType,
        String contentEncoding,
        Map<String, Object> headers,
        Integer deliveryMode,
        Integer priority,
        String correlationId,
        String replyTo,
        String expiration,
        String messageId,
        Long timestamp,
        String type,
        String userId,
        String appId,
        String clusterId) {

    public static final BasicProperties EMPTY =
            new BasicProperties(null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    /** delivery-mode 2 asks for the message to be written to disk on a durable queue. */
    public boolean persistent() {
        return deliveryMode != null && deliveryMode == 2;
    }

    public BasicProperties withHeaders(Map<String, Object> newHeaders) {
        return new BasicProperties(contentType, contentEncoding, newHeaders, deliveryMode, priority, correlationId,
                replyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    public BasicProperties withExpiration(String newExpiration) {
        return new BasicProperties(contentType, contentEncoding, headers, deliveryMode, priority, correlationId,
                replyTo, newExpiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    public BasicProperties withDeliveryMode(Integer newDeliveryMode) {
        return new BasicProperties(contentType, contentEncoding, headers, newDeliveryMode, priority, correlationId,
                replyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    public BasicProperties withReplyTo(String newReplyTo) {
        return new BasicProperties(contentType, contentEncoding, headers, deliveryMode, priority, correlationId,
                newReplyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
    }
}
