package io.warren.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks each warren.* key and collects every problem, so that one failed start shows them all.
 * Each check reads a key at most once and turns a type error into a message that names the key.
 */
final class ConfigValidator {

    static final int MIN_FRAME_MAX = 4096; // AMQP 0-9-1 frame-min-size
    static final long MAX_MESSAGE_SIZE_LIMIT = 536_870_912L; // RabbitMQ's hard cap (512 MiB)
    static final String PORT_RANGE = "(1-65535, or 0 for any free port)";
    private static final Set<String> USER_KEYS = Set.of("name", "password", "vhosts", "tags");
    private static final Pattern SEED_NODE = Pattern.compile(
            "pekko://warren@(\\[[0-9A-Fa-f:.]+\\]|[^\\s:@/\\[\\]]+):([0-9]{1,5})");
    private static final Pattern PLAIN_TOKEN = Pattern.compile("[A-Za-z0-9._:/+-]+");
    private static final ConfigRenderOptions CONCISE = ConfigRenderOptions.concise();

    private final Config config;
    private final Config reference;
    private final List<ConfigProblem> problems = new ArrayList<>();
    private Config normalized;
    private final Set<String> nonObjectSections = new HashSet<>();
    /** Keys a specific check has looked at; the rest get a type check against their default. */
    private final Set<String> checked = new HashSet<>();
    private static final Pattern DURATION = Pattern.compile(
            "\\s*[0-9]+(\\.[0-9]+)?\\s*(ns|nanos?|nanoseconds?|us|micros?|microseconds?|ms|millis?|milliseconds?|"
                    + "s|seconds?|m|minutes?|h|hours?|d|days?)\\s*");

    ConfigValidator(Config config, Config reference) {
        this.config = config;
        this.reference = reference;
        this.normalized = config;
    }

    ServerConfig validate() {
        if (!config.hasPath("warren") || config.getValue("warren").valueType() != ConfigValueType.OBJECT) {
            throw new InvalidConfigException(List.of(new ConfigProblem("warren",
                    "missing: no warren section (is warren-broker's reference.conf on the classpath?)")));
        }
        unknownKeys();

        String nodeName = string("warren.node-name", true).orElse("");
        if (nodeName.chars().anyMatch(Character::isWhitespace)) {
            problem("warren.node-name", quoted(nodeName) + " contains whitespace");
        }
        Path dataDir = dataDir();

        String amqpHost = host("warren.amqp.host");
        Integer amqpPort = port("warren.amqp.port");
        bytes("warren.amqp.frame-max", MIN_FRAME_MAX, Integer.MAX_VALUE,
                "is below the AMQP minimum frame size " + MIN_FRAME_MAX);
        intInRange("warren.amqp.channel-max", 1, 65535, "is not a channel count (1-65535)");
        heartbeat();
        positiveDuration("warren.amqp.handshake-timeout");
        nonNegativeDuration("warren.amqp.consumer-timeout", "0s turns the consumer timeout off");
        bytes("warren.amqp.socket-buffer-size", 0, Integer.MAX_VALUE, "is not a socket buffer size (0 = the kernel's)");
        bytes("warren.amqp.max-message-size", 1, MAX_MESSAGE_SIZE_LIMIT,
                "is not a message size (1 byte to 512MiB, RabbitMQ's limit)");

        List<String> vhosts = vhosts();
        users(vhosts);
        memoryHighWatermark();

        boolean managementEnabled = bool("warren.management.enabled").orElse(false);
        String managementHost = host("warren.management.host");
        Integer managementPort = port("warren.management.port");
        boolean amqps = bool("warren.amqp.tls.enabled").orElse(false);
        Integer amqpsPort = port("warren.amqp.tls.port");
        boolean https = bool("warren.management.tls.enabled").orElse(false) && managementEnabled;
        pekkoManagement();
        boolean verifyPeer = tls(amqps || https);
        access(amqps && verifyPeer);

        ServerConfig.Backend backend = backend();
        postgres(backend);
        intInRange("warren.persistence.snapshot-every", 1, Integer.MAX_VALUE, "must be at least 1");
        positiveDuration("warren.persistence.journal-alarm-after");
        nonNegativeDuration("warren.persistence.confirm-timeout", "0s waits for confirms as long as it takes");
        intInRange("warren.persistence.settled-ids.max", 0, Integer.MAX_VALUE, "must be 0 (off) or more");
        nonNegativeDuration("warren.persistence.settled-ids.max-age", "0s forgets a settled id at once");

        seedNodes();
        intInRange("warren.cluster.min-nr-of-members", 1, Integer.MAX_VALUE, "must be at least 1");
        String remoteHost = host("warren.cluster.remote-host");
        Integer remotePort = port("warren.cluster.remote-port");
        positiveDuration("warren.cluster.failover.probe-interval");
        positiveDuration("warren.cluster.failover.probe-timeout");
        intInRange("warren.cluster.failover.refusals-to-down", 1, 100, "must be 1 to 100");
        nonNegativeDuration("warren.cluster.failover.crash-removal-margin", "0s removes a downed crashed member at once");
        positiveDuration("warren.cluster.failover.minority-exit-after");
        positiveDuration("warren.cluster.failover.alone-exit-after");
        positiveDuration("warren.cluster.first-seed-forms-after");
        positiveDuration("warren.cluster.failover.retry-interval");
        nonNegativeDuration("warren.cluster.failover.unrequested-shard-delay", "0s allocates shards in request order");
        positiveDuration("warren.persistence.postgres.lock-timeout");
        positiveDuration("warren.persistence.postgres.idle-in-transaction-timeout");

        Map<String, Listener> listeners = new LinkedHashMap<>();
        listeners.put("warren.amqp.port", new Listener(amqpHost, amqpPort));
        if (amqps) {
            listeners.put("warren.amqp.tls.port", new Listener(amqpHost, amqpsPort));
        }
        if (managementEnabled) {
            listeners.put("warren.management.port", new Listener(managementHost, managementPort));
        }
        listeners.put("warren.cluster.remote-port", new Listener(remoteHost, remotePort));
        portClashes(listeners);
        keysWithoutOwnCheck();

        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new ServerConfig(nodeName, dataDir, amqpHost, amqpPort, backend, normalized);
    }

