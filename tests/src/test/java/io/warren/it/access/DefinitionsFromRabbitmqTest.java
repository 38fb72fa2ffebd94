package io.warren.it.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.warren.it.BrokerUnderTest;
import io.warren.it.Rabbitmqadmin;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A definitions file exported from Debian's RabbitMQ 3.10.8 ({@code definitions/rabbitmq-3.10.8.json}, made by
 * {@code definitions/make-rabbitmq-definitions.sh} next to it) imports into Warren with Debian's
 * {@code rabbitmqadmin import}, and Warren's export is equivalent: vhosts, users (tags and password hashes; the
 * RabbitMQ hashes log in with the passwords the script set), permissions, exchanges, queues with their arguments,
 * and bindings (exchange-to-exchange and with arguments). Warren only (the validation RabbitMQ has no management
 * plugin).
 */
class DefinitionsFromRabbitmqTest {
    private static final String FIXTURE = "/definitions/rabbitmq-3.10.8.json";
    /** The passwords make-rabbitmq-definitions.sh gave its users. */
    private static final Map<String, String> PASSWORDS = Map.of("warren-admin", "admin-secret", "app", "app-secret",
            "reader", "reader-secret", "guest", "guest");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static BrokerUnderTest broker;
    private static int http;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(!BrokerUnderTest.isExternalMode(), "the validation RabbitMQ has no management plugin");
        Rabbitmqadmin.assumeInstalled();
        Rabbitmqadmin.ManagedWarren warren = Rabbitmqadmin.startWarren("definitions-from-rabbitmq");
        broker = warren.broker();
        http = warren.http();
    }

    @AfterAll
    static void stop() {
        if (broker != null) broker.close();
    }

    @Test
    void rabbitmqDefinitionsImportAndExportEquivalent() throws Exception {
        JsonNode fixture;
        try (InputStream in = DefinitionsFromRabbitmqTest.class.getResourceAsStream(FIXTURE)) {
            fixture = JSON.readTree(in);
        }
        Path file = Files.createTempFile("rabbitmq-definitions", ".json");
        Path exportedFile = Files.createTempFile("warren-definitions", ".json");
        try {
            Files.writeString(file, JSON.writeValueAsString(fixture));
            assertTrue(admin("import", file.toString()).contains("Uploaded definitions"));
            assertTrue(admin("export", exportedFile.toString()).contains("Exported definitions"));
            JsonNode exported = JSON.readTree(exportedFile.toFile());

            assertEquals(names(fixture.get("vhosts")), names(exported.get("vhosts")));
            assertEquals(rows(fixture.get("users"), "name", "password_hash", "hashing_algorithm", "tags"),
                    rows(exported.get("users"), "name", "password_hash", "hashing_algorithm", "tags"));
            assertEquals(rows(fixture.get("permissions"), "user", "vhost", "configure", "write", "read"),
                    rows(exported.get("permissions"), "user", "vhost", "configure", "write", "read"));
            assertEquals(rows(fixture.get("exchanges"), "vhost", "name", "type", "durable", "auto_delete", "internal", "arguments"),
                    rows(exported.get("exchanges"), "vhost", "name", "type", "durable", "auto_delete", "internal", "arguments"));
            assertEquals(rows(fixture.get("queues"), "vhost", "name", "durable", "auto_delete", "arguments"),
                    rows(exported.get("queues"), "vhost", "name", "durable", "auto_delete", "arguments"));
            assertEquals(rows(fixture.get("bindings"), "vhost", "source", "destination", "destination_type", "routing_key", "arguments"),
                    rows(exported.get("bindings"), "vhost", "source", "destination", "destination_type", "routing_key", "arguments"));
            assertPoliciesEquivalent(fixture, exported);

            // RabbitMQ's salted SHA-256 hashes log in to Warren with the passwords they were made from
            for (JsonNode u : fixture.get("users")) {
                String user = u.get("name").asText();
                String vhost = user.equals("app") ? "shop" : "/";
                ConnectionFactory f = broker.connectionFactory();
                f.setUsername(user);
                f.setPassword(PASSWORDS.get(user));
                f.setVirtualHost(vhost);
                try (Connection c = f.newConnection()) {
                    assertTrue(c.isOpen(), user + " logs in");
                }
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(exportedFile);
        }
    }

    /** The policies section of Warren's export equals the fixture's. */
    private static void assertPoliciesEquivalent(JsonNode fixture, JsonNode exported) {
        assertEquals(rows(fixture.get("policies"), "vhost", "name", "pattern", "apply-to", "definition", "priority"),
                rows(exported.get("policies"), "vhost", "name", "pattern", "apply-to", "definition", "priority"));
    }

    // ---------------------------------------------------------------- helpers

    /** Each object reduced to these fields (tags as a sorted list), as a set of JSON texts: order does not matter. */
    private static Set<String> rows(JsonNode list, String... fields) {
        Set<String> out = new TreeSet<>();
        for (JsonNode item : list) {
            ObjectNode row = JSON.createObjectNode();
            for (String f : fields) {
                JsonNode v = item.get(f);
                if (f.equals("tags") && v != null) {
                    List<String> tags = new ArrayList<>();
                    if (v.isArray()) v.forEach(t -> tags.add(t.asText()));
                    else for (String t : v.asText().split(",")) if (!t.isBlank()) tags.add(t.trim());
                    tags.sort(null);
                    row.set(f, JSON.valueToTree(tags));
                } else {
                    row.set(f, v == null ? JSON.nullNode() : sorted(v));
                }
            }
            out.add(row.toString());
        }
        return out;
    }

    /** Objects with their fields in name order, so that two equal objects print the same. */
    private static JsonNode sorted(JsonNode v) {
        if (!v.isObject()) return v;
        ObjectNode out = JSON.createObjectNode();
        new TreeSet<String>(iterable(v.fieldNames())).forEach(k -> out.set(k, sorted(v.get(k))));
        return out;
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static Set<String> names(JsonNode list) {
        Set<String> out = new TreeSet<>();
        list.forEach(n -> out.add(n.get("name").asText()));
        return out;
    }

    private static String admin(String... args) throws Exception {
        Rabbitmqadmin.Result r = Rabbitmqadmin.run(http, "guest", "guest", java.time.Duration.ofSeconds(120), args);
        assertEquals(0, r.exit(), () -> "rabbitmqadmin " + String.join(" ", args) + " failed:\n" + r.output());
        return r.output();
    }
}
