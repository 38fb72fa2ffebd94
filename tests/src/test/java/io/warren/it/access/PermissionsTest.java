package io.warren.it.access;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.warren.it.Amqp;
import io.warren.it.BrokerAdmin;
import io.warren.it.BrokerUnderTest;
import io.warren.it.Rabbitmqadmin;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RabbitMQ's configure / write / read permissions on AMQP operations: each refusal is channel error 403 with
 * RabbitMQ's text. The user is made at runtime (Warren: management API; RabbitMQ: rabbitmqctl).
 */
class PermissionsTest {
    private static BrokerUnderTest broker;
    private static BrokerAdmin admin;

    private String user;
    private Connection guest;
    private Connection restricted;

    @BeforeAll
    static void start() throws IOException {
        if (BrokerUnderTest.isExternalMode()) {
            broker = BrokerUnderTest.external(System.getProperty(BrokerUnderTest.EXTERNAL_PROPERTY));
            admin = BrokerAdmin.rabbitmqctl();
        } else {
            Rabbitmqadmin.ManagedWarren warren = Rabbitmqadmin.startWarren("permissions");
            broker = warren.broker();
            admin = warren.admin();
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    @BeforeEach
    void makeUser() throws Exception {
        user = Amqp.unique("perm-user");
        admin.addUser(user, "pw");
        guest = broker.newConnection();
    }

    @AfterEach
    void dropUser() throws Exception {
        if (restricted != null && restricted.isOpen()) restricted.close();
        if (guest != null && guest.isOpen()) guest.close();
        admin.deleteUser(user);
    }

    private Channel channelAs(String configure, String write, String read) throws Exception {
        admin.setPermissions(user, "/", configure, write, read);
        ConnectionFactory f = broker.connectionFactory();
        f.setUsername(user);
        f.setPassword("pw");
        restricted = f.newConnection();
        return restricted.createChannel();
    }

    private void refused(String text, Channel ch, Amqp.Operation op) {
        ShutdownSignalException signal = Amqp.assertChannelClosedBy(403, ch, op);
        assertEquals(text, Amqp.replyText(signal));
    }

    private String refusal(String action, String kind, String name) {
        // RabbitMQ 3.10's text does not name the action; the test still says which one it expects refused
        return "ACCESS_REFUSED - access to " + kind + " '" + name + "' in vhost '/' refused for user '" + user + "'";
    }

    @Test
    void withoutConfigureAUserCannotDeclareOrDelete() throws Exception {
        String q = Amqp.unique("perm-q");
        String x = Amqp.unique("perm-x");
        Channel ch = channelAs("^allowed-", ".*", ".*");
        refused(refusal("configure", "queue", q), ch, () -> ch.queueDeclare(q, false, false, false, null));
        Channel ch2 = restricted.createChannel();
        refused(refusal("configure", "exchange", x), ch2, () -> ch2.exchangeDeclare(x, "direct"));
        // what configure allows still works, and a passive declare needs no permission
        Channel ch3 = restricted.createChannel();
        String allowed = "allowed-" + q;
        ch3.queueDeclare(allowed, false, false, false, null);
        ch3.queueDeclarePassive(allowed);
        try (Channel g = guest.createChannel()) {
            g.queueDeclare(q, false, false, false, null);
        }
        ch3.queueDeclarePassive(q);
        refused(refusal("configure", "queue", q), ch3, () -> ch3.queueDelete(q));
        try (Channel g = guest.createChannel()) {
            g.queueDelete(q);
            g.queueDelete(allowed);
        }
    }

    @Test
    void withoutWriteAUserCannotPublishOrBind() throws Exception {
        String q = Amqp.unique("perm-q");
        Channel ch = channelAs(".*", "^$", ".*");
        ch.queueDeclare(q, false, false, false, null);
        refused(refusal("write", "exchange", "amq.default"), ch, () -> {
            ch.basicPublish("", q, null, "m".getBytes());
            ch.queueDeclarePassive(q); // the close arrives before this answer
        });
        Channel ch2 = restricted.createChannel();
        refused(refusal("write", "queue", q), ch2, () -> ch2.queueBind(q, "amq.direct", "k"));
        Channel ch3 = restricted.createChannel();
        ch3.queueDelete(q);
    }

    @Test
    void withoutReadAUserCannotConsumeGetOrPurge() throws Exception {
        String q = Amqp.unique("perm-q");
        Channel ch = channelAs(".*", ".*", "^$");
        ch.queueDeclare(q, false, false, false, null);
        ch.confirmSelect();
        ch.basicPublish("", q, null, "m".getBytes());
        ch.waitForConfirmsOrDie(10_000);
        refused(refusal("read", "queue", q), ch, () -> ch.basicConsume(q, true, (tag, d) -> { }, tag -> { }));
        Channel ch2 = restricted.createChannel();
        refused(refusal("read", "queue", q), ch2, () -> ch2.basicGet(q, true));
        Channel ch3 = restricted.createChannel();
        refused(refusal("read", "queue", q), ch3, () -> ch3.queuePurge(q));
        Channel ch4 = restricted.createChannel();
        refused(refusal("read", "exchange", "amq.direct"), ch4, () -> ch4.queueBind(q, "amq.direct", "k"));
        try (Channel g = guest.createChannel()) {
            assertEquals(1, g.queueDeclarePassive(q).getMessageCount(), "refused operations took nothing");
            g.queueDelete(q);
        }
    }
}
