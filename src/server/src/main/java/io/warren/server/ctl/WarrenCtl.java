package io.warren.server.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bin/warren ctl}: rabbitmqctl's commands, names and output shapes, talking to a node's management HTTP API.
 * Exit codes as rabbitmqctl's: 0 ok, 64 bad usage, 69 node unreachable, 70 the operation failed; the message says why.
 */
public final class WarrenCtl {
    static final int OK = 0, USAGE = 64, UNAVAILABLE = 69, FAILED = 70;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final PrintStream err;
    private String baseUrl;
    private String user = "guest";
    private String password = "guest";
    private String vhost = "/";
    private boolean quiet;
    private boolean headers = true;
    private int timeoutSeconds = 60;
    /** set_policy / set_operator_policy options, rabbitmqctl's defaults. */
    private String priority = "0", applyTo = "all";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    WarrenCtl(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.baseUrl = env.getOrDefault("WARREN_CTL_URL", "http://localhost:15672");
        this.user = env.getOrDefault("WARREN_CTL_USER", user);
        this.password = env.getOrDefault("WARREN_CTL_PASSWORD", password);
    }

    public static void main(String[] args) {
        System.exit(new WarrenCtl(System.out, System.err, System.getenv()).run(args));
    }

    /** Thrown to end a command with an exit code and a message. */
    static class Failure extends RuntimeException {
        final int code;

        Failure(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    int run(String[] argv) {
        if (List.of(argv).contains("--help") || List.of(argv).contains("help")) {
            out.println(usage());
            return OK;
        }
        try {
            List<String> args = options(argv);
            if (args.isEmpty()) throw new Failure(USAGE, usage());
            String command = args.get(0);
            List<String> rest = args.subList(1, args.size());
            command(command, rest);
            return OK;
        } catch (Failure f) {
            err.println(f.code == USAGE ? f.getMessage() : "Error: " + f.getMessage());
            return f.code;
        }
    }

    private List<String> options(String[] argv) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            switch (a) {
                case "-p", "--vhost" -> vhost = value(argv, ++i, a);
                case "--url" -> baseUrl = value(argv, ++i, a);
                case "--username" -> user = value(argv, ++i, a);
                case "--password" -> password = value(argv, ++i, a);
                case "-q", "--quiet" -> quiet = true;
                case "-s", "--silent" -> { quiet = true; headers = false; }
                case "--no-table-headers" -> headers = false;
                case "-t", "--timeout" -> timeoutSeconds = Integer.parseInt(value(argv, ++i, a));
                // rabbitmqctl's node name: the URL picks the node here, so the name is accepted and not used
                // (scripts and test suites written for rabbitmqctl always pass it).
                case "-n", "--node" -> value(argv, ++i, a);
                case "--priority" -> priority = value(argv, ++i, a);
                case "--apply-to" -> applyTo = value(argv, ++i, a);
                default -> args.add(a);
            }
        }
        return args;
    }

    private static String value(String[] argv, int i, String option) {
        if (i >= argv.length) throw new Failure(USAGE, "option " + option + " needs a value");
        return argv[i];
    }

