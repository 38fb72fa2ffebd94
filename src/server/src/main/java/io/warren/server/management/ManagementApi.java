package io.warren.server.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.warren.broker.BrokerContext;
import io.warren.broker.auth.UserDirectory;
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
import org.apache.pekko.stream.Materializer;

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
    private final Materializer materializer;
    private final AccessEndpoints access;
    private final PolicyEndpoints policies;
    private final TopologyEndpoints topologyWrites;
    private final DefinitionsEndpoints definitions;
    private final MessageEndpoints messages;

    public ManagementApi(ActorSystem<?> system, BrokerContext broker, ClusterReports reports, String version) {
        this.system = system;
        this.broker = broker;
        this.reports = reports;
        this.selfAddress = Cluster.get(system).selfMember().address().toString();
        this.version = version;
        this.dashboard = resource("dashboard.html");
        this.materializer = Materializer.matFromSystem(system);
        this.access = new AccessEndpoints(broker, this::cleanVhost, this::closeVhostConnections);
        this.policies = new PolicyEndpoints(broker);
        this.topologyWrites = new TopologyEndpoints(broker);
        this.definitions = new DefinitionsEndpoints(broker, topologyWrites, version);
        this.messages = new MessageEndpoints(system, broker);
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
        Optional<UserDirectory.User> user = BasicAuth.user(broker.users(),
                request.getHeader("Authorization").map(HttpHeader::value));
        if (user.isEmpty()) {
            return done(unauthorized("Not_Authorized"));
        }
        List<String> args = path.subList(1, path.size());
        if (args.isEmpty()) {
            return done(notFound());
        }
        String resource = args.get(0);
        if (resource.equals("definitions") && args.size() == 1) {
            if (!user.get().tags().contains("administrator")) {
                return done(unauthorized("Not administrator user"));
            }
            if (read) {
                return reports.gather().thenCompose(this::wakePassivated).thenCompose(woken -> reports.gather()).thenApply(r -> {
                    Map<String, QueueFigures> running = new HashMap<>();
                    runningQueues(r).forEach((id, located) -> running.put(id.vhost() + "\0" + id.name(), located.figures()));
                    return definitions.export(running);
                });
            }
            if (request.method().equals(HttpMethods.POST)) {
                return withBody(request, body -> definitions.importDefinitions(user.get(), body));
            }
            return done(methodNotAllowed());
        }
        if (PolicyEndpoints.handles(resource)) {
            Optional<String> refused = PolicyEndpoints.refusal(user.get(), args);
            if (refused.isPresent()) return done(unauthorized(refused.get()));
            return withBody(request, body -> policies.handle(request.method(), args, body, user.get()));
        }
        if (AccessEndpoints.handles(resource, args, read)) {
            if (!user.get().tags().contains("administrator")) {
                return done(unauthorized("Not administrator user"));
            }
            return withBody(request, body -> access.handle(request.method(), args, body));
        }
        if (!read || isTopologyRead(args)) {
            Optional<CompletionStage<HttpResponse>> topologyWrite = topologyRoute(request, user.get(), args);
            if (topologyWrite.isPresent()) return topologyWrite.get();
        }
        Optional<String> refusal = BasicAuth.refusal(user.get());
        if (refusal.isPresent()) {
            return done(unauthorized(refusal.get()));
        }
        if (resource.equals("connections") && args.size() == 2 && request.method().equals(HttpMethods.DELETE)) {
            if (!user.get().tags().contains("administrator")) return done(unauthorized("Not administrator user"));
            String name = args.get(1);
            String reason = request.getHeader("X-Reason").map(HttpHeader::value).orElse("Closed via management plugin");
            return reports.gather().thenCompose(r -> {
                boolean known = r.stream().anyMatch(n -> n.open().stream().anyMatch(c -> c.name().equals(name)));
                if (!known) return done(notFound());
                // this node's own connection directly; another node's through its NodeStats
                if (broker.connections().close(name, io.warren.amqp.ReplyCodes.CONNECTION_FORCED, ReplyCodesText.forced(reason))) {
                    return done(TopologyEndpoints.status(204));
                }
                return reports.tellAll(new NodeStats.CloseConnection(name, ReplyCodesText.forced(reason)))
                        .thenApply(x -> TopologyEndpoints.status(204));
            });
        }
        if (!read) {
            return done(methodNotAllowed());
        }
        Optional<String> vhost = args.size() > 1 ? Optional.of(args.get(1)) : Optional.empty();
        if (vhost.isPresent() && !Set.of("nodes", "connections", "channels", "health").contains(resource)
                && !broker.users().vhostExists(vhost.get())) {
            return done(notFound());
        }
        // RabbitMQ's sort, columns and paging parameters; read only by the list endpoints (see listed)
        var query = request.getUri().query();
        return switch (resource) {
            case "overview" -> args.size() == 1 ? withReports(this::overview) : done(notFound());
            case "nodes" -> args.size() == 2 ? withReports(r -> one(nodes(r, vhost)))
                    : args.size() == 1 ? withReports(r -> listed(query, nodes(r, vhost))) : done(notFound());
            case "queues" -> args.size() == 3 ? withReports(r -> one(queues(r, vhost, Optional.of(args.get(2)))))
                    : args.size() <= 2 ? withReports(r -> listed(query, queues(r, vhost, Optional.empty())))
                    : done(notFound());
            case "exchanges" -> args.size() == 3 ? done(one(exchanges(vhost, Optional.of(args.get(2)))))
                    : args.size() <= 2 ? done(listed(query, exchanges(vhost, Optional.empty())))
                    : done(notFound());
            case "bindings" -> args.size() <= 2 ? done(listed(query, bindings(vhost))) : done(notFound());
            case "connections" -> args.size() == 1 ? withReports(r -> listed(query, connections(r, Optional.empty())))
                    : args.size() == 2 ? withReports(r -> one(connections(r, Optional.of(args.get(1)))))
                    : args.size() == 3 && args.get(2).equals("channels")
                    ? withReports(r -> connections(r, Optional.of(args.get(1))).isEmpty() ? notFound()
                            : listed(query, channels(r, c -> c.name().equals(args.get(1)))))
                    : done(notFound());
            case "channels" -> args.size() == 1 ? withReports(r -> listed(query, channels(r, c -> true)))
                    : args.size() == 2 ? withReports(r -> one(channels(r, c -> true).stream()
                            .filter(ch -> ch.get("name").equals(args.get(1))).toList()))
                    : done(notFound());
            case "consumers" -> args.size() <= 2 ? withReports(r -> listed(query, consumers(r, vhost))) : done(notFound());
            case "vhosts" -> args.size() == 3 && args.get(2).equals("channels") && broker.users().vhostExists(args.get(1))
                    ? withReports(r -> listed(query, channels(r, c -> c.vhost().equals(args.get(1)))))
                    : args.size() == 3 && args.get(2).equals("connections") && broker.users().vhostExists(args.get(1))
                    ? withReports(r -> listed(query, connections(r, Optional.empty()).stream()
                            .filter(c -> c.get("vhost").equals(args.get(1))).toList()))
                    : args.size() == 2 ? withReports(r -> one(vhosts(r, vhost)))
                    : args.size() == 1 ? withReports(r -> listed(query, vhosts(r, vhost)))
                    : done(notFound());
            case "whoami" -> args.size() == 1 ? done(whoami(request)) : done(notFound());
            case "health" -> args.equals(List.of("health", "checks", "alarms")) ? withReports(this::alarmsCheck)
                    : args.equals(List.of("health", "checks", "local-alarms"))
                    ? done(alarmsCheck(List.of(NodeStats.report(system, broker, selfAddress))))
                    : args.size() >= 3 && args.get(1).equals("checks") ? done(health(args.subList(2, args.size())))
                    : done(notFound());
            case "aliveness-test" -> args.size() == 2 ? aliveness(user.get(), args.get(1)) : done(notFound());
            default -> done(notFound());
        };
    }

    // ---------------------------------------------------------------- endpoints

    private HttpResponse overview(List<NodeReport> reports) {
        long ready = 0;
        long unacked = 0;
        long consumers = 0;
        long connections = 0;
        long channels = 0;
        for (NodeReport node : reports) {
            connections += node.connections();
            for (ConnectionFigures c : node.open()) channels += c.channels();
        }
        Map<QueueId, Located> running = runningQueues(reports);
        for (Map.Entry<QueueId, Located> q : running.entrySet()) {
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
        totals.put("channels", channels);
        totals.put("consumers", consumers);
        m.put("object_totals", totals);
        Map<String, Object> queueTotals = new LinkedHashMap<>();
        queueTotals.put("messages", ready + unacked);
        queueTotals.put("messages_ready", ready);
        queueTotals.put("messages_unacknowledged", unacked);
        m.put("queue_totals", queueTotals);
        m.put("message_stats", rates.stats("overview", counters(running.values().stream().map(Located::figures).toList()),
                System.currentTimeMillis()));
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
    private List<Map<String, Object>> nodes(List<NodeReport> reports, Optional<String> name) {
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
                NodeResources res = report.resources();
                m.put("mem_used", res.memUsed());
                m.put("mem_limit", res.memLimit());
                m.put("fd_used", res.fdUsed());
                m.put("fd_total", res.fdTotal());
                m.put("sockets_used", report.connections());
                m.put("disk_free", res.diskFree());
            }
            nodes.add(m);
        }
        nodes.sort(Comparator.comparing(n -> (String) n.get("name")));
        if (name.isPresent()) return nodes.stream().filter(n -> n.get("name").equals(name.get())).toList();
        return nodes;
    }

    private List<Map<String, Object>> queues(List<NodeReport> reports, Optional<String> vhost, Optional<String> name) {
        Map<QueueId, Located> running = runningQueues(reports);
        long now = System.currentTimeMillis();
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
                Map<String, Object> view;
                if (located != null) {
                    view = ApiViews.runningQueue(located.figures(), located.node());
                    view.put("message_stats", rates.stats("queue\0" + v + "\0" + n, counters(List.of(located.figures())), now));
                } else {
                    view = last != null && last.messages() > 0 ? ApiViews.recoveringQueue(last)
                            : ApiViews.idleQueue(v, n, last == null ? Map.of() : last.arguments());
                }
                PolicyEndpoints.addQueuePolicy(view, broker.users().state());
                out.add(view);
            }
        }
        return out;
    }

    private List<Map<String, Object>> exchanges(Optional<String> vhost, Optional<String> name) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String v : vhost.map(List::of).orElseGet(this::sortedVhosts)) {
            List<ExchangeDefinition> defs = new ArrayList<>(broker.topology().table(v).exchanges());
            defs.sort(Comparator.comparing(ExchangeDefinition::name));
            for (ExchangeDefinition e : defs) {
                if (name.isEmpty() || name.get().equals(e.name())) {
                    Map<String, Object> view = ApiViews.exchange(v, e);
                    PolicyEndpoints.addExchangePolicy(view, broker.users().state());
                    out.add(view);
                }
            }
        }
        return out;
    }

    private List<Map<String, Object>> bindings(Optional<String> vhost) {
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
        return out;
    }

    /** Every node's open AMQP connections, with RabbitMQ's fields. */
    private List<Map<String, Object>> connections(List<NodeReport> reports, Optional<String> name) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (NodeReport r : reports) {
            for (ConnectionFigures c : r.open()) {
                if (name.isPresent() && !name.get().equals(c.name())) continue;
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", c.name());
                m.put("node", r.address());
                m.put("warren_node_name", r.nodeName());
                m.put("user", c.user());
                m.put("vhost", c.vhost());
                int colon = c.peer().lastIndexOf(':');
                m.put("peer_host", colon < 0 ? c.peer() : c.peer().substring(0, colon));
                m.put("peer_port", colon < 0 ? 0 : Integer.parseInt(c.peer().substring(colon + 1)));
                m.put("protocol", "AMQP 0-9-1");
                m.put("type", "network");
                m.put("state", "running");
                m.put("channels", c.channels());
                m.put("frame_max", c.frameMax());
                m.put("channel_max", c.channelMax());
                m.put("timeout", c.heartbeat());
                m.put("connected_at", c.connectedAt());
                m.put("client_properties", c.clientProperties());
                m.put("auth_mechanism", "PLAIN");
                out.add(m);
            }
        }
        out.sort(Comparator.comparing(m -> (String) m.get("name")));
        return out;
    }

    /** The channels of the open connections that pass the filter, on every node, with RabbitMQ's fields. */
    private List<Map<String, Object>> channels(List<NodeReport> reports, java.util.function.Predicate<ConnectionFigures> which) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (NodeReport r : reports) {
            for (ConnectionFigures c : r.open()) {
                if (!which.test(c)) continue;
                for (ChannelFigures ch : c.channelList()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", channelName(c, ch));
                    m.put("node", r.address());
                    m.put("number", ch.number());
                    m.put("user", c.user());
                    m.put("vhost", c.vhost());
                    m.put("connection_details", connectionDetails(c));
                    m.put("prefetch_count", ch.prefetchCount());
                    m.put("global_prefetch_count", ch.globalPrefetchCount());
                    m.put("confirm", ch.confirm());
                    m.put("transactional", ch.transactional());
                    m.put("messages_unacknowledged", ch.messagesUnacknowledged());
                    m.put("messages_unconfirmed", ch.messagesUnconfirmed());
                    m.put("messages_uncommitted", 0);
                    m.put("acks_uncommitted", 0);
                    m.put("consumer_count", ch.consumers().size());
                    m.put("state", "running");
                    out.add(m);
                }
            }
        }
        out.sort(Comparator.comparing((Map<String, Object> m) -> (String) ((Map<?, ?>) m.get("connection_details")).get("name"))
                .thenComparing(m -> (Integer) m.get("number")));
        return out;
    }

    /** Every consumer on every node (of one vhost if given), with RabbitMQ's fields. */
    private List<Map<String, Object>> consumers(List<NodeReport> reports, Optional<String> vhost) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (NodeReport r : reports) {
            for (ConnectionFigures c : r.open()) {
                if (vhost.isPresent() && !vhost.get().equals(c.vhost())) continue;
                for (ChannelFigures ch : c.channelList()) {
                    for (ChannelFigures.ConsumerFigures consumer : ch.consumers()) {
                        Map<String, Object> channel = new LinkedHashMap<>();
                        channel.put("name", channelName(c, ch));
                        channel.put("number", ch.number());
                        channel.put("user", c.user());
                        channel.put("connection_name", c.name());
                        channel.put("peer_host", peerHost(c));
                        channel.put("peer_port", peerPort(c));
                        channel.put("node", r.address());
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("consumer_tag", consumer.tag());
                        m.put("channel_details", channel);
                        m.put("queue", Map.of("name", consumer.queue(), "vhost", c.vhost()));
                        m.put("ack_required", consumer.ackRequired());
                        m.put("prefetch_count", consumer.prefetchCount());
                        m.put("exclusive", consumer.exclusive());
                        m.put("arguments", consumer.priority() == 0 ? Map.of() : Map.of("x-priority", consumer.priority()));
                        m.put("active", true);
                        m.put("activity_status", "up");
                        out.add(m);
                    }
                }
            }
        }
        out.sort(Comparator.comparing((Map<String, Object> m) -> (String) ((Map<?, ?>) m.get("channel_details")).get("name"))
                .thenComparing(m -> (String) m.get("consumer_tag")));
        return out;
    }

    /** RabbitMQ's channel name: its connection's name and the channel number, "host:port -> host:port (N)". */
    private static String channelName(ConnectionFigures c, ChannelFigures ch) {
        return c.name() + " (" + ch.number() + ")";
    }

    private static Map<String, Object> connectionDetails(ConnectionFigures c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("peer_host", peerHost(c));
        m.put("peer_port", peerPort(c));
        return m;
    }

    private static String peerHost(ConnectionFigures c) {
        int colon = c.peer().lastIndexOf(':');
        return colon < 0 ? c.peer() : c.peer().substring(0, colon);
    }

    private static int peerPort(ConnectionFigures c) {
        int colon = c.peer().lastIndexOf(':');
        return colon < 0 ? 0 : Integer.parseInt(c.peer().substring(colon + 1));
    }

    /** RabbitMQ's message_stats counters of these queues, summed. */
    private static Map<String, Long> counters(List<QueueFigures> queues) {
        long publish = 0;
        long deliverGet = 0;
        long ack = 0;
        for (QueueFigures q : queues) {
            publish += q.published();
            deliverGet += q.delivered();
            ack += q.acked();
        }
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("publish", publish);
        m.put("deliver_get", deliverGet);
        m.put("ack", ack);
        return m;
    }

    private List<Map<String, Object>> vhosts(List<NodeReport> reports, Optional<String> only) {
        Map<QueueId, Located> running = runningQueues(reports);
        long now = System.currentTimeMillis();
        List<Map<String, Object>> out = new ArrayList<>();
        for (String v : only.map(List::of).orElseGet(this::sortedVhosts)) {
            long ready = 0;
            long unacked = 0;
            List<QueueFigures> inVhost = new ArrayList<>();
            for (Map.Entry<QueueId, Located> e : running.entrySet()) {
                if (e.getKey().vhost().equals(v)) {
                    ready += e.getValue().figures().messagesReady();
                    unacked += e.getValue().figures().messagesUnacked();
                    inVhost.add(e.getValue().figures());
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v);
            m.put("tracing", false);
            m.put("messages", ready + unacked);
            m.put("messages_ready", ready);
            m.put("messages_unacknowledged", unacked);
            m.put("message_stats", rates.stats("vhost\0" + v, counters(inVhost), now));
            out.add(m);
        }
        return out;
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

    /** The ports this node listens on, for the port-listener health check (set once both are bound). */
    public void listening(int amqpPort, int httpPort) {
        this.ports = List.of(amqpPort, httpPort);
    }

    private volatile List<Integer> ports = List.of();

    /**
     * RabbitMQ's health checks: 200 {"status":"ok"} or 503 {"status":"failed","reason":...}. The alarms and
     * local-alarms checks are answered by {@link #alarmsCheck} (memory and journal alarms); Warren has no quorum or mirrored queues, so the
     * quorum-critical checks always pass; every vhost's routing table is loaded before a node accepts clients.
     */
    private HttpResponse health(List<String> check) {
        Map<String, Object> ok = Map.of("status", "ok");
        switch (check.get(0)) {
            case "virtual-hosts", "node-is-quorum-critical", "node-is-mirror-sync-critical", "certificate-expiration" -> {
                return json(StatusCodes.OK, ok);
            }
            case "port-listener" -> {
                if (check.size() != 2) return notFound();
                int port;
                try {
                    port = Integer.parseInt(check.get(1));
                } catch (NumberFormatException e) {
                    return json(StatusCodes.BAD_REQUEST, ApiViews.error("bad_request", "invalid port '" + check.get(1) + "'"));
                }
                if (ports.contains(port)) return json(StatusCodes.OK, Map.of("status", "ok", "port", port));
                Map<String, Object> failed = new LinkedHashMap<>();
                failed.put("status", "failed");
                failed.put("reason", "No active listener");
                failed.put("missing", port);
                failed.put("ports", ports);
                return json(StatusCodes.SERVICE_UNAVAILABLE, failed);
            }
            case "protocol-listener" -> {
                if (check.size() != 2) return notFound();
                String protocol = check.get(1);
                if (Set.of("amqp", "amqp091", "amqp0-9-1", "http").contains(protocol)) {
                    return json(StatusCodes.OK, Map.of("status", "ok", "protocol", protocol));
                }
                return json(StatusCodes.SERVICE_UNAVAILABLE, Map.of("status", "failed", "reason", "No active listener", "missing", protocol));
            }
            default -> {
                return notFound();
            }
        }
    }

    /** RabbitMQ's aliveness test: declare the queue aliveness-test, publish a message to it and get it back. */
    private CompletionStage<HttpResponse> aliveness(UserDirectory.User user, String vhost) {
        byte[] queue = "{\"durable\":\"false\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] message = "{\"routing_key\":\"aliveness-test\",\"payload\":\"test_message\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] get = "{\"count\":\"1\",\"ackmode\":\"ack_requeue_false\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return withBody(HttpRequest.create(), body -> topologyWrites.putQueue(user, vhost, "aliveness-test", queue)
                .thenCompose(r -> messages.publish(user, vhost, "amq.default", message))
                .thenCompose(r -> messages.get(user, vhost, "aliveness-test", get))
                .thenApply(r -> r.status().intValue() == 200 ? json(StatusCodes.OK, Map.of("status", "ok"))
                        : json(StatusCodes.SERVICE_UNAVAILABLE, Map.of("status", "failed", "reason", "aliveness test failed"))));
    }

    private HttpResponse metrics() {
        NodeReport self = NodeStats.report(system, broker, selfAddress);
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

    private static boolean isTopologyRead(List<String> args) {
        String r = args.get(0);
        return (r.equals("queues") && args.size() == 4 && args.get(3).equals("bindings"))
                || (r.equals("exchanges") && args.size() == 5 && args.get(3).equals("bindings"))
                || (r.equals("bindings") && args.size() == 6);
    }

    /** Writes to queues, exchanges and bindings (and their binding listings), for users with a management tag. */
    private Optional<CompletionStage<HttpResponse>> topologyRoute(HttpRequest request, UserDirectory.User user, List<String> args) {
        String r = args.get(0);
        var method = request.method();
        if (args.size() < 3) return Optional.empty();
        String vhost = args.get(1);
        if (!broker.users().vhostExists(vhost)) return Optional.of(done(notFound()));
        if (!BasicAuth.isManagementUser(user)) return Optional.of(done(unauthorized("Not management user")));
        String name = args.get(2);
        Function<String, Boolean> flag = q -> request.getUri().query().get(q).map(v -> v.equals("true")).orElse(false);
        if (r.equals("queues")) {
            if (args.size() == 3 && method.equals(HttpMethods.PUT)) {
                return Optional.of(withBody(request, body -> topologyWrites.putQueue(user, vhost, name, body)));
            }
            if (args.size() == 3 && method.equals(HttpMethods.DELETE)) {
                return Optional.of(withBody(request, body -> topologyWrites.deleteQueue(user, vhost, name, flag.apply("if-unused"), flag.apply("if-empty"))));
            }
            if (args.size() == 4 && args.get(3).equals("contents") && method.equals(HttpMethods.DELETE)) {
                return Optional.of(withBody(request, body -> topologyWrites.purgeQueue(user, vhost, name)));
            }
            if (args.size() == 4 && args.get(3).equals("get") && method.equals(HttpMethods.POST)) {
                return Optional.of(withBody(request, body -> messages.get(user, vhost, name, body)));
            }
            if (args.size() == 4 && args.get(3).equals("bindings") && method.equals(HttpMethods.GET)) {
                if (!broker.topology().table(vhost).hasQueue(name)) return Optional.of(done(notFound()));
                List<Map<String, Object>> out = new ArrayList<>();
                out.add(ApiViews.defaultBinding(vhost, name));
                for (Binding b : broker.topology().table(vhost).allBindings()) {
                    if (b.destination().equals(io.warren.core.routing.Destination.queue(name))) out.add(ApiViews.binding(vhost, b));
                }
                return Optional.of(done(json(StatusCodes.OK, out)));
            }
        } else if (r.equals("exchanges")) {
            if (args.size() == 3 && method.equals(HttpMethods.PUT)) {
                return Optional.of(withBody(request, body -> topologyWrites.putExchange(user, vhost, name, body)));
            }
            if (args.size() == 3 && method.equals(HttpMethods.DELETE)) {
                return Optional.of(withBody(request, body -> topologyWrites.deleteExchange(user, vhost, name, flag.apply("if-unused"))));
            }
            if (args.size() == 4 && args.get(3).equals("publish") && method.equals(HttpMethods.POST)) {
                return Optional.of(withBody(request, body -> messages.publish(user, vhost, name, body)));
            }
            if (args.size() == 5 && args.get(3).equals("bindings") && method.equals(HttpMethods.GET)) {
                if (broker.topology().table(vhost).exchange(name).isEmpty()) return Optional.of(done(notFound()));
                boolean source = args.get(4).equals("source");
                List<Map<String, Object>> out = new ArrayList<>();
                for (Binding b : broker.topology().table(vhost).allBindings()) {
                    if (source ? b.source().equals(name) : b.destination().equals(io.warren.core.routing.Destination.exchange(name))) {
                        out.add(ApiViews.binding(vhost, b));
                    }
                }
                return Optional.of(done(json(StatusCodes.OK, out)));
            }
        } else if (r.equals("bindings") && args.size() >= 6 && args.get(2).equals("e")
                && (args.get(4).equals("q") || args.get(4).equals("e"))) {
            String source = args.get(3);
            var destination = args.get(4).equals("q") ? io.warren.core.routing.Destination.queue(args.get(5))
                    : io.warren.core.routing.Destination.exchange(args.get(5));
            if (args.size() == 6 && method.equals(HttpMethods.GET)) {
                return Optional.of(done(json(StatusCodes.OK, topologyWrites.bindingsBetween(vhost, source, destination))));
            }
            if (args.size() == 6 && method.equals(HttpMethods.POST)) {
                String prefix = request.getUri().path();
                return Optional.of(withBody(request, body -> topologyWrites.postBinding(user, vhost, source, destination, body, prefix)));
            }
            if (args.size() == 7 && method.equals(HttpMethods.DELETE)) {
                return Optional.of(withBody(request, body -> topologyWrites.deleteBinding(user, vhost, source, destination, args.get(6))));
            }
        }
        return Optional.empty();
    }

    private HttpResponse unauthorized(String reason) {
        return json(StatusCodes.UNAUTHORIZED, ApiViews.error("not_authorized", reason))
                .addHeader(WWWAuthenticate.create(HttpChallenge.createBasic(REALM)));
    }

    /** Reads the request's body, runs the endpoint, and turns its refusals into RabbitMQ's error objects. */
    private CompletionStage<HttpResponse> withBody(HttpRequest request, Function<byte[], CompletionStage<HttpResponse>> endpoint) {
        return request.entity().toStrict(10_000, materializer)
                .thenCompose(strict -> endpoint.apply(strict.getData().toArray()))
                .handle((response, error) -> {
                    if (error == null) return response;
                    Throwable t = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (t instanceof ApiRequestException e) return json(e.status, ApiViews.error(e.error, e.getMessage()));
                    system.log().warn("management API: {} {} failed", request.method().value(), request.getUri().path(), t);
                    return json(StatusCodes.INTERNAL_SERVER_ERROR, ApiViews.error("Internal Server Error", String.valueOf(t.getMessage())));
                });
    }

    /** Deletes a vhost's queues and its own exchanges, so that a vhost made again later starts empty. */
    private CompletionStage<Void> cleanVhost(String vhost) {
        RoutingTable table = broker.topology().table(vhost);
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (String queue : new TreeSet<>(table.queues())) {
            all = all.thenCompose(x -> broker.queues().delete(vhost, queue, false, false, TopologyEndpoints.OWNER)
                    .thenCompose(r -> broker.topology().deleteQueue(vhost, queue)).thenApply(v -> null));
        }
        for (ExchangeDefinition e : new ArrayList<>(table.exchanges())) {
            if (e.name().isEmpty() || e.name().startsWith("amq.")) continue;
            all = all.thenCompose(x -> broker.topology().deleteExchange(vhost, e.name(), false).thenApply(v -> null));
        }
        return all;
    }

    /** A list endpoint's answer: sorted, filtered, paged and projected as the request's query asks. */
    private static HttpResponse listed(org.apache.pekko.http.javadsl.model.Query query, List<Map<String, Object>> items) {
        try {
            return json(StatusCodes.OK, ListQuery.parse(query::get).apply(items));
        } catch (ApiRequestException e) {
            return json(e.status, ApiViews.error(e.error, e.getMessage()));
        }
    }

    /** A single-object endpoint's answer: the one item, or 404. */
    private HttpResponse one(List<Map<String, Object>> items) {
        return items.isEmpty() ? notFound() : json(StatusCodes.OK, items.get(0));
    }

    private final MessageRates rates = new MessageRates();

    /**
     * Wakes the durable queues no node runs (passivated when idle) with a passive declare, so that the next
     * reports carry their figures and arguments: the definitions export needs every queue's arguments.
     */
    private CompletionStage<Void> wakePassivated(List<NodeReport> reports) {
        Map<QueueId, Located> running = runningQueuesOf(reports);
        List<CompletableFuture<?>> wakes = new ArrayList<>();
        for (String vhost : sortedVhosts()) {
            for (String q : broker.topology().table(vhost).queues()) {
                if (running.containsKey(new QueueId(vhost, q))) continue;
                wakes.add(broker.queues().declare(vhost, q, new io.warren.core.queue.QueueDefinition(vhost, q, true, false, false, Map.of()),
                        TopologyEndpoints.OWNER, true).toCompletableFuture().exceptionally(e -> null));
            }
        }
        return CompletableFuture.allOf(wakes.toArray(CompletableFuture[]::new));
    }

    /** A deleted vhost's connections, on every node, get connection.close 320 (as RabbitMQ closes them). */
    private void closeVhostConnections(String vhost) {
        String text = ReplyCodesText.forced("vhost '" + vhost + "' is deleted");
        broker.connections().closeVhost(vhost, io.warren.amqp.ReplyCodes.CONNECTION_FORCED, text);
        reports.tellAll(new NodeStats.CloseVhostConnections(vhost, text));
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
