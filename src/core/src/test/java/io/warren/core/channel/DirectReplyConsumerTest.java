package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.method.QueueDeclare;
import io.warren.amqp.method.QueueDeclareOk;
import org.junit.jupiter.api.Test;

class DirectReplyConsumerTest {

    private final DirectReplyConsumer consumer = new DirectReplyConsumer();

    @Test
    void aReplyConsumerMustBeNoAck() {
        AmqpException e = assertThrows(AmqpException.class, () -> consumer.checkConsume(false));
        assertEquals(406, e.replyCode());
        assertEquals("PRECONDITION_FAILED - reply consumer cannot acknowledge", e.replyText());
        consumer.checkConsume(true);
    }

    @Test
    void aChannelHasAtMostOneReplyConsumer() {
        consumer.consume("tag", "secret", "amq.rabbitmq.reply-to.abc");
        AmqpException e = assertThrows(AmqpException.class, () -> consumer.checkConsume(true));
        assertEquals("PRECONDITION_FAILED - reply consumer already set", e.replyText());
        assertThrows(IllegalStateException.class, () -> consumer.consume("other", "k", "r"));
    }

    @Test
    void repliesReachTheConsumerOnlyWithItsKeyAndWhileItExists() {
        assertFalse(consumer.holds("secret"));
        assertNull(consumer.replyTo());
        consumer.consume("tag", "secret", "amq.rabbitmq.reply-to.abc");
        assertTrue(consumer.holds("secret"));
        assertFalse(consumer.holds("guessed"));
        assertEquals("tag", consumer.tag());
        assertEquals("amq.rabbitmq.reply-to.abc", consumer.replyTo());
        assertFalse(consumer.cancel("someone-else"));
        assertTrue(consumer.holds("secret"));
        assertTrue(consumer.cancel("tag"));
        assertFalse(consumer.holds("secret"));
        assertNull(consumer.replyTo());
        assertFalse(consumer.cancel("tag"));
        consumer.checkConsume(true); // may consume again
    }

    @Test
    void closingTheChannelDropsTheConsumer() {
        consumer.consume("tag", "secret", "r");
        consumer.clear();
        assertFalse(consumer.active());
        assertFalse(consumer.holds("secret"));
    }

    @Test
    void replyKeysAndReplyQueues() {
        assertTrue(DirectReplyConsumer.isReplyKey("amq.rabbitmq.reply-to.token"));
        assertFalse(DirectReplyConsumer.isReplyKey("amq.rabbitmq.reply-to"));
        assertFalse(DirectReplyConsumer.isReplyKey("orders"));
        assertTrue(DirectReplyConsumer.isReplyQueue("amq.rabbitmq.reply-to"));
        assertTrue(DirectReplyConsumer.isReplyQueue("amq.rabbitmq.reply-to.token"));
        assertFalse(DirectReplyConsumer.isReplyQueue("orders"));
    }

    @Test
    void thePseudoQueueIsDeclaredAtOnceAnAddressOnlyAfterItsConsumerAnswered() {
        QueueDeclare pseudo = new QueueDeclare("amq.rabbitmq.reply-to", true, false, false, false, false, null);
        QueueDeclare address = new QueueDeclare("amq.rabbitmq.reply-to.token", true, false, false, false, false, null);
        assertTrue(DirectReplyConsumer.answeredAtOnce(pseudo));
        assertFalse(DirectReplyConsumer.answeredAtOnce(address));
        assertEquals(new QueueDeclareOk("amq.rabbitmq.reply-to.token", 0, 1), DirectReplyConsumer.declareOk(address));
        assertNull(DirectReplyConsumer.declareOk(new QueueDeclare("amq.rabbitmq.reply-to", false, false, false, false, true, null)));
        AmqpException e = DirectReplyConsumer.notFound("amq.rabbitmq.reply-to.token", "/");
        assertEquals(404, e.replyCode());
        assertEquals("NOT_FOUND - no queue 'amq.rabbitmq.reply-to.token' in vhost '/'", e.replyText());
    }
}
