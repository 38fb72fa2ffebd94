package io.warren.it.connection;

import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.SharedBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@ExtendWith(SharedBroker.class)
class AuthenticationTest {
    private final BrokerUnderTest broker;

    AuthenticationTest(BrokerUnderTest broker) {
        this.broker = broker;
    }

    @Test
    void badPasswordIsRefusedWithAccessRefused() throws Exception {
        try (Connection bystander = broker.newConnection()) {
            ConnectionFactory factory = broker.connectionFactory();
            factory.setPassword("not-the-password");
            AuthenticationFailureException refused =
                    assertThrows(AuthenticationFailureException.class, factory::newConnection);
            // The client maps connection.close 403 (authentication_failure_close) to this exception.
            assertTrue(refused.getMessage().contains("ACCESS_REFUSED"), refused.getMessage());
            Amqp.assertUsable(bystander);
        }
    }

    @Test
    void unknownUserIsRefusedWithAccessRefused() {
        ConnectionFactory factory = broker.connectionFactory();
        factory.setUsername("nobody-" + System.nanoTime());
        assertThrows(AuthenticationFailureException.class, factory::newConnection);
    }

    @Test
    void unknownVhostIsNotAllowed() throws Exception {
        ConnectionFactory factory = broker.connectionFactory();
        factory.setVirtualHost("/no-such-vhost-" + System.nanoTime());
        try (Connection unexpected = factory.newConnection()) {
            fail("connected to a missing vhost: " + unexpected);
        } catch (Exception e) {
            ShutdownSignalException signal = findSignal(e);
            assertTrue(signal.isHardError());
            assertEquals(530, Amqp.replyCode(signal), Amqp.replyText(signal));
        }
    }

    private static ShutdownSignalException findSignal(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException signal) {
                return signal;
            }
        }
        throw new AssertionError("no connection.close from the broker in " + error, error);
    }
}
