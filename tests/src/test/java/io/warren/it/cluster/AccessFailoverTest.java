package io.warren.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.warren.it.Amqp;
import io.warren.it.WarrenProcess;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Access state (users, vhosts, permissions made at runtime through the management API) survives the kill -9 of
 * any node of a 3-node cluster, the one hosting the access entity included: logins on the survivors keep working
 * throughout (they read each node's replica), a new user can be created soon after the kill (the entity restarts
 * on a survivor and recovers from the journal), and the killed node, restarted, knows everything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class AccessFailoverTest extends DisruptedClusterTestBase {
    private static final Pattern MANAGEMENT_PORT = Pattern.compile("Management HTTP on http://[^:]+:(\\d+)/");
    private static final String ENTITY_STARTED = "Access entity running on this node";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    AccessFailoverTest() {
        super("access-failover", Map.of("warren.management.enabled", "true",
                "warren.management.host", ClusterNode.HOST, "warren.management.port", "0"));
    }

    @Test
    void killingTheAccessEntitysNodeLosesNoAccessState() throws Exception {
        survives(accessEntityNode(), "host");
    }

    @Test
    void killingAnotherNodeLosesNoAccessState() throws Exception {
        int host = accessEntityNode();
        survives(host == 3 ? 2 : 3, "other");
    }

    private void survives(int victim, String label) throws Exception {
        List<Integer> survivors = new ArrayList<>(List.of(1, 2, 3));
        survivors.remove(Integer.valueOf(victim));
        String user = Amqp.unique("acc-" + label);
        String vhost = Amqp.unique("acc-vhost-" + label);
        int writer = survivors.get(0);
        assertEquals(201, put(writer, "/api/vhosts/" + vhost, "{}"));
        assertEquals(201, put(writer, "/api/users/" + user, "{\"password\":\"pw1\",\"tags\":\"\"}"));
        assertEquals(201, put(writer, "/api/permissions/" + vhost + "/" + user, "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}"));
        for (int node = 1; node <= 3; node++) awaitLogin(node, user, "pw1", vhost);

        // logins on the survivors, without pause, from just before the kill until the entity has moved
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger logins = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread loginLoop = new Thread(() -> {
            int i = 0;
            while (running.get()) {
                int node = survivors.get(i++ % survivors.size());
                try {
                    login(node, user, "pw1", vhost);
                    logins.incrementAndGet();
                } catch (Exception e) {
                    failures.add("node" + node + ": " + e);
                }
            }
        }, "access-failover-logins");
        loginLoop.start();
        String after = Amqp.unique("acc-after-" + label);
        try {
            Thread.sleep(500);
            long killedAt = System.nanoTime();
            cluster.kill(victim);

            // a write needs the entity: it must run again on a survivor (the API's ask waits up to 30 s for it)
            int status = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (status != 201 && System.nanoTime() < deadline) {
                status = put(writer, "/api/users/" + after, "{\"password\":\"pw2\",\"tags\":\"\"}");
            }
            long movedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            System.out.printf("access failover (%s node %d killed): a write succeeded %d ms after the kill; %d logins meanwhile%n",
                    label, victim, movedMillis, logins.get());
            assertEquals(201, status, () -> "no user could be created after node " + victim + " was killed\n" + cluster.logTails(60));
            assertEquals(201, put(writer, "/api/permissions/" + vhost + "/" + after, "{\"configure\":\"\",\"write\":\"\",\"read\":\".*\"}"));
            for (int node : survivors) awaitLogin(node, after, "pw2", vhost);
        } finally {
            running.set(false);
            loginLoop.join(30_000);
        }
        assertTrue(failures.isEmpty(), () -> failures.size() + " of " + (failures.size() + logins.get())
                + " logins on the survivors failed while node " + victim + " was down, first: " + failures.get(0));
        assertTrue(logins.get() > 0, "the login loop ran");

        cluster.restart(victim);
        awaitLogin(victim, user, "pw1", vhost);
        awaitLogin(victim, after, "pw2", vhost);
    }

    // ---------------------------------------------------------------- helpers

    /** The running node whose current log last said the access entity started there. */
    private int accessEntityNode() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            int found = 0;
            String latest = "";
            for (ClusterNode node : cluster.nodes()) {
                if (!node.isRunning()) continue;
                for (String line : Files.readAllLines(node.currentLog(), StandardCharsets.UTF_8)) {
                    if (line.contains(ENTITY_STARTED) && line.compareTo(latest) > 0) {
                        latest = line;
                        found = node.index();
                    }
                }
            }
            if (found != 0) return found;
            Thread.sleep(200);
        }
        throw new AssertionError("no node says it runs the access entity\n" + cluster.logTails(40));
    }

    /** The management HTTP port of the node's current run, as its log says. */
    private int httpPort(int node) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (String line : Files.readAllLines(cluster.node(node).currentLog(), StandardCharsets.UTF_8)) {
                Matcher m = MANAGEMENT_PORT.matcher(line);
                if (m.find()) return Integer.parseInt(m.group(1));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("node " + node + " never said where its management API listens");
    }

    private int put(int node, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + ClusterNode.HOST + ":" + httpPort(node) + path))
                .timeout(Duration.ofSeconds(45))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() >= 300) System.out.println("PUT " + path + " on node" + node + ": " + r.statusCode() + " " + r.body());
            return r.statusCode();
        } catch (java.io.IOException e) {
            System.out.println("PUT " + path + " on node" + node + ": " + e);
            return -1;
        }
    }

    private void login(int node, String user, String password, String vhost) throws Exception {
        ConnectionFactory f = cluster.connectionFactory();
        f.setHost(ClusterNode.HOST);
        f.setPort(cluster.node(node).amqpPort());
        f.setUsername(user);
        f.setPassword(password);
        f.setVirtualHost(vhost);
        f.setConnectionTimeout(10_000);
        f.setHandshakeTimeout(10_000);
        try (Connection c = f.newConnection()) {
            c.createChannel().close();
        }
    }

    /** Logs in once the node's replica has the user (changes reach the replicas shortly after they are journalled). */
    private void awaitLogin(int node, String user, String password, String vhost) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                login(node, user, password, vhost);
                return;
            } catch (Exception e) {
                last = e;
                WarrenProcess.sleep(200);
            }
        }
        throw new AssertionError("user " + user + " cannot log in to node " + node + ": " + last);
    }
}