    private void command(String command, List<String> a) {
        switch (command) {
            case "list_queues" -> list("queues for vhost " + vhost, "/api/queues/" + enc(vhost), a, List.of("name", "messages"), Map.of());
            case "list_exchanges" -> list("exchanges for vhost " + vhost, "/api/exchanges/" + enc(vhost), a, List.of("name", "type"), Map.of());
            case "list_bindings" -> list("bindings for vhost " + vhost, "/api/bindings/" + enc(vhost), a,
                    List.of("source_name", "source_kind", "destination_name", "destination_kind", "routing_key", "arguments"),
                    Map.of("source_name", "source", "destination_name", "destination", "destination_kind", "destination_type"));
            case "list_connections" -> list("connections", "/api/connections", a, List.of("user", "peer_host", "peer_port", "state"),
                    Map.of("pid", "name"));
            case "list_users" -> list("users", "/api/users", a, List.of("user", "tags"), Map.of("user", "name"));
            case "list_vhosts" -> list("vhosts", "/api/vhosts", a, List.of("name"), Map.of());
            case "list_permissions" -> list("permissions for vhost " + vhost, "/api/vhosts/" + enc(vhost) + "/permissions", a,
                    List.of("user", "configure", "write", "read"), Map.of());
            case "set_policy", "set_operator_policy" -> {
                boolean operator = command.equals("set_operator_policy");
                args(a, 3, command + " [-p <vhost>] [--priority <priority>] [--apply-to <apply-to>] <name> <pattern> <definition>");
                info("Setting " + (operator ? "operator policy override" : "policy") + " \"" + a.get(0) + "\" for pattern \""
                        + a.get(1) + "\" to \"" + a.get(2) + "\" with priority \"" + priority + "\" for vhost \"" + vhost + "\" ...");
                JsonNode definition;
                try {
                    definition = JSON.readTree(a.get(2));
                } catch (java.io.IOException e) {
                    throw new Failure(FAILED, "could not parse JSON document: " + a.get(2));
                }
                ObjectNode body = JSON.createObjectNode().put("pattern", a.get(1)).put("apply-to", applyTo);
                body.set("definition", definition);
                try {
                    body.put("priority", Integer.parseInt(priority));
                } catch (NumberFormatException e) {
                    throw new Failure(USAGE, "--priority must be an integer: " + priority);
                }
                send("PUT", policyPath(operator, a.get(0)), body, Map.of());
            }
            case "clear_policy", "clear_operator_policy" -> {
                boolean operator = command.equals("clear_operator_policy");
                args(a, 1, command + " [-p <vhost>] <name>");
                info("Clearing " + (operator ? "operator policy" : "policy") + " \"" + a.get(0) + "\" on vhost \"" + vhost + "\" ...");
                notFoundMeans("Parameter does not exist", () -> send("DELETE", policyPath(operator, a.get(0)), null, Map.of()));
            }
            case "list_policies", "list_operator_policies" -> {
                boolean operator = command.equals("list_operator_policies");
                list((operator ? "operator policy overrides" : "policies") + " for vhost \"" + vhost + "\"",
                        "/api/" + (operator ? "operator-policies/" : "policies/") + enc(vhost), a,
                        List.of("vhost", "name", "pattern", "apply-to", "definition", "priority"), Map.of());
            }
            case "list_channels" -> list("channels", "/api/channels", a,
                    List.of("pid", "user", "consumer_count", "messages_unacknowledged"), Map.of("pid", "name"));
            case "list_consumers" -> list("consumers in vhost " + vhost, "/api/consumers/" + enc(vhost), a,
                    List.of("queue_name", "channel_pid", "consumer_tag", "ack_required", "prefetch_count", "active", "arguments"),
                    Map.of("queue_name", "queue.name", "channel_pid", "channel_details.name"));
            case "stop_app", "start_app" -> throw new Failure(FAILED, command + " is not supported: a Warren node has no "
                    + "stopped-application state; restart the node with bin/warren stop and bin/warren start");
            case "close_connection" -> {
                args(a, 2, "close_connection <connection name> <explanation>");
                info("Closing connection " + a.get(0) + ", reason: " + a.get(1) + "...");
                send("DELETE", "/api/connections/" + enc(a.get(0)), null, Map.of("X-Reason", a.get(1)));
            }
            case "close_all_connections" -> {
                args(a, 1, "close_all_connections <explanation>");
                info("Closing all connections, reason: " + a.get(0) + "...");
                for (JsonNode c : send("GET", "/api/connections", null, Map.of())) {
                    String name = c.get("name").asText();
                    try {
                        send("DELETE", "/api/connections/" + enc(name), null, Map.of("X-Reason", a.get(0)));
                    } catch (NotFound gone) {
                        // closed by its client meanwhile
                    }
                }
            }
            case "delete_queue" -> {
                List<String> names = a.stream().filter(x -> !x.startsWith("--")).toList();
                args(names, 1, "delete_queue <queue_name> [--if-empty|-e] [--if-unused|-u]");
                boolean ifEmpty = a.contains("--if-empty") || a.contains("-e");
                boolean ifUnused = a.contains("--if-unused") || a.contains("-u");
                info("Deleting queue '" + names.get(0) + "' on vhost '" + vhost + "' ...");
                send("DELETE", "/api/queues/" + enc(vhost) + "/" + enc(names.get(0)) + "?if-empty=" + ifEmpty + "&if-unused=" + ifUnused, null, Map.of());
            }
            case "purge_queue" -> {
                args(a, 1, "purge_queue <queue>");
                info("Purging queue '" + a.get(0) + "' in vhost '" + vhost + "' ...");
                send("DELETE", "/api/queues/" + enc(vhost) + "/" + enc(a.get(0)) + "/contents", null, Map.of());
            }
            case "add_user" -> {
                args(a, 2, "add_user <username> <password>");
                info("Adding user \"" + a.get(0) + "\" ...");
                if (exists("/api/users/" + enc(a.get(0)))) throw new Failure(FAILED, "user_already_exists: " + a.get(0));
                ObjectNode body = JSON.createObjectNode().put("password", a.get(1)).put("tags", "");
                send("PUT", "/api/users/" + enc(a.get(0)), body, Map.of());
            }
            case "delete_user" -> {
                args(a, 1, "delete_user <username>");
                info("Deleting user \"" + a.get(0) + "\" ...");
                notFoundMeans("user_not_found: " + a.get(0), () -> send("DELETE", "/api/users/" + enc(a.get(0)), null, Map.of()));
            }
            case "change_password" -> {
                args(a, 2, "change_password <username> <password>");
                info("Changing password for user \"" + a.get(0) + "\" ...");
                JsonNode u = userOrFail(a.get(0));
                ObjectNode body = JSON.createObjectNode().put("password", a.get(1));
                body.set("tags", u.get("tags"));
                send("PUT", "/api/users/" + enc(a.get(0)), body, Map.of());
            }
            case "set_user_tags" -> {
                if (a.isEmpty()) throw new Failure(USAGE, "Usage: set_user_tags <username> <tag> [...]");
                info("Setting tags for user \"" + a.get(0) + "\" to [" + String.join(", ", a.subList(1, a.size())) + "] ...");
                userOrFail(a.get(0));
                ObjectNode body = JSON.createObjectNode().put("tags", String.join(",", a.subList(1, a.size())));
                send("PUT", "/api/users/" + enc(a.get(0)), body, Map.of());
            }
            case "set_permissions" -> {
                args(a, 4, "set_permissions [-p <vhost>] <username> <conf> <write> <read>");
                info("Setting permissions for user \"" + a.get(0) + "\" in vhost \"" + vhost + "\" ...");
                ObjectNode body = JSON.createObjectNode().put("configure", a.get(1)).put("write", a.get(2)).put("read", a.get(3));
                send("PUT", "/api/permissions/" + enc(vhost) + "/" + enc(a.get(0)), body, Map.of());
            }
            case "clear_permissions" -> {
                args(a, 1, "clear_permissions [-p <vhost>] <username>");
                info("Clearing permissions for user \"" + a.get(0) + "\" in vhost \"" + vhost + "\" ...");
                notFoundMeans("no permissions for user '" + a.get(0) + "' in vhost '" + vhost + "'",
                        () -> send("DELETE", "/api/permissions/" + enc(vhost) + "/" + enc(a.get(0)), null, Map.of()));
            }
            case "add_vhost" -> {
                args(a, 1, "add_vhost <vhost>");
                info("Adding vhost \"" + a.get(0) + "\" ...");
                send("PUT", "/api/vhosts/" + enc(a.get(0)), JSON.createObjectNode(), Map.of());
            }
            case "delete_vhost" -> {
                args(a, 1, "delete_vhost <vhost>");
                info("Deleting vhost \"" + a.get(0) + "\" ...");
                notFoundMeans("vhost_not_found: " + a.get(0), () -> send("DELETE", "/api/vhosts/" + enc(a.get(0)), null, Map.of()));
            }
            case "cluster_status" -> clusterStatus();
            case "await_startup" -> awaitStartup();
            default -> throw new Failure(USAGE, "Error: unknown command '" + command + "'\n" + usage());
        }
    }

