package io.warren.server;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The parsed arguments of {@link Main}.
 *
 * @param action     what to do
 * @param configFile the {@code --config} file, if given
 * @param overrides  {@code -Dkey=value} arguments and {@code --data-dir}, the highest-precedence config layer
 */
public record CommandLine(Action action, Optional<Path> configFile, Properties overrides) {

    public enum Action {
        /** Start a node and run until stopped. */
        RUN,
        /** Print usage, config keys and environment variables. */
        HELP,
        /** Print the resolved warren.* config and exit: what a start would use. */
        PRINT_CONFIG,
        /** Print the absolute data directory and exit; bin/warren stop finds the pid file with it. */
        PRINT_DATA_DIR
    }

    /** Thrown for arguments that make no sense; the message is one line for the user. */
    public static final class UsageException extends RuntimeException {
        public UsageException(String message) {
            super(message);
        }
    }

    public static CommandLine parse(List<String> args) {
        Action action = Action.RUN;
        Optional<Path> configFile = Optional.empty();
        Properties overrides = new Properties();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--help", "-h" -> action = Action.HELP;
                case "--print-config" -> action = Action.PRINT_CONFIG;
                case "--print-data-dir" -> action = Action.PRINT_DATA_DIR;
                case "--config", "--data-dir" -> {
                    if (i + 1 >= args.size() || args.get(i + 1).isEmpty()) {
                        throw new UsageException(arg + " needs a value");
                    }
                    String value = args.get(++i);
                    if (arg.equals("--config")) {
                        configFile = Optional.of(Path.of(value));
                    } else {
                        overrides.setProperty("warren.data-dir", value);
                    }
                }
                default -> {
                    if (arg.startsWith("--config=")) {
                        configFile = Optional.of(Path.of(arg.substring("--config=".length())));
                    } else if (arg.startsWith("--data-dir=")) {
                        overrides.setProperty("warren.data-dir", arg.substring("--data-dir=".length()));
                    } else if (arg.startsWith("-D")) {
                        int eq = arg.indexOf('=');
                        if (eq <= 2) {
                            throw new UsageException(arg + ": expected -Dkey=value");
                        }
                        overrides.setProperty(arg.substring(2, eq), arg.substring(eq + 1));
                    } else {
                        throw new UsageException("unknown argument " + arg);
                    }
                }
            }
        }
        return new CommandLine(action, configFile, overrides);
    }
}