    /**
     * A key the broker added to reference.conf that no check here knows yet still gets its type checked
     * against its default, so that a wrong type fails at startup with the key's name and not deep in the broker.
     */
    private void keysWithoutOwnCheck() {
        if (!reference.hasPath("warren")) {
            return;
        }
        Config defaults = reference.getConfig("warren");
        for (var entry : defaults.entrySet()) {
            String key = "warren." + entry.getKey();
            if (checked.contains(key) || key.startsWith("warren.internal.") || key.equals("warren.users")
                    || !present(key)) {
                continue;
            }
            ConfigValue def = entry.getValue();
            try {
                switch (def.valueType()) {
                    case NUMBER -> config.getDouble(key);
                    case BOOLEAN -> config.getBoolean(key);
                    case LIST -> config.getList(key);
                    case STRING -> {
                        if (DURATION.matcher((String) def.unwrapped()).matches()) {
                            config.getDuration(key);
                        } else {
                            readStringOrThrow(key);
                        }
                    }
                    default -> { }
                }
            } catch (ConfigException e) {
                String expected = def.valueType() == ConfigValueType.STRING
                        && DURATION.matcher((String) def.unwrapped()).matches()
                        ? "a duration (e.g. 60s, 500ms)" : "a " + def.valueType().name().toLowerCase(java.util.Locale.ROOT)
                        + " like the default " + def.render(CONCISE);
                problem(key, render(key) + " is not " + expected);
            }
        }
    }

