package io.warren.core.access;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One user's configure / write / read regular expressions in one vhost. As in RabbitMQ the expression is searched
 * for in the name (not matched against all of it: ".*" and "" differ, "^amq\." limits), and the empty string
 * means "nothing" (RabbitMQ reads it as "^$").
 */
public record Permission(String configure, String write, String read, Pattern configurePattern, Pattern writePattern,
                         Pattern readPattern) {

    public static Permission of(String configure, String write, String read) {
        return new Permission(configure, write, read, compile("configure", configure), compile("write", write),
                compile("read", read));
    }

    public static Permission all() {
        return of(".*", ".*", ".*");
    }

    public boolean allows(Action action, String name) {
        Pattern p = switch (action) {
            case CONFIGURE -> configurePattern;
            case WRITE -> writePattern;
            case READ -> readPattern;
        };
        return p.pattern().equals(".*") || p.matcher(name).find(); // ".*" is the common case: skip the matcher per publish
    }

    private static Pattern compile(String which, String regex) {
        if (regex == null) throw new IllegalArgumentException(which + " is missing");
        try {
            return Pattern.compile(regex.isEmpty() ? "^$" : regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid " + which + " regular expression '" + regex + "': " + e.getDescription());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Permission p && p.configure.equals(configure) && p.write.equals(write) && p.read.equals(read);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(configure, write, read);
    }
}