    // ---------------------------------------------------------------- commands with output

    private void list(String what, String path, List<String> requested, List<String> defaults, Map<String, String> fieldOf) {
        List<String> columns = requested.isEmpty() ? defaults : requested;
        info("Listing " + what + " ...");
        JsonNode rows = send("GET", path, null, Map.of());
        if (headers) out.println(String.join("\t", columns));
        for (JsonNode row : rows) {
            List<String> cells = new ArrayList<>();
            for (String c : columns) {
                if (c.equals("source_kind")) {
                    cells.add("exchange");
                    continue;
                }
                JsonNode v = row;
                for (String step : fieldOf.getOrDefault(c, c).split("\\.")) v = v == null ? null : v.get(step);
                if (v == null) throw new Failure(USAGE, "Invalid column: " + c);
                // rabbitmqctl prints a policy's definition as JSON, other tables (client_properties) as Erlang terms
                cells.add(c.equals("definition") ? v.toString() : cell(v));
            }
            out.println(String.join("\t", cells));
        }
    }

    private static String cell(JsonNode v) {
        if (v.isNull()) return "";
        if (v.isTextual()) return v.asText();
        if (v.isObject()) return erlangTable(v);
        if (v.isArray()) {
            List<String> parts = new ArrayList<>();
            v.forEach(x -> parts.add(x.asText()));
            return "[" + String.join(", ", parts) + "]";
        }
        return v.toString();
    }

