package io.warren.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15's done-when for policies: a policy set at runtime changes queues that already hold messages (a message-ttl
 * policy expires them) on every node of a 3-node cluster, and survives the kill of the node that ran the cluster's
 * access entity (the policies' one writer): the survivors keep applying it, to queues that moved and to new ones, and
 * take further policy changes once the entity has recovered elsewhere from the journal.
 */
class PolicyClusterTest {
    private static final int NODES = 3;
    private static final Pattern API_PORT = Pattern.compile("Management HTTP on http://[^:]+:(\\d+)/");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void aPolicySetAtRuntimeExpiresHeldMessagesOnEveryNodeAndSurvivesTheKillOfANode() throws Exception {
        Map<String, String> management = Map.of("warren.management.enabled", "true",
                "warren.management.host", ClusterNode.HOST, "warren.management.port", "0");
        try (ClusterUnderTest cluster = ClusterUnderTest.start("policy-cluster", NODES, management)) {
            int[] api = new int[NODES + 1];
            for (int i = 1; i <= NODES; i++) api[i] = portFromLog(cluster.node(i));

            // queues holding messages until every node runs some of them (sharding places them)
            List<String> queues = new ArrayList<>();
            Set<String> hosts = new TreeSet<>();
            try (Connection c = cluster.connect(1)) {
                Channel ch = c.createChannel();
                ch.confirmSelect();
                while (hosts.size() < NODES && queues.size() < 30) {
                    String q = "policy-held-" + queues.size();
                    ch.queueDeclare(q, true, false, false, null);
                    for (int m = 0; m < 3; m++) ch.basicPublish("", q, MessageProperties.PERSISTENT_TEXT_PLAIN, ("m" + m).getBytes());
                    ch.waitForConfirmsOrDie(30_000);
                    queues.add(q);
                    hosts.add(awaitHost(api[1], q));
                }
            }
            assertEquals(NODES, hosts.size(), "queues run on every node: " + hosts);

            long setAt = System.currentTimeMillis();
            assertEquals(201, send(api[2], "PUT", "/api/policies/%2F/ttl",
                    "{\"pattern\":\"^policy-\",\"definition\":{\"message-ttl\":1000},\"apply-to\":\"queues\"}").statusCode());
            try (Connection c = cluster.connect(3)) {
                Channel ch = c.createChannel();
                for (String q : queues) awaitEmpty(ch, q, Duration.ofSeconds(20));
            }
            System.out.printf("policy cluster: %d queues on %s emptied by the policy %d ms after it was set%n",
                    queues.size(), hosts, System.currentTimeMillis() - setAt);

            int killed = accessEntityNode(cluster);
            int survivor = killed == 1 ? 2 : 1;
            cluster.kill(killed);
            long killedAt = System.currentTimeMillis();
            cluster.awaitRoundTrip(survivor);

            // every queue, also those that ran on the killed node and restart on a survivor, still applies the policy
            try (Connection c = cluster.connect(survivor)) {
                Channel ch = c.createChannel();
                ch.confirmSelect();
                List<String> after = new ArrayList<>(queues);
                after.add("policy-new-after-kill");
                ch.queueDeclare("policy-new-after-kill", true, false, false, null);
                for (String q : after) {
                    ch.basicPublish("", q, MessageProperties.PERSISTENT_TEXT_PLAIN, "late".getBytes());
                }
                ch.waitForConfirmsOrDie(60_000);
                for (String q : after) awaitEmpty(ch, q, Duration.ofSeconds(30));
            }
            for (int i = 1; i <= NODES; i++) {
                if (i == killed) continue;
                JsonNode listed = JSON.readTree(send(api[i], "GET", "/api/policies/%2F", null).body());
                assertEquals(1, listed.size(), "node " + i + " policies: " + listed);
                assertEquals(1000, listed.get(0).get("definition").get("message-ttl").asInt());
            }

            // the access entity recovers on a survivor from the journal: a further change goes through and applies
            long deadline = System.currentTimeMillis() + 120_000;
            int status = 0;
            // 201, or 204 when an earlier attempt that timed out while the entity moved was journalled after all
            while (System.currentTimeMillis() < deadline && status != 201 && status != 204) {
                try {
                    status = send(api[survivor], "PUT", "/api/policies/%2F/limit",
                            "{\"pattern\":\"^policy-limited\",\"definition\":{\"max-length\":1},\"priority\":5,\"apply-to\":\"queues\"}").statusCode();
                } catch (java.net.http.HttpTimeoutException stillMoving) {
                    status = 0; // the entity is still recovering on a survivor
                }
                if (status != 201 && status != 204) Thread.sleep(500);
            }
            assertTrue(status == 201 || status == 204, "a policy change after the kill: " + status);
            System.out.printf("policy cluster: a policy change went through %d ms after the kill of node %d%n",
                    System.currentTimeMillis() - killedAt, killed);
            JsonNode both = JSON.readTree(send(api[survivor], "GET", "/api/policies/%2F", null).body());
            assertEquals(2, both.size(), "the first policy survived in the recovered entity: " + both);
            try (Connection c = cluster.connect(survivor)) {
                Channel ch = c.createChannel();
                ch.queueDeclare("policy-limited", true, false, false, null);
                for (int m = 0; m < 5; m++) ch.basicPublish("", "policy-limited", MessageProperties.PERSISTENT_TEXT_PLAIN, ("m" + m).getBytes());
                long until = System.currentTimeMillis() + 10_000;
                int count = -1;
                while (System.currentTimeMillis() < until && (count = ch.queueDeclarePassive("policy-limited").getMessageCount()) != 1) Thread.sleep(50);
                assertEquals(1, count, "max-length 1 from the new policy");
                Thread.sleep(1_500);
                // the higher-priority policy replaces the TTL one for this queue: its message does not expire
                assertEquals(1, ch.queueDeclarePassive("policy-limited").getMessageCount());
            }
        }
    }

    /** The node whose current log last said it runs the access entity; 1 when none says so. */
    private static int accessEntityNode(ClusterUnderTest cluster) throws Exception {
        int found = 1;
        String latest = "";
        for (ClusterNode node : cluster.nodes()) {
            for (String line : Files.readAllLines(node.currentLog(), StandardCharsets.UTF_8)) {
                if (line.contains("Access entity running on this node") && line.compareTo(latest) > 0) {
                    latest = line;
                    found = node.index();
                }
            }
        }
        return found;
    }

    private String awaitHost(int port, String queue) throws Exception {
        long until = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < until) {
            HttpResponse<String> r = send(port, "GET", "/api/queues/%2F/" + queue, null);
            if (r.statusCode() == 200) {
                JsonNode node = JSON.readTree(r.body()).get("node");
                if (node != null && !node.isNull()) return node.asText();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("queue " + queue + " never reported by a node");
    }

    private static void awaitEmpty(Channel ch, String queue, Duration within) throws Exception {
        long until = System.nanoTime() + within.toNanos();
        int count = -1;
        while (System.nanoTime() < until) {
            count = ch.queueDeclarePassive(queue).getMessageCount();
            if (count == 0) return;
            Thread.sleep(100);
        }
        throw new AssertionError("queue " + queue + " still holds " + count + " messages");
    }

    private HttpResponse<String> send(int port, String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + ClusterNode.HOST + ":" + port + path))
                .timeout(Duration.ofSeconds(40))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static int portFromLog(ClusterNode node) throws Exception {
        long until = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < until) {
            Matcher m = API_PORT.matcher(Files.readString(node.currentLog()));
            if (m.find()) return Integer.parseInt(m.group(1));
            Thread.sleep(200);
        }
        throw new AssertionError(node + " never logged its management port");
    }
}