    private void readStringOrThrow(String key) {
        ConfigValue value = config.getValue(key);
        if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
            throw new ConfigException.WrongType(value.origin(), key, "string", value.valueType().name());
        }
    }

    // ---- keys ------------------------------------------------------------------------------------------

    /** A key that is not in reference.conf is almost always a typo: say so rather than ignore it. */
    private void unknownKeys() {
        if (!reference.hasPath("warren")) {
            return; // nothing to compare against; "missing" problems will say why
        }
        Set<String> known = new HashSet<>();
        reference.getConfig("warren").entrySet().forEach(e -> known.add("warren." + e.getKey()));
        for (var entry : config.getConfig("warren").entrySet()) {
            String path = "warren." + entry.getKey();
            if (known.contains(path) || isInsideKnownLeaf(path, known) || isAboveKnownKey(path, known)) {
                continue;
            }
            String suggestion = closest(path, known).map(k -> " (did you mean " + k + "?)").orElse("");
            problem(path, "unknown key" + suggestion);
        }
    }

    /** A path below a key whose default is a leaf, e.g. an object where a list is expected: a type problem, reported there. */
    private static boolean isInsideKnownLeaf(String path, Set<String> known) {
        for (String k : known) {
            if (path.startsWith(k + ".")) {
                return true;
            }
        }
        return false;
    }

    /** warren.amqp = 5: a section replaced by a value, reported by the checks of the keys it hides. */
    private static boolean isAboveKnownKey(String path, Set<String> known) {
        return known.stream().anyMatch(k -> k.startsWith(path + "."));
    }

    private static Optional<String> closest(String path, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = editDistance(path, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= 3 ? Optional.of(best) : Optional.empty();
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    private Path dataDir() {
        Optional<String> dir = string("warren.data-dir", false);
        if (dir.isEmpty()) {
            return Path.of("data").toAbsolutePath();
        }
        try {
            return Path.of(dir.get()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            problem("warren.data-dir", quoted(dir.get()) + " is not a path: " + e.getReason());
            return Path.of("data").toAbsolutePath();
        }
    }

    private void heartbeat() {
        String key = "warren.amqp.heartbeat";
        duration(key).ifPresent(d -> {
            if (d.isNegative()) {
                problem(key, render(key) + " is negative (0s disables heartbeats)");
            } else if (d.toNanos() % 1_000_000_000L != 0) {
                problem(key, render(key) + " is not a whole number of seconds (AMQP negotiates seconds)");
            } else if (d.getSeconds() > 65535) {
                problem(key, render(key) + " is longer than AMQP allows (65535s)");
            } else {
                normalize(key, d.getSeconds() + "s");
            }
        });
    }

    private void positiveDuration(String key) {
        duration(key).ifPresent(d -> {
            if (d.isNegative() || d.isZero()) {
                problem(key, render(key) + " must be longer than zero");
            }
        });
    }

    private void nonNegativeDuration(String key, String zeroMeans) {
        duration(key).ifPresent(d -> {
            if (d.isNegative()) {
                problem(key, render(key) + " is negative (" + zeroMeans + ")");
            }
        });
    }

    private List<String> vhosts() {
        String key = "warren.vhosts";
        Optional<List<String>> read = stringList(key);
        if (read.isEmpty()) {
            return null;
        }
        List<String> vhosts = read.get();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < vhosts.size(); i++) {
            String vhost = vhosts.get(i);
            if (vhost.isEmpty() || vhost.length() > 255) {
                problem(key + "[" + i + "]", quoted(vhost) + " is not a vhost name (1-255 characters)");
            } else if (!seen.add(vhost)) {
                problem(key + "[" + i + "]", quoted(vhost) + " is listed twice");
            }
        }
        return vhosts;
    }

    /** @param vhosts the configured vhosts, null when they are unreadable (and so already reported) */
    private void users(List<String> vhosts) {
        String key = "warren.users";
        if (!present(key)) {
            return;
        }
        ConfigValue value = config.getValue(key);
        if (!(value instanceof ConfigList list)) {
            problem(key, render(key) + " is not a list of users");
            return;
        }
        List<Object> complete = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            String at = key + "[" + i + "]";
            if (!(list.get(i) instanceof ConfigObject entry)) {
                problem(at, list.get(i).render(CONCISE)
                        + " is not a user (expected { name, password, vhosts, tags })" + origin(list.get(i)));
                continue;
            }
            Map<String, Object> user = user(at, entry.toConfig(), entry, vhosts);
            if (user == null) {
                continue;
            }
            if (!names.add((String) user.get("name"))) {
                problem(at + ".name", quoted((String) user.get("name")) + " is listed twice");
            }
            complete.add(user);
        }
        normalized = normalized.withValue(key, ConfigValueFactory.fromIterable(complete));
    }

    /** One user entry with vhosts (all) and tags (none) filled in, or null when it is malformed. */
    private Map<String, Object> user(String at, Config entry, ConfigObject object, List<String> vhosts) {
        int before = problems.size();
        for (String k : object.keySet()) {
            if (!USER_KEYS.contains(k)) {
                String suggestion = USER_KEYS.stream().filter(u -> editDistance(u, k) <= 2).findFirst()
                        .map(u -> " (did you mean " + u + "?)").orElse("");
                problem(at + "." + k, "unknown key" + suggestion + origin(object.get(k)));
            }
        }
        String name = entryString(at, entry, "name");
        String password = entryString(at, entry, "password");
        if (name != null && name.isEmpty()) {
            problem(at + ".name", "must not be empty");
        }
        if (password != null && password.isEmpty()) {
            problem(at + ".password", "must not be empty (RabbitMQ refuses blank passwords too)");
        }
        // no vhosts key: every configured vhost, as the broker reads it
        List<String> userVhosts = entry.hasPath("vhosts") || vhosts == null
                ? entryStringList(at, entry, "vhosts") : vhosts;
        for (String v : userVhosts) {
            if (vhosts != null && !vhosts.contains(v)) {
                problem(at + ".vhosts", quoted(v) + " is not in warren.vhosts " + vhosts);
            }
        }
        List<String> tags = entryStringList(at, entry, "tags");
        for (String t : tags) {
            if (t.isBlank()) {
                problem(at + ".tags", "a tag must not be empty");
            }
        }
        if (problems.size() != before) {
            return null;
        }
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("name", name);
        user.put("password", password);
        user.put("vhosts", userVhosts);
        user.put("tags", tags);
        return user;
    }

    private String entryString(String at, Config entry, String k) {
        if (!entry.hasPath(k)) {
            problem(at + "." + k, "missing");
            return null;
        }
        try {
            return entry.getString(k);
        } catch (ConfigException e) {
            problem(at + "." + k, entry.getValue(k).render(CONCISE) + " is not a string" + origin(entry.getValue(k)));
            return null;
        }
    }

    private List<String> entryStringList(String at, Config entry, String k) {
        if (!entry.hasPath(k)) {
            return List.of();
        }
        try {
            return entry.getStringList(k);
        } catch (ConfigException e) {
            problem(at + "." + k, entry.getValue(k).render(CONCISE) + " is not a list of strings"
                    + origin(entry.getValue(k)));
            return List.of();
        }
    }

    private void memoryHighWatermark() {
        memoryHighWatermark("warren.memory-high-watermark", 0);
        memoryHighWatermark("warren.process-memory-high-watermark", -1);
    }

    /** @param lowest the smallest value allowed minus a bit: 0 means "above 0", -1 allows 0 (off) */
    private void memoryHighWatermark(String key, int lowest) {
        if (!present(key)) {
            return;
        }
        try {
            double fraction = config.getDouble(key);
            if (!(fraction > lowest && fraction <= 1) || fraction < 0) {
                problem(key, render(key) + (lowest < 0 ? " is not a fraction of the memory limit (0 = off, at most 1)"
                        : " is not a fraction of the heap (above 0, at most 1)"));
            } else {
                normalize(key, fraction);
            }
        } catch (ConfigException e) {
            problem(key, render(key) + " is not a number (a fraction of the heap, e.g. 0.8)");
        }
    }

    /**
     * warren.tls: with a TLS listener enabled, a server certificate (PEM pair or PKCS#12) that actually loads, and
     * the CA file client certificates are verified against when verify-peer is on. Returns verify-peer.
     */
    private boolean tls(boolean used) {
        Optional<String> certificate = optionalString("warren.tls.certificate");
        Optional<String> key = optionalString("warren.tls.private-key");
        Optional<String> keystore = optionalString("warren.tls.keystore");
        optionalString("warren.tls.keystore-password");
        Optional<String> cas = optionalString("warren.tls.ca-certificates");
        boolean verifyPeer = bool("warren.tls.verify-peer").orElse(false);
        boolean failIfNoPeerCert = bool("warren.tls.fail-if-no-peer-cert").orElse(false);
        positiveDuration("warren.tls.reload-check-interval");
        if (failIfNoPeerCert && !verifyPeer) {
            problem("warren.tls.fail-if-no-peer-cert", "needs warren.tls.verify-peer = true");
        }
        if (!used) {
            return verifyPeer;
        }
        int before = problems.size();
        boolean pem = certificate.filter(c -> !c.isEmpty()).isPresent() || key.filter(k -> !k.isEmpty()).isPresent();
        boolean pkcs12 = keystore.filter(k -> !k.isEmpty()).isPresent();
        if (pem && pkcs12) {
            problem("warren.tls.keystore", "set either keystore or certificate + private-key, not both");
        } else if (!pem && !pkcs12) {
            problem("warren.tls.certificate", "a TLS listener is enabled (warren.amqp.tls.enabled or "
                    + "warren.management.tls.enabled) but no server certificate is set: set certificate + private-key "
                    + "(PEM) or keystore (PKCS#12)");
        } else if (pem) {
            readableFile("warren.tls.certificate", certificate.orElse(""));
            readableFile("warren.tls.private-key", key.orElse(""));
        } else {
            readableFile("warren.tls.keystore", keystore.get());
        }
        if (verifyPeer) {
            if (cas.filter(c -> !c.isEmpty()).isEmpty()) {
                problem("warren.tls.ca-certificates", "must be set when warren.tls.verify-peer = true "
                        + "(the CAs client certificates must chain to)");
            } else {
                readableFile("warren.tls.ca-certificates", cas.get());
            }
        }
        if (problems.size() == before) {
            try {
                new io.warren.broker.tls.ServerTlsContext(io.warren.broker.tls.TlsSettings.from(config.getConfig("warren.tls")));
            } catch (RuntimeException e) {
                problem("warren.tls", "cannot load the TLS files: " + e.getMessage());
            }
        }
        return verifyPeer;
    }

    private void readableFile(String key, String file) {
        if (file.isEmpty()) {
            problem(key, "must not be empty");
        } else if (!java.nio.file.Files.isReadable(Path.of(file))) {
            problem(key, quoted(file) + " is not a readable file");
        }
    }

    /** Mechanisms, loopback users, throttling and limits. */
    private void access(boolean externalPossible) {
        String key = "warren.auth-mechanisms";
        List<String> mechanisms = stringList(key).orElse(List.of("PLAIN"));
        if (mechanisms.isEmpty()) {
            problem(key, "must list at least one mechanism (PLAIN, AMQPLAIN, EXTERNAL)");
        }
        for (String m : mechanisms) {
            if (!List.of("PLAIN", "AMQPLAIN", "EXTERNAL").contains(m)) {
                problem(key, quoted(m) + " is not a mechanism Warren has (PLAIN, AMQPLAIN, EXTERNAL)");
            } else if (m.equals("EXTERNAL") && !externalPossible) {
                problem(key, "EXTERNAL needs client certificates: warren.amqp.tls.enabled and warren.tls.verify-peer");
            }
        }
        stringList("warren.loopback-users");
        intInRange("warren.auth-failure-throttle.after", 0, Integer.MAX_VALUE, "is not a count (0 = never delay)");
        nonNegativeDuration("warren.auth-failure-throttle.delay", "0s never delays");
        for (String limit : List.of("connections", "connections-per-vhost", "connections-per-user", "queues-per-vhost")) {
            intInRange("warren.limits." + limit, 0, Integer.MAX_VALUE, "is not a limit (0 = none)");
        }
    }

    private ServerConfig.Backend backend() {
        String key = "warren.persistence.backend";
        Optional<String> name = string(key, false);
        if (name.isEmpty()) {
            return ServerConfig.Backend.H2;
        }
        for (ServerConfig.Backend b : ServerConfig.Backend.values()) {
            if (b.configName().equals(name.get())) {
                return b;
            }
        }
        problem(key, render(key) + " is not a persistence backend (h2 or postgres)");
        return ServerConfig.Backend.H2;
    }

    private void postgres(ServerConfig.Backend backend) {
        boolean required = backend == ServerConfig.Backend.POSTGRES;
        Optional<String> url = required ? string("warren.persistence.postgres.url", false)
                : optionalString("warren.persistence.postgres.url");
        Optional<String> user = required ? string("warren.persistence.postgres.user", false)
                : optionalString("warren.persistence.postgres.user");
        optionalString("warren.persistence.postgres.password");
        if (required) {
            url.filter(u -> !u.startsWith("jdbc:postgresql:")).ifPresent(u -> problem("warren.persistence.postgres.url",
                    render("warren.persistence.postgres.url") + " is not a PostgreSQL JDBC URL (jdbc:postgresql://host:port/database)"));
            user.filter(String::isEmpty).ifPresent(u -> problem("warren.persistence.postgres.user",
                    "must not be empty when warren.persistence.backend = postgres"));
        }
    }

    /** auto, or a boolean: HOCON's true/false/on/off/yes/no. */
    private void pekkoManagement() {
        String key = "warren.management.pekko-management.enabled";
        if (!present(key)) {
            return;
        }
        Optional<String> value = readString(key);
        if (value.isEmpty() || value.get().equalsIgnoreCase("auto")) {
            return;
        }
        try {
            config.getBoolean(key);
        } catch (ConfigException e) {
            problem(key, render(key) + " is not auto, true or false");
        }
    }

    private void seedNodes() {
        String key = "warren.cluster.seed-nodes";
        List<String> seeds = stringList(key).orElse(List.of());
        for (int i = 0; i < seeds.size(); i++) {
            Matcher m = SEED_NODE.matcher(seeds.get(i));
            if (!m.matches() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
                problem(key + "[" + i + "]", quoted(seeds.get(i))
                        + " is not a node address (pekko://warren@<host>:<port>)");
            }
        }
    }

    private record Listener(String host, Integer port) {
        boolean overlaps(Listener other) {
            if (host == null || port == null || other.host == null || other.port == null || port == 0) {
                return false;
            }
            return port.equals(other.port)
                    && (host.equals(other.host) || isWildcard(host) || isWildcard(other.host));
        }

        private static boolean isWildcard(String host) {
            return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
        }
    }

    private void portClashes(Map<String, Listener> listeners) {
        List<Map.Entry<String, Listener>> entries = new ArrayList<>(listeners.entrySet());
        for (int i = 0; i < entries.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (entries.get(i).getValue().overlaps(entries.get(j).getValue())) {
                    problem(entries.get(i).getKey(), entries.get(i).getValue().port() + " is also "
                            + entries.get(j).getKey());
                }
            }
        }
    }

    // ---- typed reads -----------------------------------------------------------------------------------

    private String host(String key) {
        Optional<String> host = string(key, false);
        if (host.isPresent() && host.get().chars().anyMatch(Character::isWhitespace)) {
            problem(key, quoted(host.get()) + " is not a host name or address");
            return null;
        }
        return host.orElse(null);
    }

    private Integer port(String key) {
        Optional<Long> port = wholeNumber(key);
        if (port.isEmpty()) {
            return null;
        }
        if (port.get() < 0 || port.get() > 65535) {
            problem(key, render(key) + " is not a port " + PORT_RANGE);
            return null;
        }
        return port.get().intValue();
    }

    private void intInRange(String key, long min, long max, String complaint) {
        wholeNumber(key).filter(n -> n < min || n > max).ifPresent(n -> problem(key, render(key) + " " + complaint));
    }

    private Optional<Long> wholeNumber(String key) {
        if (!present(key)) {
            return Optional.empty();
        }
        ConfigValue value = config.getValue(key);
        try {
            // getLong accepts "5672" from an environment variable; reject 5672.5 which it would truncate
            long n = config.getLong(key);
            Object raw = value.unwrapped();
            if (raw instanceof Double || raw instanceof Float || (raw instanceof String s && s.trim().contains("."))) {
                throw new ConfigException.WrongType(value.origin(), key, "whole number", "fraction");
            }
            normalize(key, n);
            return Optional.of(n);
        } catch (ConfigException e) {
            problem(key, render(key) + " is not a whole number");
            return Optional.empty();
        }
    }

    private void bytes(String key, long min, long max, String complaint) {
        if (!present(key)) {
            return;
        }
        long n;
        try {
            n = config.getBytes(key);
        } catch (ConfigException e) {
            problem(key, render(key) + " is not a size (bytes, or e.g. 128KiB)");
            return;
        }
        if (n < min || n > max) {
            problem(key, render(key) + " " + complaint);
        } else {
            normalize(key, n);
        }
    }

    private Optional<Duration> duration(String key) {
        if (!present(key)) {
            return Optional.empty();
        }
        try {
            return Optional.of(config.getDuration(key));
        } catch (ConfigException e) {
            problem(key, render(key) + " is not a duration (e.g. 60s, 500ms)");
            return Optional.empty();
        }
    }

    private Optional<Boolean> bool(String key) {
        if (!present(key)) {
            return Optional.empty();
        }
        try {
            boolean b = config.getBoolean(key);
            normalize(key, b);
            return Optional.of(b);
        } catch (ConfigException e) {
            problem(key, render(key) + " is not true or false");
            return Optional.empty();
        }
    }

    /** A required string; {@code emptyAllowed} for keys where "" means "work it out". */
    private Optional<String> string(String key, boolean emptyAllowed) {
        if (!present(key)) {
            return Optional.empty();
        }
        Optional<String> s = readString(key);
        if (s.isPresent() && s.get().isEmpty() && !emptyAllowed) {
            problem(key, "must not be empty");
            return Optional.empty();
        }
        return s;
    }

    private Optional<String> optionalString(String key) {
        return config.hasPath(key) ? readString(key) : Optional.empty();
    }

    private Optional<String> readString(String key) {
        ConfigValue value = config.getValue(key);
        if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST) {
            problem(key, render(key) + " is not a string");
            return Optional.empty();
        }
        return Optional.of(config.getString(key));
    }

    private Optional<List<String>> stringList(String key) {
        if (!present(key)) {
            return Optional.empty();
        }
        try {
            return Optional.of(config.getStringList(key));
        } catch (ConfigException e) {
            problem(key, render(key) + " is not a list of strings");
            return Optional.empty();
        }
    }

    /** Whether a key is set; a key with no value at all is a problem, since reference.conf defaults every key. */
    private boolean present(String key) {
        checked.add(key);
        if (config.hasPath(key)) {
            return true;
        }
        // warren.amqp = 5 hides every warren.amqp.* key: name the section once, not each key below it
        for (int dot = key.indexOf('.'); dot > 0; dot = key.indexOf('.', dot + 1)) {
            String parent = key.substring(0, dot);
            if (config.hasPath(parent) && config.getValue(parent).valueType() != ConfigValueType.OBJECT) {
                if (nonObjectSections.add(parent)) {
                    problem(parent, render(parent) + " is not a section (expected { ... })");
                }
                return false;
            }
        }
        problem(key, config.hasPathOrNull(key) ? "is null" : "missing (no default in reference.conf)");
        return false;
    }

    // ---- messages --------------------------------------------------------------------------------------

    /**
     * Replaces a value with its typed form (the number behind "5672" from an environment variable, the bytes
     * behind "128KiB"), so the broker can read any key with the plain getter; the origin is kept for
     * --print-config.
     */
    private void normalize(String key, Object typed) {
        String origin = config.getValue(key).origin().description();
        normalized = normalized.withValue(key, ConfigValueFactory.fromAnyRef(typed, origin));
    }

    /** Records a problem, naming where the key's value came from when that was not the defaults. */
    private void problem(String key, String message) {
        String origin = "";
        if (!key.contains("[")) {
            try {
                origin = config.hasPath(key) ? origin(config.getValue(key)) : "";
            } catch (ConfigException e) {
                // the path itself is unreadable; the message already says so
            }
        }
        problems.add(new ConfigProblem(key, message + origin));
    }

    /**
     * The value as written. Environment variables and system properties are always strings, so a plain token
     * is shown bare: "WARREN_AMQP_PORT=70000" reads back as 70000, not "70000".
     */
    private String render(String key) {
        ConfigValue value = config.getValue(key);
        if (value.valueType() == ConfigValueType.STRING && PLAIN_TOKEN.matcher((String) value.unwrapped()).matches()) {
            return (String) value.unwrapped();
        }
        return value.render(CONCISE);
    }

    private static String origin(ConfigValue value) {
        String description = value.origin().description();
        if (description == null || description.contains("reference.conf")) {
            return "";
        }
        return " [from " + description + "]";
    }

    private static String quoted(String s) {
        return ConfigValueFactory.fromAnyRef(s).render(CONCISE);
    }
}
