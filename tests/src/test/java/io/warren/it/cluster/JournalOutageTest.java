package io.warren.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13's outage: PostgreSQL, the journal of a three-node cluster, is stopped for 20 s under confirmed publishing
 * (one publisher per node) and acking consumers (one per node). Every node raises its journal alarm within 2 s, fails
 * /ready and blocks its publishers (connection.blocked); after the restart confirms flow again within 5 s; every
 * confirmed message is delivered; every node answers /ready again within 5 s of the restart; a queue holding a backlog
 * never shows 0 messages in the management API; and no shard restarts for a failed remember-entities write.
 */
class JournalOutageTest {
    private static final int NODES = 3;
    private static final int BACKLOG = 300;
    private static final long OUTAGE_MS = 20_000;
    /** Issue 13's recovery bound: confirms flow, and so every node is ready, within 5 s of the database's return. */
    private static final long RECOVERY_MS = 5_000;
    private static final long READY_AGAIN_WAIT_MS = 20_000;
    private static final Pattern API_PORT = Pattern.compile("Management HTTP on http://[^:]+:(\\d+)/");
    private static final Pattern READY_PORT = Pattern.compile("Pekko Management \\(/alive, /ready\\) on http://[^:]+:(\\d+)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aJournalOutageBlocksPublishersFailsReadinessAndLosesNothingConfirmed() throws Exception {
        Map<String, String> management = Map.of(
                "warren.management.enabled", "true", "warren.management.host", ClusterNode.HOST,
                "warren.management.port", "0", "warren.management.pekko-management.enabled", "true",
                "pekko.management.http.hostname", ClusterNode.HOST, "pekko.management.http.port", "0");
        try (ClusterUnderTest cluster = ClusterUnderTest.start("journal-outage", NODES, management)) {
            int[] api = new int[NODES + 1];
            int[] ready = new int[NODES + 1];
            for (int i = 1; i <= NODES; i++) {
                api[i] = portFromLog(cluster.node(i), API_PORT);
                ready[i] = portFromLog(cluster.node(i), READY_PORT);
            }
            List<String> queues = List.of("outage-q1", "outage-q2", "outage-q3");
            try (Connection admin = cluster.connect(1); Channel ch = admin.createChannel()) {
                ch.queueDeclare("outage-backlog", true, false, false, null);
                ch.confirmSelect();
                for (int i = 0; i < BACKLOG; i++) {
                    ch.basicPublish("", "outage-backlog", MessageProperties.PERSISTENT_BASIC, new byte[16]);
                }
                ch.waitForConfirmsOrDie(30_000);
            }
            // Every node's API has seen the backlog's figure before the outage: a node's first answer ever, with
            // another node's report late, knows no last figure and shows the queue idle (a management-API matter
            // of its own, not the outage's).
            for (int i = 1; i <= NODES; i++) {
                long until = System.currentTimeMillis() + 60_000;
                while (!backlogFigure(api[i]).equals("200 " + BACKLOG) && System.currentTimeMillis() < until) Thread.sleep(200);
                assertEquals("200 " + BACKLOG, backlogFigure(api[i]), "node " + i + "'s API before the outage");
            }
            try (ConfirmedTraffic traffic = ConfirmedTraffic.start(cluster, queues)) {
                Thread.sleep(3_000);
                assertTrue(traffic.confirmed.size() > 20, "confirms flow before the outage: " + traffic.confirmed.size());

                long stopAt = System.currentTimeMillis();
                cluster.database().stop();
                long[] alarmAt = new long[NODES + 1];
                long[] notReadyAt = new long[NODES + 1];
                List<Thread> watchers = pollEachNode("outage-watcher", stopAt + OUTAGE_MS, i -> {
                    if (alarmAt[i] == 0 && get(api[i], "/api/health/checks/local-alarms", true).statusCode() == 503) {
                        alarmAt[i] = System.currentTimeMillis();
                    }
                    if (notReadyAt[i] == 0 && get(ready[i], "/ready", false).statusCode() != 200) {
                        notReadyAt[i] = System.currentTimeMillis();
                    }
                    return alarmAt[i] != 0 && notReadyAt[i] != 0;
                });
                List<String> backlogShown = new ArrayList<>();
                while (System.currentTimeMillis() - stopAt < OUTAGE_MS) {
                    backlogShown.add(backlogFigure(api[1 + backlogShown.size() % NODES]));
                    Thread.sleep(100);
                }
                for (Thread watcher : watchers) watcher.join();
                cluster.database().restart();
                long restartAt = System.currentTimeMillis();
                // When each node answers /ready again: its alarm clears once all its queues' writes got through.
                long[] readyAgainAt = new long[NODES + 1];
                List<Thread> readyWatchers = pollEachNode("ready-again-watcher", restartAt + READY_AGAIN_WAIT_MS, i -> {
                    if (get(ready[i], "/ready", false).statusCode() != 200) return false;
                    readyAgainAt[i] = System.currentTimeMillis();
                    return true;
                });
                while (traffic.lastConfirmAt.get() < restartAt && System.currentTimeMillis() - restartAt < 30_000) {
                    backlogShown.add(backlogFigure(api[1 + backlogShown.size() % NODES]));
                    Thread.sleep(50);
                }
                long resumedAfter = traffic.lastConfirmAt.get() - restartAt;
                System.out.println("journal outage: after the restart: " + traffic.figures());
                if (resumedAfter < 0) {
                    for (int i = 1; i <= NODES; i++) {
                        System.out.println("node " + i + " /metrics:\n" + get(api[i], "/metrics", false).body().lines()
                                .filter(l -> !l.startsWith("#") && (l.startsWith("warren_journal") || l.startsWith("warren_alarm")
                                        || l.startsWith("warren_queue_published") || l.startsWith("warren_connections")))
                                .reduce("", (a, b) -> a + b + "\n"));
                    }
                }
                Thread.sleep(2_000);
                Set<String> lost = traffic.stopAndFindLost(60_000);
                for (Thread watcher : readyWatchers) watcher.join();
                List<String> notReadyAgain = new ArrayList<>();
                for (int i = 1; i <= NODES; i++) {
                    if (readyAgainAt[i] == 0 || readyAgainAt[i] - restartAt > RECOVERY_MS) {
                        notReadyAgain.add("node " + i + " ready again after " + (readyAgainAt[i] == 0 ? "never"
                                : (readyAgainAt[i] - restartAt) + " ms") + "; /ready now: "
                                + get(ready[i], "/ready", false).body() + "; alarms: "
                                + get(api[i], "/api/health/checks/local-alarms", true).body() + "; log: "
                                + logTail(cluster.node(i), restartAt));
                    }
                }

                // When each node raised its alarm, from its own log line: the API poll above also counts the HTTP
                // round trip, which on a starved machine takes seconds of its own.
                long[] raisedAt = new long[NODES + 1];
                for (int i = 1; i <= NODES; i++) raisedAt[i] = firstLogLineSince(cluster.node(i), "journal alarm raised", stopAt);
                System.out.printf("journal outage: alarm raised after %s ms (logged), seen in the API after %s ms, not "
                                + "ready after %s ms, blocked after %s ms, confirms resumed %d ms and every node ready again "
                                + "%s ms after the restart; %d confirmed, %d nacked, %d lost%n",
                        offsets(raisedAt, stopAt), offsets(alarmAt, stopAt), offsets(notReadyAt, stopAt),
                        offsets(traffic.blockedAt, stopAt), resumedAfter, offsets(readyAgainAt, restartAt),
                        traffic.confirmed.size(), traffic.nacked.get(), lost.size());
                for (int i = 1; i <= NODES; i++) {
                    assertTrue(raisedAt[i] > 0 && raisedAt[i] - stopAt <= 2_000, "node " + i + " alarm within 2 s");
                    assertTrue(alarmAt[i] > 0, "node " + i + " alarm shown in the API during the outage");
                    assertTrue(notReadyAt[i] > 0, "node " + i + " /ready failed during the outage");
                    assertTrue(traffic.blockedAt[i] >= stopAt, "publisher on node " + i + " got connection.blocked");
                }
                assertEquals(traffic.connectionCount(), traffic.openConnections(), "every client connection survives the outage");
                assertTrue(resumedAfter >= 0 && resumedAfter <= RECOVERY_MS, "confirms resumed " + resumedAfter + " ms after the restart");
                assertEquals(Set.of(), lost, "confirmed messages never delivered");
                assertTrue(backlogShown.stream().allMatch(s -> s.equals("200 " + BACKLOG)),
                        "the backlog queue's figure in the API: " + backlogShown);
                assertEquals(List.of(), notReadyAgain, "every node's /ready answers 200 again within 5 s of the restart");
                for (int i = 1; i <= NODES; i++) {
                    // logged once per transition, not once per failed write
                    assertEquals(1, logLines(cluster.node(i), "journal alarm raised"), "node " + i + " raise lines");
                    assertEquals(1, logLines(cluster.node(i), "journal alarm cleared"), "node " + i + " clear lines");
                    // No queue starts or passivates during the outage (idle queues stay while the alarm is raised),
                    // so sharding writes no remember-entities row into the failing journal, and no shard restarts
                    // with all its queues (which a failed remember-entities write does).
                    assertEquals(0, logLinesSince(cluster.node(i), "restarting shard", stopAt), "node " + i + " shard restarts");
                    assertEquals(0, logLinesSince(cluster.node(i), "stopping shard for backoff", stopAt), "node " + i + " shard stops");
                }
                try (Channel ch = traffic.anyConnection().createChannel()) {
                    assertEquals(BACKLOG, ch.queueDeclarePassive("outage-backlog").getMessageCount());
                }
            }
        }
    }

