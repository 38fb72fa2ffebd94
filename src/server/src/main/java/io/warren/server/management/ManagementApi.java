package io.warren.server.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warren.broker.BrokerContext;
import io.warren.core.routing.Binding;
import io.warren.core.routing.ExchangeDefinition;
import io.warren.core.routing.RoutingTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;

/**
 * The management HTTP API: GET endpoints with RabbitMQ's JSON shapes under {@code /api}, Prometheus text at
 * {@code /metrics} and the dashboard at {@code /}. Queue figures are cluster-wide (every node's {@link NodeStats}
 * is asked); exchanges, bindings and queue names come from this node's routing-table replica, which every node
 * holds in full.
 */
public final class ManagementApi {
    static final String PRODUCT_NAME = "Warren";
    private static final String REALM = "RabbitMQ Management";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ActorSystem<?> system;
    private final BrokerContext broker;
    private final ClusterReports reports;
    private final String selfAddress;
    private final String version;
    private final byte[] dashboard;

    public ManagementApi(ActorSystem<?> system, BrokerContext broker, ClusterReports reports, String version) {
        this.system = system;
        this.broker = broker;
        this.reports = reports;
        this.selfAddress = Cluster.get(system).selfMember().address().toString();
        this.version = version;
        this.dashboard = resource("dashboard.html");
    }

    /** The pekko-http request handler. */
    public CompletionStage<HttpResponse> handle(HttpRequest request) {
        try {
            return route(request);
        } catch (RuntimeException e) {
            system.log().warn("management API: {} {} failed", request.method().value(), request.getUri().path(), e);
            return done(json(StatusCodes.INTERNAL_SERVER_ERROR, ApiViews.error("Internal Server Error",
                    String.valueOf(e.getMessage()))));
        }
    }

    private CompletionStage<HttpResponse> route(HttpRequest request) {
        List<String> path = new ArrayList<>();
        request.getUri().pathSegments().forEach(s -> {
            if (!s.isEmpty()) {
                path.add(s);
            }
        });
        boolean read = request.method().equals(HttpMethods.GET) || request.method().equals(HttpMethods.HEAD);
        if (path.isEmpty() || path.equals(List.of("index.html"))) {
            return read ? done(HttpResponse.create().withEntity(ContentTypes.TEXT_HTML_UTF8, dashboard))
                    : done(methodNotAllowed());
        }
        if (path.equals(List.of("metrics"))) {
            return read ? done(metrics()) : done(methodNotAllowed());
        }
        if (!path.get(0).equals("api")) {
            return done(notFound());
        }
        Optional<String> refusal = BasicAuth.refusal(broker.users(),
                request.getHeader("Authorization").map(HttpHeader::value));
        if (refusal.isPresent()) {
            return done(json(StatusCodes.UNAUTHORIZED, ApiViews.error("not_authorized", refusal.get()))
                    .addHeader(WWWAuthenticate.create(HttpChallenge.createBasic(REALM))));
        }
        if (!read) {
            return done(methodNotAllowed());
        }
        List<String> args = path.subList(1, path.size());
        if (args.isEmpty()) {
            return done(notFound());
        }
        String resource = args.get(0);
        Optional<String> vhost = args.size() > 1 ? Optional.of(args.get(1)) : Optional.empty();
        if (vhost.isPresent() && !resource.equals("nodes") && !resource.equals("health")
                && !broker.users().vhostExists(vhost.get())) {
            return done(notFound());
        }
        return switch (resource) {
            case "overview" -> args.size() == 1 ? withReports(this::overview) : done(notFound());
            case "nodes" -> args.size() <= 2 ? withReports(r -> nodes(r, vhost)) : done(notFound());
            case "queues" -> args.size() <= 3
                    ? withReports(r -> queues(r, vhost, args.size() == 3 ? Optional.of(args.get(2)) : Optional.empty()))
                    : done(notFound());
            case "exchanges" -> args.size() <= 3
                    ? done(exchanges(vhost, args.size() == 3 ? Optional.of(args.get(2)) : Optional.empty()))
                    : done(notFound());
            case "bindings" -> args.size() <= 2 ? done(bindings(vhost)) : done(notFound());
            case "connections" -> args.size() == 1 ? withReports(this::connections) : done(notFound());
            case "vhosts" -> args.size() <= 2 ? withReports(r -> vhosts(r, vhost)) : done(notFound());
            case "whoami" -> args.size() == 1 ? done(whoami(request)) : done(notFound());
            case "health" -> args.equals(List.of("health", "checks", "alarms")) ? withReports(this::alarmsCheck)
                    : args.equals(List.of("health", "checks", "local-alarms"))
                    ? done(alarmsCheck(List.of(NodeStats.report(broker, selfAddress))))
                    : done(notFound());
            default -> done(notFound());
        };
    }

