package io.warren.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigResolveOptions;
import java.util.Map;
import java.util.TreeMap;

/** What {@code --help} prints; the key list is read from reference.conf so it cannot drift from the defaults. */
public final class HelpText {
    private HelpText() {}

    public static String render(Config reference) {
        StringBuilder out = new StringBuilder();
        out.append("""
                Usage: java io.warren.server.Main [options]     (or: bin/warren start [options])

                Starts one Warren node (AMQP 0-9-1 broker) in the foreground; SIGTERM/SIGINT stop it gracefully.

                Options:
                  --config FILE       HOCON file overriding the defaults below
                  --data-dir DIR      same as -Dwarren.data-dir=DIR
                  -Dkey=value         override any config key (warren.* or pekko.*)
                  --print-config      print the resolved warren.* config and exit
                  --print-data-dir    print the absolute data directory and exit
                  --help, -h          this text

                Precedence, highest first: -Dkey=value (command line, then JVM) > environment variables
                > --config FILE > defaults (reference.conf).
                Exit codes: 0 stopped cleanly, 1 failed to start or stopped unexpectedly, 2 bad arguments or config.

                Config keys and defaults:
                """);
        for (Map.Entry<String, String> entry : defaults(reference).entrySet()) {
            out.append("  ").append(entry.getKey()).append(" = ").append(entry.getValue()).append('\n');
        }
        out.append("\nEnvironment variables:\n");
        int width = EnvironmentOverrides.VARIABLES.stream().mapToInt(v -> v.name().length()).max().orElse(0);
        int keyWidth = EnvironmentOverrides.VARIABLES.stream().mapToInt(v -> v.key().length()).max().orElse(0);
        for (EnvironmentVariable v : EnvironmentOverrides.VARIABLES) {
            out.append(String.format("  %-" + width + "s  %-" + keyWidth + "s  %s%n", v.name(), v.key(), v.help()));
        }
        out.append(String.format("  %-" + width + "s  %-" + keyWidth + "s  %s%n", EnvironmentOverrides.DEFAULT_USER,
                "warren.users", "with " + EnvironmentOverrides.DEFAULT_PASS + ": the only user, administrator"));
        out.append(String.format("  %-" + width + "s  %-" + keyWidth + "s  %s%n", EnvironmentOverrides.DEFAULT_PASS,
                "warren.users", "on every vhost (replaces guest/guest)"));
        out.append("\nList variables are comma-separated, e.g. WARREN_SEED_NODES=pekko://warren@10.0.0.1:25520,"
                + "pekko://warren@10.0.0.2:25520\n");
        return out.toString();
    }

    private static Map<String, String> defaults(Config reference) {
        Map<String, String> sorted = new TreeMap<>();
        try {
            Config resolved = reference.resolve(ConfigResolveOptions.defaults().setAllowUnresolved(true));
            if (resolved.hasPath("warren")) {
                resolved.getConfig("warren").entrySet().stream()
                        .filter(e -> !e.getKey().startsWith("internal.")) // derived, not for operators
                        .forEach(e -> sorted.put("warren." + e.getKey(),
                                e.getValue().render(ConfigRenderOptions.concise())));
            }
        } catch (ConfigException e) {
            sorted.put("(defaults unreadable)", e.getMessage());
        }
        if (sorted.isEmpty()) {
            sorted.put("(none found)", "warren-broker's reference.conf is not on the classpath");
        }
        return sorted;
    }
}
