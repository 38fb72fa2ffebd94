package io.warren.it.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.warren.it.Amqp;
import io.warren.it.BrokerUnderTest;
import io.warren.it.Rabbitmqadmin;
import io.warren.it.Rabbitmqadmin.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Debian's {@code rabbitmqadmin} (the one the rabbitmq-server package ships) driving Warren's management API:
 * declare, list, publish, get, purge, delete, users, permissions, export and import. Warren only: the validation
 * RabbitMQ runs without its management plugin.
 */
class RabbitmqadminTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static BrokerUnderTest broker;
    private static int http;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(!BrokerUnderTest.isExternalMode(), "the validation RabbitMQ has no management plugin");
        Rabbitmqadmin.assumeInstalled();
        Rabbitmqadmin.ManagedWarren warren = Rabbitmqadmin.startWarren("rabbitmqadmin");
        broker = warren.broker();
        http = warren.http();
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    @Test
    void declareListPublishGetPurgeDelete() throws Exception {
        String x = Amqp.unique("adm-x");
        String q = Amqp.unique("adm-q");
        assertTrue(admin("declare", "exchange", "name=" + x, "type=direct").contains("exchange declared"));
        assertTrue(admin("declare", "queue", "name=" + q, "durable=true", "arguments={\"x-max-length\":100}").contains("queue declared"));
        assertTrue(admin("declare", "binding", "source=" + x, "destination=" + q, "routing_key=k").contains("binding declared"));

        assertTrue(names(json("list", "queues")).contains(q));
        assertTrue(names(json("list", "exchanges")).contains(x));
        boolean bound = false;
        for (JsonNode b : json("list", "bindings")) {
            bound |= b.get("source").asText().equals(x) && b.get("destination").asText().equals(q) && b.get("routing_key").asText().equals("k");
        }
        assertTrue(bound, "the binding is listed");

        assertTrue(admin("publish", "exchange=" + x, "routing_key=k", "payload=hello").contains("Message published"));
        assertTrue(admin("publish", "exchange=" + x, "routing_key=nowhere", "payload=lost").contains("NOT routed"));
        assertTrue(admin("publish", "routing_key=" + q, "payload=second").contains("Message published"));

        JsonNode first = json("get", "queue=" + q, "ackmode=ack_requeue_true");
        assertEquals(1, first.size());
        assertEquals("hello", first.get(0).get("payload").asText());
        assertEquals(1, first.get(0).get("message_count").asInt(), "messages left after this one");
        assertFalse(first.get(0).get("redelivered").asBoolean());
        JsonNode again = json("get", "queue=" + q, "count=2", "ackmode=ack_requeue_true");
        assertEquals(2, again.size());
        assertEquals("hello", again.get(0).get("payload").asText());
        assertTrue(again.get(0).get("redelivered").asBoolean(), "requeued by the first get");
        assertEquals("second", again.get(1).get("payload").asText());

        try (Connection c = broker.newConnection()) {
            Channel ch = c.createChannel();
            Amqp.awaitMessageCount(ch, q, 2);
            assertTrue(admin("purge", "queue", "name=" + q).contains("queue purged"));
            assertEquals(0, ch.queueDeclarePassive(q).getMessageCount());
        }

        assertTrue(admin("delete", "binding", "source=" + x, "destination_type=queue", "destination=" + q, "properties_key=k").contains("binding deleted"));
        assertEquals(0, json("list", "bindings").findValues("source").stream().filter(s -> s.asText().equals(x)).count());
        assertTrue(admin("delete", "queue", "name=" + q).contains("queue deleted"));
        assertTrue(admin("delete", "exchange", "name=" + x).contains("exchange deleted"));
        assertFalse(names(json("list", "queues")).contains(q));
        assertFalse(names(json("list", "exchanges")).contains(x));
    }

    @Test
    void badDeclaresFailWithTheBrokersReason() throws Exception {
        Result r = run("declare", "queue", "name=" + Amqp.unique("adm-bad"), "arguments={\"x-max-length\":\"many\"}");
        assertNotEquals(0, r.exit());
        assertTrue(r.output().contains("x-max-length"), r.output());
        Result amq = run("declare", "exchange", "name=amq.mine", "type=direct");
        assertNotEquals(0, amq.exit());
        assertTrue(amq.output().contains("ACCESS_REFUSED") || amq.output().contains("amq."), amq.output());
    }

    @Test
    void usersAndPermissions() throws Exception {
        String user = Amqp.unique("adm-user");
        assertTrue(admin("declare", "user", "name=" + user, "password=pw", "tags=management").contains("user declared"));
        assertTrue(admin("declare", "permission", "vhost=/", "user=" + user, "configure=^own\\.", "write=.*", "read=.*").contains("permission declared"));
        assertTrue(names(json("list", "users")).contains(user));
        boolean listed = false;
        for (JsonNode p : json("list", "permissions")) {
            listed |= p.get("user").asText().equals(user) && p.get("configure").asText().equals("^own\\.");
        }
        assertTrue(listed, "the permission is listed");

        ConnectionFactory f = broker.connectionFactory();
        f.setUsername(user);
        f.setPassword("pw");
        try (Connection c = f.newConnection()) {
            Channel ch = c.createChannel();
            String mine = "own." + user;
            ch.queueDeclare(mine, false, false, true, null);
            ch.queueDelete(mine);
        }
        // a management user may use the API within its permissions, not beyond them
        Result refused = runAs(user, "pw", "declare", "queue", "name=not-own-" + user);
        assertNotEquals(0, refused.exit());
        // the API answers 401 with the AMQP refusal text; rabbitmqadmin shows a 401 as "Access refused: <path>"
        assertTrue(refused.output().contains("Access refused"), refused.output());
        assertFalse(names(json("list", "queues")).contains("not-own-" + user));
        Result notAdmin = runAs(user, "pw", "declare", "user", "name=x" + user, "password=p", "tags=administrator");
        assertNotEquals(0, notAdmin.exit());

        assertTrue(admin("delete", "user", "name=" + user).contains("user deleted"));
        assertFalse(names(json("list", "users")).contains(user));
    }

    @Test
    void exportThenImportRestoresDefinitions() throws Exception {
        String x = Amqp.unique("adm-exp-x");
        String q = Amqp.unique("adm-exp-q");
        String user = Amqp.unique("adm-exp-user");
        admin("declare", "exchange", "name=" + x, "type=topic");
        admin("declare", "queue", "name=" + q, "durable=true");
        admin("declare", "binding", "source=" + x, "destination=" + q, "routing_key=a.#");
        admin("declare", "user", "name=" + user, "password=pw", "tags=monitoring");
        admin("declare", "permission", "vhost=/", "user=" + user, "configure=", "write=.*", "read=.*");
        Path file = Files.createTempFile("warren-definitions", ".json");
        try {
            assertTrue(admin("export", file.toString()).contains("Exported definitions"));
            JsonNode exported = JSON.readTree(file.toFile());
            assertTrue(names(exported.get("queues")).contains(q));
            assertTrue(names(exported.get("exchanges")).contains(x));
            assertTrue(names(exported.get("users")).contains(user));

            admin("delete", "queue", "name=" + q);
            admin("delete", "exchange", "name=" + x);
            admin("delete", "user", "name=" + user);
            assertFalse(names(json("list", "queues")).contains(q));

            assertTrue(admin("import", file.toString()).contains("Uploaded definitions"));
            assertTrue(names(json("list", "queues")).contains(q));
            assertTrue(names(json("list", "exchanges")).contains(x));
            assertTrue(names(json("list", "users")).contains(user));
            boolean bound = false;
            for (JsonNode b : json("list", "bindings")) {
                bound |= b.get("source").asText().equals(x) && b.get("routing_key").asText().equals("a.#");
            }
            assertTrue(bound, "the binding came back");
            ConnectionFactory f = broker.connectionFactory();
            f.setUsername(user);
            f.setPassword("pw");
            try (Connection c = f.newConnection()) {
                assertTrue(c.isOpen(), "the imported password hash logs in");
            }
        } finally {
            Files.deleteIfExists(file);
            run("delete", "queue", "name=" + q);
            run("delete", "exchange", "name=" + x);
            run("delete", "user", "name=" + user);
        }
    }

    @Test
    void listChannelsAndConsumersPrintRealRows() throws Exception {
        String q = Amqp.unique("adm-consumed");
        try (Connection c = broker.newConnection()) {
            Channel ch = c.createChannel();
            ch.queueDeclare(q, false, false, true, null);
            String tag = ch.basicConsume(q, false, Amqp.unique("adm-tag"), new com.rabbitmq.client.DefaultConsumer(ch));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            String channels = "";
            String consumers = "";
            while (System.nanoTime() < deadline && !(channels.contains("guest") && consumers.contains(tag))) {
                channels = admin("list", "channels");
                consumers = admin("list", "consumers");
                Thread.sleep(200);
            }
            // the table's rows: "| <connection name> (1) | guest |"
            assertTrue(channels.contains(" (" + ch.getChannelNumber() + ") | guest"), channels);
            // rabbitmqadmin's table shows a consumer's plain fields only (its queue and channel are nested objects)
            assertTrue(consumers.contains("| " + tag + " |"), consumers);
            JsonNode listed = json("list", "consumers", "consumer_tag", "queue.name", "ack_required");
            boolean found = false;
            for (JsonNode n : listed) {
                found |= n.get("consumer_tag").asText().equals(tag) && n.path("queue").path("name").asText().equals(q)
                        && n.get("ack_required").asBoolean();
            }
            assertTrue(found, listed.toString());
        }
    }

    // ---------------------------------------------------------------- helpers

    private static List<String> names(JsonNode list) {
        List<String> out = new ArrayList<>();
        list.forEach(n -> out.add(n.get("name").asText()));
        return out;
    }

    private static JsonNode json(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("-f", "raw_json"));
        a.addAll(List.of(args));
        return JSON.readTree(admin(a.toArray(String[]::new)));
    }

    private static String admin(String... args) throws Exception {
        Result r = run(args);
        assertEquals(0, r.exit(), () -> "rabbitmqadmin " + String.join(" ", args) + " failed:\n" + r.output());
        return r.output();
    }

    private static Result run(String... args) throws Exception {
        return runAs("guest", "guest", args);
    }

    private static Result runAs(String user, String password, String... args) throws Exception {
        return Rabbitmqadmin.run(http, user, password, java.time.Duration.ofSeconds(60), args);
    }
}
