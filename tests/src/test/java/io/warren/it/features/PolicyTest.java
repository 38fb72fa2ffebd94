package io.warren.it.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import io.warren.it.Amqp;
import io.warren.it.BrokerAdmin;
import io.warren.it.BrokerUnderTest;
import io.warren.it.Rabbitmqadmin;
import io.warren.it.Rabbitmqadmin.Result;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Policies and operator policies set at runtime change queues at once, with RabbitMQ's precedence. The AMQP-visible
 * rules are validated against RabbitMQ ({@code RMQ_PORT=5701 tests/rabbitmq-validate.sh -Dtest=PolicyTest}, which
 * sets policies with rabbitmqctl); the management API and rabbitmqadmin, and the expiry of messages already held, are
 * Warren's.
 */
class PolicyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static BrokerUnderTest broker;
    private static BrokerAdmin admin;
    private static int http;

    @BeforeAll
    static void start() throws IOException {
        if (BrokerUnderTest.isExternalMode()) {
            broker = BrokerUnderTest.start("policy");
            admin = BrokerAdmin.rabbitmqctl();
            return;
        }
        Rabbitmqadmin.ManagedWarren warren = Rabbitmqadmin.startWarren("policy");
        broker = warren.broker();
        http = warren.http();
        admin = warren.admin();
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    private static void publish(Channel ch, String queue, String... bodies) throws IOException {
        for (String b : bodies) ch.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN, b.getBytes(StandardCharsets.UTF_8));
    }

    private static String body(Channel ch, String queue) throws Exception {
        return new String(Amqp.awaitGet(ch, queue).getBody(), StandardCharsets.UTF_8);
    }

    @Test
    void maxLengthPolicyDropsTheHeadOfAQueueThatHoldsMessages() throws Exception {
        String q = Amqp.unique("pol-maxlen");
        try (Connection c = broker.newConnection()) {
            Channel ch = c.createChannel();
            ch.queueDeclare(q, true, false, false, null);
            publish(ch, q, "m1", "m2", "m3", "m4", "m5");
            Amqp.awaitMessageCount(ch, q, 5);
            admin.setPolicy(false, "/", q, "^" + q + "$", "{\"max-length\":2}", 0, "queues");
            try {
                Amqp.awaitMessageCount(ch, q, 2);
                assertEquals("m4", body(ch, q));
            } finally {
                admin.clearPolicy(false, "/", q);
                ch.queueDelete(q);
            }
        }
    }

    @Test
    void queueArgumentsWinForNamesAndTheLowerLimitWins() throws Exception {
        String q = Amqp.unique("pol-args");
        String own = q + ".own-dlq";
        String fromPolicy = q + ".policy-dlq";
        try (Connection c = broker.newConnection()) {
            Channel ch = c.createChannel();
            ch.queueDeclare(own, false, false, true, null);
            ch.queueDeclare(fromPolicy, false, false, true, null);
            admin.setPolicy(false, "/", q, "^" + q + "$",
                    "{\"max-length\":10,\"dead-letter-exchange\":\"amq.fanout\",\"dead-letter-routing-key\":\"" + fromPolicy + "\"}",
                    0, "queues");
            ch.queueBind(fromPolicy, "amq.fanout", "");
            try {
                // the queue's own dead-letter exchange and routing key win over the policy's, its lower limit too
                ch.queueDeclare(q, false, false, false, Map.of("x-max-length", 1, "x-dead-letter-exchange", "",
                        "x-dead-letter-routing-key", own));
                publish(ch, q, "first", "second");
                assertEquals("first", body(ch, own));
                Amqp.awaitMessageCount(ch, q, 1);
                assertEquals(0, ch.queueDeclarePassive(fromPolicy).getMessageCount());
            } finally {
                admin.clearPolicy(false, "/", q);
                ch.queueDelete(q);
            }
        }
    }

    @Test
    void operatorPolicyLowerValueWins() throws Exception {
        String q = Amqp.unique("pol-op");
        try (Connection c = broker.newConnection()) {
            Channel ch = c.createChannel();
            admin.setPolicy(false, "/", q, "^" + q + "$", "{\"max-length\":5}", 0, "queues");
            admin.setPolicy(true, "/", q + "-op", "^" + q + "$", "{\"max-length\":2}", 0, "queues");
            try {
                ch.queueDeclare(q, true, false, false, null);
                publish(ch, q, "m1", "m2", "m3", "m4", "m5", "m6");
                Amqp.awaitMessageCount(ch, q, 2);
                // the operator policy is cleared: the policy's higher limit is in force again
                admin.clearPolicy(true, "/", q + "-op");
                awaitAccepted(ch, q, 5);
            } finally {
                admin.clearPolicy(false, "/", q);
                ch.queueDelete(q);
            }
        }
    }

    @Test
    void alternateExchangeByPolicyTakesUnroutedMessagesAndTheExchangesOwnArgumentWins() throws Exception {
        String x = Amqp.unique("pol-ae-x");
        String own = Amqp.unique("pol-ae-own");
        String ae = x + ".ae";
        String caught = x + ".caught";
        String caughtOwn = x + ".caught-own";
        try (Connection c = broker.newConnection()) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare(ae, "fanout", false, true, null);
            ch.exchangeDeclare(own + ".ae", "fanout", false, true, null);
            ch.queueDeclare(caught, false, false, true, null);
            ch.queueDeclare(caughtOwn, false, false, true, null);
            ch.queueBind(caught, ae, "");
            ch.queueBind(caughtOwn, own + ".ae", "");
            ch.exchangeDeclare(x, "direct", false, true, null);
            ch.exchangeDeclare(own, "direct", false, true, Map.of("alternate-exchange", own + ".ae"));
            admin.setPolicy(false, "/", x, "^(" + x + "|" + own + ")$", "{\"alternate-exchange\":\"" + ae + "\"}", 0, "exchanges");
            try {
                awaitRoutedTo(ch, x, caught);
                ch.basicPublish(own, "nowhere", null, "mine".getBytes(StandardCharsets.UTF_8));
                assertEquals("mine", body(ch, caughtOwn));
                assertEquals(0, ch.queueDeclarePassive(caught).getMessageCount());
            } finally {
                admin.clearPolicy(false, "/", x);
                ch.exchangeDelete(x);
                ch.exchangeDelete(own);
            }
        }
    }

    /** Publishes unroutable messages to {@code exchange} until one reaches {@code queue}: policies apply asynchronously. */
    private static void awaitRoutedTo(Channel ch, String exchange, String queue) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            ch.basicPublish(exchange, "nowhere", null, "unrouted".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(100);
            if (ch.queueDeclarePassive(queue).getMessageCount() > 0) {
                ch.queuePurge(queue);
                return;
            }
        }
        throw new AssertionError("nothing published to " + exchange + " reached " + queue);
    }

    /** Publishes until the queue holds {@code expected}: the limit in force changes asynchronously after the call. */
    private static void awaitAccepted(Channel ch, String q, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int n = 0;
        while (System.nanoTime() < deadline) {
            publish(ch, q, "more" + n++);
            Thread.sleep(50);
            if (ch.queueDeclarePassive(q).getMessageCount() == expected) {
                publish(ch, q, "beyond");
                Thread.sleep(200);
                assertEquals(expected, ch.queueDeclarePassive(q).getMessageCount(), "the limit holds");
                return;
            }
        }
        throw new AssertionError("queue " + q + " never held " + expected);
    }

    @Test
    void messageTtlPolicyExpiresMessagesAlreadyHeldThroughThePolicysDeadLetterExchange() throws Exception {
        broker.assumeControllable(); // RabbitMQ keeps the expiry a message got at enqueue (docs/FEATURES.md)
        String q = Amqp.unique("pol-ttl");
        String dlq = q + ".dlq";
        try (Connection c = broker.newConnection()) {
            Channel ch = c.createChannel();
            ch.queueDeclare(q, true, false, false, null);
            ch.queueDeclare(dlq, false, false, true, null);
            publish(ch, q, "a", "b", "c");
            Amqp.awaitMessageCount(ch, q, 3);
            Thread.sleep(100);
            admin.setPolicy(false, "/", q, "^" + q + "$",
                    "{\"message-ttl\":50,\"dead-letter-exchange\":\"\",\"dead-letter-routing-key\":\"" + dlq + "\"}", 0, "queues");
            try {
                Amqp.awaitMessageCount(ch, q, 0);
                Amqp.awaitMessageCount(ch, dlq, 3);
                assertEquals("a", body(ch, dlq));
            } finally {
                admin.clearPolicy(false, "/", q);
                ch.queueDelete(q);
            }
        }
    }

    @Test
    void managementApiShowsAndRefusesPolicies() throws Exception {
        broker.assumeControllable();
        String q = Amqp.unique("pol-api");
        try (Connection c = broker.newConnection()) {
            c.createChannel().queueDeclare(q, true, false, false, null);
        }
        admin.setPolicy(false, "/", q, "^" + q + "$", "{\"max-length\":7,\"message-ttl\":60000}", 1, "queues");
        admin.setPolicy(true, "/", q + "-op", "^" + q + "$", "{\"max-length\":3}", 0, "queues");
        try {
            JsonNode queue = get("/api/queues/%2F/" + q);
            assertEquals(q, queue.get("policy").asText());
            assertEquals(q + "-op", queue.get("operator_policy").asText());
            assertEquals(JSON.readTree("{\"max-length\":3,\"message-ttl\":60000}"), queue.get("effective_policy_definition"));
            JsonNode policy = get("/api/policies/%2F/" + q);
            assertEquals(JSON.readTree("{\"vhost\":\"/\",\"name\":\"" + q + "\",\"pattern\":\"^" + q + "$\",\"apply-to\":\"queues\","
                    + "\"definition\":{\"max-length\":7,\"message-ttl\":60000},\"priority\":1}"), policy);

            HttpResponse<String> bad = send("PUT", "/api/policies/%2F/bad", "{\"pattern\":\".*\",\"definition\":{\"message-ttl\":-1}}");
            assertEquals(400, bad.statusCode());
            assertEquals("Validation failed\n\n-1 is not a valid message TTL\n", JSON.readTree(bad.body()).get("reason").asText());
            HttpResponse<String> unknown = send("PUT", "/api/operator-policies/%2F/bad",
                    "{\"pattern\":\".*\",\"definition\":{\"dead-letter-exchange\":\"x\"}}");
            assertEquals(400, unknown.statusCode());
            assertEquals("Validation failed\n\n[{<<\"dead-letter-exchange\">>,<<\"x\">>}] are not recognised policy settings\n",
                    JSON.readTree(unknown.body()).get("reason").asText());
            assertEquals(400, send("PUT", "/api/policies/%2F/bad", "{\"pattern\":\".*\",\"definition\":{}, \"colour\":1}").statusCode());
            assertEquals(404, send("GET", "/api/policies/%2F/missing", null).statusCode());
            assertEquals(404, send("DELETE", "/api/policies/%2F/missing", null).statusCode());
        } finally {
            admin.clearPolicy(true, "/", q + "-op");
            admin.clearPolicy(false, "/", q);
        }
        assertTrue(get("/api/queues/%2F/" + q).get("policy").isNull(), "cleared");
    }

    @Test
    void rabbitmqadminDeclaresListsAndDeletesPolicies() throws Exception {
        broker.assumeControllable();
        Rabbitmqadmin.assumeInstalled();
        String name = Amqp.unique("adm-pol");
        assertTrue(rabbitmqadmin("declare", "policy", "name=" + name, "pattern=^" + name, "definition={\"max-length\":4}",
                "priority=2", "apply-to=queues").output().contains("policy declared"));
        JsonNode listed = null;
        for (JsonNode p : JSON.readTree(rabbitmqadmin("-f", "raw_json", "list", "policies").output())) {
            if (p.get("name").asText().equals(name)) listed = p;
        }
        assertEquals(JSON.readTree("{\"vhost\":\"/\",\"name\":\"" + name + "\",\"pattern\":\"^" + name + "\","
                + "\"apply-to\":\"queues\",\"definition\":{\"max-length\":4},\"priority\":2}"), listed);
        Result bad = rabbitmqadmin("declare", "policy", "name=" + name + "-bad", "pattern=.*", "definition={\"max-length\":\"many\"}");
        assertNotEquals(0, bad.exit());
        assertTrue(bad.output().contains("is not a valid maximum length"), bad.output());
        assertTrue(rabbitmqadmin("declare", "operator_policy", "name=" + name, "pattern=^" + name,
                "definition={\"message-ttl\":1000}").output().contains("operator_policy declared"));
        assertTrue(rabbitmqadmin("list", "operator_policies").output().contains(name));
        assertTrue(rabbitmqadmin("delete", "operator_policy", "name=" + name).output().contains("operator_policy deleted"));
        assertTrue(rabbitmqadmin("delete", "policy", "name=" + name).output().contains("policy deleted"));
        assertTrue(!rabbitmqadmin("list", "policies").output().contains(name));
    }

    @Test
    void definitionsExportAndImportPolicies() throws Exception {
        broker.assumeControllable();
        String name = Amqp.unique("def-pol");
        admin.setPolicy(false, "/", name, "^" + name, "{\"message-ttl\":5000,\"dead-letter-exchange\":\"dlx\"}", 4, "exchanges");
        JsonNode exported = get("/api/definitions");
        JsonNode mine = null;
        for (JsonNode p : exported.get("policies")) if (p.get("name").asText().equals(name)) mine = p;
        assertEquals(JSON.readTree("{\"vhost\":\"/\",\"name\":\"" + name + "\",\"pattern\":\"^" + name + "\",\"apply-to\":\"exchanges\","
                + "\"definition\":{\"message-ttl\":5000,\"dead-letter-exchange\":\"dlx\"},\"priority\":4}"), mine);
        admin.clearPolicy(false, "/", name);
        assertEquals(404, send("GET", "/api/policies/%2F/" + name, null).statusCode());
        String onlyPolicies = "{\"policies\":[" + mine + "]}";
        assertEquals(204, send("POST", "/api/definitions", onlyPolicies).statusCode());
        assertEquals(mine, get("/api/policies/%2F/" + name));
        String bad = "{\"policies\":[{\"vhost\":\"/\",\"name\":\"x\",\"pattern\":\".*\",\"definition\":{\"max-priority\":5}}]}";
        HttpResponse<String> refused = send("POST", "/api/definitions", bad);
        assertEquals(400, refused.statusCode());
        assertTrue(refused.body().contains("are not recognised policy settings"), refused.body());
        admin.clearPolicy(false, "/", name);
    }

    // ---------------------------------------------------------------- helpers

    private static Result rabbitmqadmin(String... args) throws Exception {
        return Rabbitmqadmin.run(http, "guest", "guest", Duration.ofSeconds(60), args);
    }

    private static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, null);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
