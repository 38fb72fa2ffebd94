package io.warren.it.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One network namespace per cluster node, made by the test (root and {@code ip netns}), so that a test can cut a
 * node's network as a real partition would, without touching the others' processes.
 *
 * <p>Layout, one /24 per run ({@code 10.201.S.0/24}, S picked so that no address of the host is in it): a bridge in
 * the test's own namespace holds the client address {@code .1} (the test's AMQP clients connect from there) and the
 * database address {@code .254} (PostgreSQL listens there; a second address so that cutting a node from its database
 * leaves its clients connected); node N sits in namespace {@code wrn<pid>n<N>} at {@code .(10+N)}, joined to the bridge
 * by a veth pair. Everything is one link, so nothing is routed and no sysctl of the host changes.
 *
 * <p>A cut is {@code ip rule ... blackhole} on both ends (the kernel here has no iptables): the node's namespace
 * drops what it sends to the other side, and the other side drops what it sends to the node. A blackholed send fails
 * at once inside the sender ("network unreachable"), which the failover probes count as silence, not as a refusal.
 * {@link #close} removes rules, links and namespaces, also from a shutdown hook if the test JVM dies first.
 */
final class NetworkNamespaces implements AutoCloseable {
    private static final int FIRST_NODE_HOST = 10;

    private final String prefix;
    private final int subnet;
    private final int nodes;
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> links = new ArrayList<>();
    /** The blackhole rules in place: namespace (null: the test's own) and selector. */
    private final List<Rule> rules = new ArrayList<>();
    private final Thread cleanUpOnExit;
    private boolean closed;

    private record Rule(String namespace, List<String> selector, int cutNode) {}

    private NetworkNamespaces(String prefix, int subnet, int nodes) {
        this.prefix = prefix;
        this.subnet = subnet;
        this.nodes = nodes;
        this.cleanUpOnExit = new Thread(this::close, prefix + "-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanUpOnExit);
    }

    /**
     * Makes a namespace per node ({@code nodes} of them), or aborts the calling test (a JUnit assumption) with a
     * message saying why when this host cannot: not root, or {@code ip netns add} fails.
     */
    static NetworkNamespaces create(int nodes) {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "network namespaces need root (partition tests skipped)");
        String prefix = "wrn" + ProcessHandle.current().pid();
        int subnet = freeSubnet();
        String probe = prefix + "probe";
        Result added = run(null, List.of("ip", "netns", "add", probe));
        assumeTrue(added.code() == 0, () -> "cannot make a network namespace (ip netns add: " + added.output().strip()
                + "): partition tests skipped");
        run(null, List.of("ip", "netns", "del", probe));
        NetworkNamespaces network = new NetworkNamespaces(prefix, subnet, nodes);
        try {
            network.build();
            return network;
        } catch (RuntimeException | Error e) {
            network.close();
            throw e;
        }
    }

    private void build() {
        String bridge = prefix + "br";
        must(null, "ip", "link", "add", bridge, "type", "bridge");
        links.add(bridge);
        must(null, "ip", "addr", "add", clientAddress() + "/24", "dev", bridge);
        must(null, "ip", "addr", "add", databaseAddress() + "/24", "dev", bridge);
        must(null, "ip", "link", "set", bridge, "up");
        for (int n = 1; n <= nodes; n++) {
            String namespace = namespace(n);
            String outside = prefix + "h" + n;
            String inside = prefix + "v" + n;
            must(null, "ip", "netns", "add", namespace);
            namespaces.add(namespace);
            must(null, "ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
            links.add(outside);
            must(null, "ip", "link", "set", inside, "netns", namespace);
            must(null, "ip", "link", "set", outside, "master", bridge);
            must(null, "ip", "link", "set", outside, "up");
            must(namespace, "ip", "link", "set", "lo", "up");
            must(namespace, "ip", "addr", "add", nodeAddress(n) + "/24", "dev", inside);
            must(namespace, "ip", "link", "set", inside, "up");
        }
    }

    /** Where node {@code n} (1-based) listens, inside its namespace. */
    String nodeAddress(int n) {
        return "10.201." + subnet + "." + (FIRST_NODE_HOST + n);
    }

    /** The test's side of the bridge: its AMQP clients connect from here. */
    String clientAddress() {
        return "10.201." + subnet + ".1";
    }

    /** Where PostgreSQL listens for the nodes (in the test's namespace, on the bridge). */
    String databaseAddress() {
        return "10.201." + subnet + ".254";
    }

    /** The whole run's network, for PostgreSQL's pg_hba.conf. */
    String network() {
        return "10.201." + subnet + ".0/24";
    }

    /** What starts a process of node {@code n} inside its namespace (ip netns exec execs it in place). */
    List<String> launchPrefix(int n) {
        return List.of("ip", "netns", "exec", namespace(n));
    }

    /** Node {@code n} and every other node stop hearing each other (both directions); clients and database unaffected. */
    synchronized void cutFromPeers(int n) {
        for (int peer = 1; peer <= nodes; peer++) {
            if (peer == n) continue;
            addRule(namespace(n), List.of("to", nodeAddress(peer) + "/32"), n);
            addRule(namespace(peer), List.of("to", nodeAddress(n) + "/32"), n);
        }
    }

    /**
     * Nodes {@code n} and {@code peer} stop hearing each other (both directions); both still hear the other nodes,
     * their clients and the database. {@link #heal}({@code n}) undoes it.
     */
    synchronized void cutBetween(int n, int peer) {
        addRule(namespace(n), List.of("to", nodeAddress(peer) + "/32"), n);
        addRule(namespace(peer), List.of("to", nodeAddress(n) + "/32"), n);
    }

    /**
     * Node {@code from} can no longer open TCP connections to node {@code n}'s {@code port} (what it sends to that port
     * is dropped), while everything else between the two still flows: node {@code n} still connects to node
     * {@code from}, and gets answers. {@link #heal}({@code n}) undoes it.
     */
    synchronized void blockConnections(int from, int n, int port) {
        addRule(namespace(from), List.of("to", nodeAddress(n) + "/32", "ipproto", "tcp", "dport", String.valueOf(port)), n);
    }

    /** Node {@code n} and PostgreSQL stop hearing each other (both directions); its AMQP clients stay connected. */
    synchronized void cutFromDatabase(int n) {
        addRule(namespace(n), List.of("to", databaseAddress() + "/32"), n);
        // In the test's namespace only what PostgreSQL sends is dropped: the clients' address stays reachable.
        addRule(null, List.of("from", databaseAddress() + "/32", "to", nodeAddress(n) + "/32"), n);
    }

    /** Removes every cut made for node {@code n}. */
    synchronized void heal(int n) {
        List<Rule> healed = rules.stream().filter(r -> r.cutNode() == n).toList();
        for (Rule rule : healed) {
            List<String> command = ruleCommand(rule, "del");
            must(rule.namespace(), command.toArray(String[]::new));
            rules.remove(rule);
        }
    }

    /** The blackhole rules in place, for failure messages. */
    synchronized String describeCuts() {
        return rules.isEmpty() ? "no cuts" : rules.stream()
                .map(r -> (r.namespace() == null ? "test" : r.namespace()) + ": " + String.join(" ", r.selector()))
                .reduce((a, b) -> a + "; " + b).orElse("");
    }

    private void addRule(String namespace, List<String> selector, int cutNode) {
        Rule rule = new Rule(namespace, selector, cutNode);
        must(namespace, ruleCommand(rule, "add").toArray(String[]::new));
        rules.add(rule);
    }

    private static List<String> ruleCommand(Rule rule, String verb) {
        List<String> command = new ArrayList<>(List.of("ip", "rule", verb));
        command.addAll(rule.selector());
        command.add("blackhole");
        return command;
    }

    private String namespace(int n) {
        return prefix + "n" + n;
    }

    /** Removes the rules, the links (a veth goes with its peer) and the namespaces; safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (Rule rule : rules) run(rule.namespace(), ruleCommand(rule, "del"));
        rules.clear();
        for (String link : links) run(null, List.of("ip", "link", "del", link));
        for (String namespace : namespaces) run(null, List.of("ip", "netns", "del", namespace));
        try {
            Runtime.getRuntime().removeShutdownHook(cleanUpOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is this call, or about to run it: nothing to remove
        }
    }

    @Override
    public String toString() {
        return "namespaces " + prefix + "n1.." + nodes + " on " + network();
    }

    /** A /24 of 10.201.0.0/16 that no address of this host is in (another run's, an earlier leftover). */
    private static int freeSubnet() {
        String used = run(null, List.of("ip", "-4", "-o", "addr", "show")).output();
        int start = (int) (ProcessHandle.current().pid() % 200) + 20;
        for (int k = 0; k < 200; k++) {
            int candidate = 20 + (start - 20 + k) % 200;
            if (!used.contains(" 10.201." + candidate + ".")) return candidate;
        }
        throw new IllegalStateException("no free /24 in 10.201.0.0/16");
    }

    private record Result(int code, String output) {}

    private static void must(String namespace, String... command) {
        Result result = run(namespace, List.of(command));
        if (result.code() != 0) {
            throw new IllegalStateException((namespace == null ? "" : "[" + namespace + "] ") + String.join(" ", command)
                    + " failed (" + result.code() + "): " + result.output().strip());
        }
    }

    private static Result run(String namespace, List<String> command) {
        List<String> full = new ArrayList<>();
        if (namespace != null && command.get(0).equals("ip")) {
            full.addAll(List.of("ip", "-n", namespace));
            full.addAll(command.subList(1, command.size()));
        } else {
            full.addAll(command);
        }
        try {
            Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