    // ---------------------------------------------------------------- endpoints

    private HttpResponse overview(List<NodeReport> reports) {
        long ready = 0;
        long unacked = 0;
        long consumers = 0;
        long connections = 0;
        for (NodeReport node : reports) {
            connections += node.connections();
        }
        for (Map.Entry<QueueId, Located> q : runningQueues(reports).entrySet()) {
            ready += q.getValue().figures().messagesReady();
            unacked += q.getValue().figures().messagesUnacked();
            consumers += q.getValue().figures().consumers();
        }
        int queueCount = 0;
        int exchangeCount = 0;
        for (String vhost : sortedVhosts()) {
            RoutingTable table = broker.topology().table(vhost);
            queueCount += table.queues().size();
            exchangeCount += table.exchanges().size();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("management_version", version);
        m.put("product_name", PRODUCT_NAME);
        m.put("product_version", version);
        m.put("rabbitmq_version", version);
        m.put("cluster_name", clusterName());
        m.put("node", selfAddress);
        m.put("warren_node_name", broker.settings().nodeName());
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("queues", queueCount);
        totals.put("exchanges", exchangeCount);
        totals.put("connections", connections);
        totals.put("channels", null);
        totals.put("consumers", consumers);
        m.put("object_totals", totals);
        Map<String, Object> queueTotals = new LinkedHashMap<>();
        queueTotals.put("messages", ready + unacked);
        queueTotals.put("messages_ready", ready);
        queueTotals.put("messages_unacknowledged", unacked);
        m.put("queue_totals", queueTotals);
        m.put("alarms", alarms(reports));
        return json(StatusCodes.OK, m);
    }

    /** The alarms in effect on the reporting nodes: {node, resource, reason}. */
    private static List<Map<String, Object>> alarms(List<NodeReport> reports) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (NodeReport r : reports) {
            for (String resource : r.alarms()) {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("node", r.address());
                a.put("resource", resource);
                if (resource.equals("journal")) a.put("reason", r.alarmReason());
                out.add(a);
            }
        }
        out.sort(Comparator.comparing(a -> a.get("node") + " " + a.get("resource")));
        return out;
    }

    /** RabbitMQ's /api/health/checks/alarms: 200 {"status":"ok"}, or 503 with the alarms in effect. */
    private HttpResponse alarmsCheck(List<NodeReport> reports) {
        List<Map<String, Object>> alarms = alarms(reports);
        Map<String, Object> m = new LinkedHashMap<>();
        if (alarms.isEmpty()) {
            m.put("status", "ok");
            return json(StatusCodes.OK, m);
        }
        m.put("status", "failed");
        m.put("reason", reports.size() == 1 ? "resource alarm(s) in effect on the node"
                : "resource alarm(s) in effect in the cluster");
        m.put("alarms", alarms);
        return json(StatusCodes.SERVICE_UNAVAILABLE, m);
    }

    /** Every cluster member, running or not, as this node's membership view has them. */
    private HttpResponse nodes(List<NodeReport> reports, Optional<String> name) {
        Map<String, NodeReport> byAddress = new HashMap<>();
        reports.forEach(r -> byAddress.put(r.address(), r));
        var state = Cluster.get(system).state();
        Set<Member> unreachable = new HashSet<>();
        state.getUnreachable().forEach(unreachable::add);
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (Member member : state.getMembers()) {
            String address = member.address().toString();
            NodeReport report = byAddress.get(address);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", address);
            m.put("type", "disc");
            boolean up = member.status().equals(MemberStatus.up()) || member.status().equals(MemberStatus.weaklyUp());
            m.put("running", up && !unreachable.contains(member));
            m.put("member_status", member.status().toString());
            m.put("reachable", !unreachable.contains(member));
            m.put("being_drained", member.status().equals(MemberStatus.leaving())
                    || member.status().equals(MemberStatus.exiting()));
            m.put("roles", new TreeSet<>(member.getRoles()));
            if (report != null) {
                m.put("uptime", report.uptimeMillis());
                m.put("warren_node_name", report.nodeName());
                m.put("connections", report.connections());
                m.put("queues", report.queues().size());
                m.put("mem_alarm", report.alarms().contains("memory"));
                m.put("journal_alarm", report.alarms().contains("journal"));
                m.put("journal_alarm_reason", report.alarmReason());
            }
            nodes.add(m);
        }
        nodes.sort(Comparator.comparing(n -> (String) n.get("name")));
        if (name.isPresent()) {
            return nodes.stream().filter(n -> n.get("name").equals(name.get())).findFirst()
                    .map(n -> json(StatusCodes.OK, n)).orElseGet(this::notFound);
        }
        return json(StatusCodes.OK, nodes);
    }

