package io.warren.it.connection;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.SharedBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(SharedBroker.class)
class ConnectionLifecycleTest {
    private final BrokerUnderTest broker;

    ConnectionLifecycleTest(BrokerUnderTest broker) {
        this.broker = broker;
    }

    @Test
    void connectsAndClosesCleanly() throws Exception {
        Connection connection = broker.newConnection();
        assertTrue(connection.isOpen());
        Amqp.assertUsable(connection);
        connection.close();
        assertFalse(connection.isOpen());
        ShutdownSignalException reason = connection.getCloseReason();
        assertTrue(reason.isInitiatedByApplication(), "the client closed it");
        assertEquals(AMQP.REPLY_SUCCESS, ((AMQP.Connection.Close) reason.getReason()).getReplyCode());
    }

    @Test
    void opensThreeHundredChannelsOnOneConnection() throws Exception {
        try (Connection connection = broker.newConnection()) {
            List<Channel> channels = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                channels.add(connection.createChannel());
            }
            Set<Integer> numbers = new HashSet<>();
            for (Channel channel : channels) {
                numbers.add(channel.getChannelNumber());
                // a synchronous round trip on every channel proves the broker really opened it
                channel.exchangeDeclarePassive("amq.direct");
            }
            assertEquals(300, numbers.size());
            for (Channel channel : channels) {
                channel.close();
            }
            Amqp.assertUsable(connection);
        }
    }

    @Test
    void reopensAChannelNumberAfterClosingIt() throws Exception {
        try (Connection connection = broker.newConnection()) {
            Channel first = connection.createChannel(7);
            String queue = first.queueDeclare().getQueue();
            first.close();
            assertFalse(first.isOpen());

            Channel again = connection.createChannel(7);
            assertEquals(7, again.getChannelNumber());
            assertEquals(0, again.queueDeclarePassive(queue).getMessageCount());
            again.close();
        }
    }

    @Test
    void reopensAChannelNumberAfterTheBrokerClosedIt() throws Exception {
        try (Connection connection = broker.newConnection()) {
            Channel channel = connection.createChannel(9);
            Amqp.assertChannelClosedBy(AMQP.NOT_FOUND, channel,
                    () -> channel.queueDeclarePassive(Amqp.unique("missing")));
            assertTrue(connection.isOpen(), "a channel error leaves the connection open");

            Channel again = connection.createChannel(9);
            again.exchangeDeclarePassive("amq.fanout");
            again.close();
        }
    }

    @Test
    void closingTheConnectionClosesItsChannels() throws Exception {
        Connection connection = broker.newConnection();
        Channel one = connection.createChannel();
        Channel two = connection.createChannel();
        connection.close();
        assertFalse(one.isOpen());
        assertFalse(two.isOpen());
    }
}
