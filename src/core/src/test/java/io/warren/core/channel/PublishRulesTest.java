package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.BasicProperties;
import io.warren.amqp.EncodedProperties;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.method.BasicPublish;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.ExchangeType;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PublishRulesTest {

    private static EncodedProperties withUserId(String userId) {
        BasicProperties e = BasicProperties.EMPTY;
        return EncodedProperties.of(new BasicProperties(e.contentType(), e.contentEncoding(), e.headers(), e.deliveryMode(), e.priority(),
                e.correlationId(), e.replyTo(), e.expiration(), e.messageId(), e.timestamp(), e.type(), userId, e.appId(), e.clusterId()));
    }

    @Test
    void immediateIsAConnectionError540() {
        AmqpException e = assertThrows(AmqpException.class, () -> PublishRules.checkFlags(new BasicPublish("", "q", false, true)));
        assertEquals(ReplyCodes.NOT_IMPLEMENTED, e.replyCode());
        assertEquals("NOT_IMPLEMENTED - immediate=true", e.replyText());
        assertTrue(e.connectionLevel());
        assertEquals(60, e.classId());
        assertEquals(40, e.methodId());
        PublishRules.checkFlags(new BasicPublish("", "q", true, false));
    }

    @Test
    void theExchangeMustExistAndNotBeInternal() {
        AmqpException missing = assertThrows(AmqpException.class, () -> PublishRules.exchange(Optional.empty(), "x", "/"));
        assertEquals("NOT_FOUND - no exchange 'x' in vhost '/'", missing.replyText());
        ExchangeDefinition internal = new ExchangeDefinition("i", ExchangeType.DIRECT, false, false, true, Map.of());
        AmqpException refused = assertThrows(AmqpException.class, () -> PublishRules.exchange(Optional.of(internal), "i", "/"));
        assertEquals(ReplyCodes.ACCESS_REFUSED, refused.replyCode());
        assertEquals("ACCESS_REFUSED - cannot publish to internal exchange 'i' in vhost '/'", refused.replyText());
        ExchangeDefinition plain = new ExchangeDefinition("p", ExchangeType.DIRECT, false, false, false, Map.of());
        assertSame(plain, PublishRules.exchange(Optional.of(plain), "p", "/"));
    }

    @Test
    void aReplyToOfThePseudoQueueBecomesTheChannelsReplyAddress() {
        EncodedProperties asks = EncodedProperties.of(BasicProperties.EMPTY.withReplyTo(PublishRules.REPLY_TO_QUEUE));
        assertEquals("amq.rabbitmq.reply-to.abc", PublishRules.properties(asks, "guest", "amq.rabbitmq.reply-to.abc").replyTo());
        AmqpException e = assertThrows(AmqpException.class, () -> PublishRules.properties(asks, "guest", null));
        assertEquals("PRECONDITION_FAILED - fast reply consumer does not exist", e.replyText());
        EncodedProperties other = EncodedProperties.of(BasicProperties.EMPTY.withReplyTo("my-queue"));
        assertSame(other, PublishRules.properties(other, "guest", null), "other reply-to values are left alone");
    }

    @Test
    void userIdMustBeTheAuthenticatedUser() {
        assertSame(EncodedProperties.EMPTY, PublishRules.properties(EncodedProperties.EMPTY, "guest", null));
        PublishRules.properties(withUserId("guest"), "guest", null);
        AmqpException e = assertThrows(AmqpException.class, () -> PublishRules.properties(withUserId("bob"), "guest", null));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, e.replyCode());
        assertEquals("PRECONDITION_FAILED - user_id property set to 'bob' but authenticated user was 'guest'", e.replyText());
    }

    @Test
    void anInvalidExpirationIsRefused() {
        PublishRules.properties(EncodedProperties.of(BasicProperties.EMPTY.withExpiration("1000")), "guest", null);
        AmqpException e = assertThrows(AmqpException.class,
                () -> PublishRules.properties(EncodedProperties.of(BasicProperties.EMPTY.withExpiration("soon")), "guest", null));
        assertEquals(ReplyCodes.PRECONDITION_FAILED, e.replyCode());
    }
}