    private HttpResponse queues(List<NodeReport> reports, Optional<String> vhost, Optional<String> name) {
        Map<QueueId, Located> running = runningQueues(reports);
        List<Map<String, Object>> out = new ArrayList<>();
        for (String v : vhost.map(List::of).orElseGet(this::sortedVhosts)) {
            Set<String> names = new TreeSet<>(broker.topology().table(v).queues());
            // a queue may run somewhere before this node's replica has it (or after it lost it): show it anyway
            running.keySet().stream().filter(id -> id.vhost().equals(v)).forEach(id -> names.add(id.name()));
            for (String n : names) {
                if (name.isPresent() && !name.get().equals(n)) {
                    continue;
                }
                QueueId id = new QueueId(v, n);
                Located located = running.get(id);
                QueueFigures last = located == null ? lastSeen.get(id) : null;
                out.add(located != null ? ApiViews.runningQueue(located.figures(), located.node())
                        : last != null && last.messages() > 0 ? ApiViews.recoveringQueue(last) : ApiViews.idleQueue(v, n));
            }
        }
        if (name.isPresent()) {
            return out.isEmpty() ? notFound() : json(StatusCodes.OK, out.get(0));
        }
        return json(StatusCodes.OK, out);
    }

    private HttpResponse exchanges(Optional<String> vhost, Optional<String> name) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String v : vhost.map(List::of).orElseGet(this::sortedVhosts)) {
            List<ExchangeDefinition> defs = new ArrayList<>(broker.topology().table(v).exchanges());
            defs.sort(Comparator.comparing(ExchangeDefinition::name));
            for (ExchangeDefinition e : defs) {
                if (name.isEmpty() || name.get().equals(e.name())) {
                    out.add(ApiViews.exchange(v, e));
                }
            }
        }
        if (name.isPresent()) {
            return out.isEmpty() ? notFound() : json(StatusCodes.OK, out.get(0));
        }
        return json(StatusCodes.OK, out);
    }

    private HttpResponse bindings(Optional<String> vhost) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String v : vhost.map(List::of).orElseGet(this::sortedVhosts)) {
            RoutingTable table = broker.topology().table(v);
            for (String queue : new TreeSet<>(table.queues())) {
                out.add(ApiViews.defaultBinding(v, queue));
            }
            List<Binding> bindings = new ArrayList<>(table.allBindings());
            bindings.sort(Comparator.comparing(Binding::source).thenComparing(b -> b.destination().name())
                    .thenComparing(Binding::routingKey));
            bindings.forEach(b -> out.add(ApiViews.binding(v, b)));
        }
        return json(StatusCodes.OK, out);
    }

    /**
     * Connection counts per node: the nodes report how many AMQP connections they hold, not their details, so each
     * entry stands for one node's connections (documented in docs/MANAGEMENT.md).
     */
    private HttpResponse connections(List<NodeReport> reports) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (NodeReport r : reports) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("node", r.address());
            m.put("warren_node_name", r.nodeName());
            m.put("connections", r.connections());
            out.add(m);
        }
        return json(StatusCodes.OK, out);
    }

    private HttpResponse vhosts(List<NodeReport> reports, Optional<String> only) {
        Map<QueueId, Located> running = runningQueues(reports);
        List<Map<String, Object>> out = new ArrayList<>();
        for (String v : only.map(List::of).orElseGet(this::sortedVhosts)) {
            long ready = 0;
            long unacked = 0;
            for (Map.Entry<QueueId, Located> e : running.entrySet()) {
                if (e.getKey().vhost().equals(v)) {
                    ready += e.getValue().figures().messagesReady();
                    unacked += e.getValue().figures().messagesUnacked();
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v);
            m.put("tracing", false);
            m.put("messages", ready + unacked);
            m.put("messages_ready", ready);
            m.put("messages_unacknowledged", unacked);
            out.add(m);
        }
        return only.isPresent() ? json(StatusCodes.OK, out.get(0)) : json(StatusCodes.OK, out);
    }

    private HttpResponse whoami(HttpRequest request) {
        String[] credentials = request.getHeader("Authorization").map(HttpHeader::value)
                .flatMap(BasicAuth::decode).orElseThrow();
        var user = broker.users().authenticate(credentials[0], credentials[1]).orElseThrow();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", user.name());
        m.put("tags", user.tags());
        return json(StatusCodes.OK, m);
    }

    private HttpResponse metrics() {
        NodeReport self = NodeStats.report(broker, selfAddress);
        int up = 0;
        for (Member m : Cluster.get(system).state().getMembers()) {
            if (m.status().equals(MemberStatus.up()) || m.status().equals(MemberStatus.weaklyUp())) {
                up++;
            }
        }
        String text = PrometheusMetrics.render(self, up) + JournalMetrics.render(broker.alarms());
        ContentType type = ContentTypes.parse(PrometheusMetrics.CONTENT_TYPE);
        return HttpResponse.create().withEntity(type, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- helpers

    private record QueueId(String vhost, String name) {}

    private record Located(QueueFigures figures, String node) {}

    /**
     * Every running queue with the node reporting it. While a queue moves, two nodes may briefly both report it
     * (the old incarnation has not yet removed its figures); the one with consumers or more messages wins, else
     * the first by address, so that the answer is stable.
     */
    private Map<QueueId, Located> runningQueues(List<NodeReport> reports) {
        Map<QueueId, Located> running = runningQueuesOf(reports);
        // Remember each queue's last figures: a queue that goes away while holding messages is recovering, not empty
        // (queues only passivate when empty). Figures of queues gone from the topology are dropped on the way.
        running.forEach((id, located) -> lastSeen.put(id, located.figures()));
        if (lastSeen.size() > running.size()) {
            lastSeen.keySet().removeIf(id -> !running.containsKey(id)
                    && !broker.topology().table(id.vhost()).queues().contains(id.name()));
        }
        return running;
    }

    /** The last figures each queue reported, for queues that are between incarnations. */
    private final Map<QueueId, QueueFigures> lastSeen = new java.util.concurrent.ConcurrentHashMap<>();

    private static Map<QueueId, Located> runningQueuesOf(List<NodeReport> reports) {
        Map<QueueId, Located> running = new LinkedHashMap<>();
        for (NodeReport node : reports) {
            for (QueueFigures q : node.queues()) {
                QueueId id = new QueueId(q.vhost(), q.name());
                Located candidate = new Located(q, node.address());
                running.merge(id, candidate, (a, b) -> weight(b.figures()) > weight(a.figures()) ? b : a);
            }
        }
        return running;
    }

    private static long weight(QueueFigures q) {
        return q.consumers() * 1_000_000_000L + q.messages();
    }

    private List<String> sortedVhosts() {
        return new ArrayList<>(new TreeSet<>(broker.users().vhosts()));
    }

    /** The oldest member's address: stable while it lives, the same whichever node is asked. */
    private String clusterName() {
        Member oldest = null;
        for (Member m : Cluster.get(system).state().getMembers()) {
            if (oldest == null || m.isOlderThan(oldest)) {
                oldest = m;
            }
        }
        // Address.hostPort() is "warren@host:port", like RabbitMQ's default cluster name "rabbit@host"
        return (oldest == null ? Cluster.get(system).selfMember() : oldest).address().hostPort();
    }

    private CompletionStage<HttpResponse> withReports(Function<List<NodeReport>, HttpResponse> view) {
        return reports.gather().thenApply(view);
    }

    private static CompletionStage<HttpResponse> done(HttpResponse response) {
        return CompletableFuture.completedFuture(response);
    }

    private HttpResponse notFound() {
        return json(StatusCodes.NOT_FOUND, ApiViews.error("Object Not Found", "Not Found"));
    }

    private HttpResponse methodNotAllowed() {
        return json(StatusCodes.METHOD_NOT_ALLOWED,
                ApiViews.error("Method Not Allowed", "Warren's management API is read-only"));
    }

    static HttpResponse json(StatusCode status, Object body) {
        try {
            return HttpResponse.create().withStatus(status)
                    .withEntity(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("management API: cannot render JSON", e);
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = ManagementApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name + " next to " + ManagementApi.class);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
