package io.warren.it;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Operator actions a test needs (users and permissions): through Warren's management HTTP API, or, against the
 * RabbitMQ that {@code tests/rabbitmq-validate.sh} started, through its {@code rabbitmqctl} (the script exports the
 * node's name, epmd port and state directory, whose parent holds the Erlang cookie).
 */
public final class BrokerAdmin {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String httpBase;

    private BrokerAdmin(String httpBase) {
        this.httpBase = httpBase;
    }

    /** Warren's management API on this port, as guest. */
    public static BrokerAdmin http(String host, int port) {
        return new BrokerAdmin("http://" + host + ":" + port);
    }

    /** rabbitmqctl against the validation node. */
    public static BrokerAdmin rabbitmqctl() {
        return new BrokerAdmin(null);
    }

    /** Waits until the management listener accepts connections (it opens after the AMQP port). */
    public void awaitHttp(Duration timeout) {
        URI uri = URI.create(httpBase);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 500);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("management HTTP not listening on " + httpBase);
                WarrenProcess.sleep(200);
            }
        }
    }

    public void addUser(String name, String password) {
        if (httpBase == null) ctl("add_user", name, password);
        else http("PUT", "/api/users/" + enc(name), "{\"password\":\"" + password + "\",\"tags\":\"\"}");
    }

    public void deleteUser(String name) {
        if (httpBase == null) ctl("delete_user", name);
        else http("DELETE", "/api/users/" + enc(name), null);
    }

    public void setPermissions(String user, String vhost, String configure, String write, String read) {
        if (httpBase == null) {
            ctl("set_permissions", "-p", vhost, user, configure, write, read);
        } else {
            http("PUT", "/api/permissions/" + enc(vhost) + "/" + enc(user), "{\"configure\":\"" + json(configure)
                    + "\",\"write\":\"" + json(write) + "\",\"read\":\"" + json(read) + "\"}");
        }
    }

    /**
     * Sets a policy (or an operator policy) as {@code rabbitmqctl set_policy -p vhost --priority N --apply-to X name
     * pattern definition} does; {@code definition} is JSON.
     */
    public void setPolicy(boolean operator, String vhost, String name, String pattern, String definition, int priority,
                          String applyTo) {
        if (httpBase == null) {
            ctl(operator ? "set_operator_policy" : "set_policy", "-p", vhost, "--priority", String.valueOf(priority),
                    "--apply-to", applyTo, name, pattern, definition);
        } else {
            http("PUT", "/api/" + (operator ? "operator-policies/" : "policies/") + enc(vhost) + "/" + enc(name),
                    "{\"pattern\":\"" + json(pattern) + "\",\"definition\":" + definition + ",\"priority\":" + priority
                            + ",\"apply-to\":\"" + applyTo + "\"}");
        }
    }

    public void clearPolicy(boolean operator, String vhost, String name) {
        if (httpBase == null) ctl(operator ? "clear_operator_policy" : "clear_policy", "-p", vhost, name);
        else http("DELETE", "/api/" + (operator ? "operator-policies/" : "policies/") + enc(vhost) + "/" + enc(name), null);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String json(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private void http(String method, String path, String body) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(httpBase + path)).timeout(Duration.ofSeconds(20))
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("guest:guest".getBytes(StandardCharsets.UTF_8)))
                    .header("Content-Type", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                    .build();
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void ctl(String... args) {
        String node = System.getenv("RABBITMQ_NODENAME");
        String mnesia = System.getenv("RABBITMQ_MNESIA_BASE");
        if (node == null || mnesia == null) {
            throw new IllegalStateException("external mode without tests/rabbitmq-validate.sh's environment: cannot run rabbitmqctl");
        }
        List<String> command = new ArrayList<>(List.of(System.getProperty("warren.it.rabbitmqctl", "/usr/lib/rabbitmq/bin/rabbitmqctl"), "-n", node));
        command.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("HOME", Path.of(mnesia).getParent().toString());
            Process p = pb.start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " timed out");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