    /** A table as rabbitmqctl prints one, e.g. client_properties: [{"product","x"},{"capabilities",[{"a",true}]}]. */
    static String erlangTable(JsonNode table) {
        List<String> entries = new ArrayList<>();
        table.fields().forEachRemaining(e -> entries.add("{" + JSON.valueToTree(e.getKey()) + "," + erlangValue(e.getValue()) + "}"));
        return "[" + String.join(",", entries) + "]";
    }

    private static String erlangValue(JsonNode v) {
        if (v.isObject()) return erlangTable(v);
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            v.forEach(x -> items.add(erlangValue(x)));
            return "[" + String.join(",", items) + "]";
        }
        return v.toString();
    }

    private void clusterStatus() {
        info("Cluster status of node " + baseUrl + " ...");
        JsonNode nodes = send("GET", "/api/nodes", null, Map.of());
        JsonNode overview = send("GET", "/api/overview", null, Map.of());
        out.println("Basics");
        out.println();
        out.println("Cluster name: " + overview.path("cluster_name").asText());
        out.println();
        out.println("Disk Nodes");
        out.println();
        nodes.forEach(n -> out.println(n.get("name").asText()));
        out.println();
        out.println("Running Nodes");
        out.println();
        nodes.forEach(n -> {
            if (n.path("running").asBoolean()) out.println(n.get("name").asText());
        });
        out.println();
        out.println("Versions");
        out.println();
        out.println(overview.path("node").asText() + ": Warren version " + overview.path("product_version").asText());
    }

    private void awaitStartup() {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        while (true) {
            try {
                send("GET", "/api/overview", null, Map.of());
                return;
            } catch (Failure f) {
                if (f.code != UNAVAILABLE || System.nanoTime() > deadline) {
                    throw f.code == UNAVAILABLE ? new Failure(UNAVAILABLE, "node at " + baseUrl + " did not start within "
                            + timeoutSeconds + " s") : f;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new Failure(FAILED, "interrupted");
                }
            }
        }
    }

    // ---------------------------------------------------------------- HTTP

    private JsonNode userOrFail(String name) {
        JsonNode[] u = new JsonNode[1];
        notFoundMeans("user_not_found: " + name, () -> u[0] = send("GET", "/api/users/" + enc(name), null, Map.of()));
        return u[0];
    }

    private boolean exists(String path) {
        try {
            send("GET", path, null, Map.of());
            return true;
        } catch (NotFound e) {
            return false;
        }
    }

    private static final class NotFound extends Failure {
        NotFound(String message) {
            super(FAILED, message);
        }
    }

    private void notFoundMeans(String message, Runnable r) {
        try {
            r.run();
        } catch (NotFound e) {
            throw new Failure(FAILED, message);
        }
    }

    private JsonNode send(String method, String path, JsonNode body, Map<String, String> extraHeaders) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(timeoutSeconds))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json");
        extraHeaders.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failure(UNAVAILABLE, "cannot reach Warren's management API at " + baseUrl + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); is the node running with management enabled?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(FAILED, "interrupted");
        }
        if (r.statusCode() == 404) throw new NotFound(method + " " + path + ": not found");
        if (r.statusCode() / 100 != 2) {
            String reason = r.body();
            try {
                JsonNode j = JSON.readTree(r.body());
                if (j.has("reason")) reason = j.get("reason").asText();
            } catch (IOException ignored) {
                // not JSON: show the body as it is
            }
            throw new Failure(FAILED, reason + " (HTTP " + r.statusCode() + ")");
        }
        try {
            return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new Failure(FAILED, "unexpected answer from " + path + ": " + e.getMessage());
        }
    }

    private void info(String line) {
        if (!quiet) out.println(line);
    }

    private String policyPath(boolean operator, String name) {
        return "/api/" + (operator ? "operator-policies/" : "policies/") + enc(vhost) + "/" + enc(name);
    }

    private static void args(List<String> a, int n, String usage) {
        if (a.size() != n) throw new Failure(USAGE, "Usage: bin/warren ctl " + usage);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String usage() {
        return """
                Usage: bin/warren ctl [--url http://host:15672] [--username U] [--password P] [-p vhost] [-q] [-s]
                                      [--no-table-headers] [-t seconds] <command> [arguments]
                Commands (rabbitmqctl's names and output):
                  list_queues [column ...]          list_exchanges [column ...]      list_bindings [column ...]
                  list_connections [column ...]     list_users                       list_vhosts
                  list_permissions                  list_channels [column ...]       list_consumers [column ...]
                  close_connection <name> <explanation>
                  close_all_connections <explanation>
                  delete_queue <name> [--if-empty] [--if-unused]                    purge_queue <name>
                  add_user <name> <password>        delete_user <name>               change_password <name> <password>
                  set_user_tags <name> [tag ...]    set_permissions <user> <conf> <write> <read>
                  clear_permissions <user>          add_vhost <name>                 delete_vhost <name>
                  cluster_status                    await_startup
                  set_policy [--priority N] [--apply-to queues|exchanges|all] <name> <pattern> <definition>
                  clear_policy <name>               list_policies
                  set_operator_policy [--priority N] [--apply-to X] <name> <pattern> <definition>
                  clear_operator_policy <name>      list_operator_policies
                -n <node> is accepted for rabbitmqctl's sake and ignored: --url picks the node.
                Environment: WARREN_CTL_URL, WARREN_CTL_USER, WARREN_CTL_PASSWORD (defaults http://localhost:15672, guest, guest).
                Exit codes: 0 ok, 64 usage, 69 node unreachable, 70 operation failed.""";
    }
}