    /** What a per-node watcher does at each look; true: it is done. */
    private interface NodeLook {
        boolean done(int node) throws Exception;
    }

    /**
     * One thread per node, each looking every 50 ms until its look says done or {@code untilMillis} passes: a slow
     * answer from one node does not delay the look at the others.
     */
    private static List<Thread> pollEachNode(String name, long untilMillis, NodeLook look) {
        List<Thread> threads = new ArrayList<>();
        for (int n = 1; n <= NODES; n++) {
            int i = n;
            Thread t = new Thread(() -> {
                try {
                    while (System.currentTimeMillis() < untilMillis && !look.done(i)) Thread.sleep(50);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, name + "-" + i);
            t.start();
            threads.add(t);
        }
        return threads;
    }

    private String backlogFigure(int apiPort) throws Exception {
        HttpResponse<String> r = get(apiPort, "/api/queues/%2F/outage-backlog", true);
        Matcher m = Pattern.compile("\"messages\":(\\d+)").matcher(r.body());
        return r.statusCode() + " " + (m.find() ? m.group(1) : r.body());
    }

    private HttpResponse<String> get(int port, String path, boolean auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + ClusterNode.HOST + ":" + port + path))
                .timeout(Duration.ofSeconds(15)); // a loaded machine answers slowly; the test measures the broker
        if (auth) b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes()));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int portFromLog(ClusterNode node, Pattern pattern) throws Exception {
        long until = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < until) {
            Matcher m = pattern.matcher(Files.readString(node.currentLog()));
            if (m.find()) return Integer.parseInt(m.group(1));
            Thread.sleep(200);
        }
        throw new AssertionError(node + " never logged " + pattern);
    }

    /** A failing node's WARN and ERROR lines and alarm transitions since {@code sinceMillis}, for the failure message. */
    private static List<String> logTail(ClusterNode node, long sinceMillis) throws IOException {
        return linesSince(node, l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("alarm"), sinceMillis)
                .map(l -> l.length() > 300 ? l.substring(0, 300) : l).limit(40).toList();
    }

    private static long logLines(ClusterNode node, String text) throws IOException {
        return linesSince(node, l -> l.contains(text), Long.MIN_VALUE).count();
    }

    /** Lines with this text logged at or after {@code sinceMillis}. */
    private static long logLinesSince(ClusterNode node, String text, long sinceMillis) throws IOException {
        return linesSince(node, l -> l.contains(text), sinceMillis).count();
    }

    /** The node's lines that match, logged at or after {@code sinceMillis} (each line starts with an ISO-8601 instant). */
    private static Stream<String> linesSince(ClusterNode node, Predicate<String> match, long sinceMillis) throws IOException {
        return Files.readAllLines(node.currentLog()).stream()
                .filter(l -> match.test(l) && NodeLogTimeline.stamp(l) >= sinceMillis);
    }

    /** When the first line with this text at or after {@code sinceMillis} was logged (0: never). */
    private static long firstLogLineSince(ClusterNode node, String text, long sinceMillis) throws IOException {
        return Files.readAllLines(node.currentLog()).stream().filter(l -> l.contains(text))
                .mapToLong(NodeLogTimeline::stamp).filter(t -> t >= sinceMillis).min().orElse(0);
    }


    private static String offsets(long[] at, long from) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i < at.length; i++) out.add(at[i] == 0 ? "never" : String.valueOf(at[i] - from));
        return out.toString();
    }
}
