package io.warren.it.features;

import com.rabbitmq.client.AMQP;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The user-id property must name the authenticated user (RabbitMQ's validated user-id). */
class UserIdTest extends FeatureTest {
    UserIdTest(BrokerUnderTest broker) {
        super(broker);
    }

    @Test
    void matchingUserIdIsAccepted() throws Exception {
        String queue = declareQueue("uid");
        String user = broker.connectionFactory().getUsername();
        publishConfirmed("", queue, new AMQP.BasicProperties.Builder().userId(user).build(), "me");
        var got = awaitGet(queue);
        assertEquals(user, got.getProps().getUserId());
    }

    @Test
    void mismatchedUserIdClosesTheChannelWith406() throws Exception {
        String queue = declareQueue("uid");
        String user = broker.connectionFactory().getUsername();
        var signal = Amqp.assertChannelClosedBy(AMQP.PRECONDITION_FAILED, channel,
                () -> channel.basicPublish("", queue, new AMQP.BasicProperties.Builder().userId("mallory").build(),
                        bytes("forged")));
        assertEquals("PRECONDITION_FAILED - user_id property set to 'mallory' but authenticated user was '"
                + user + "'", Amqp.replyText(signal));
        var check = connection.createChannel();
        assertEquals(0, check.queueDeclarePassive(queue).getMessageCount(), "the forged message was not routed");
    }
}
