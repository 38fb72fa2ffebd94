package io.warren.core.routing;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.core.FieldTableValues;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The compiled form of one headers-exchange binding's arguments, matched as RabbitMQ's
 * rabbit_exchange_type_headers does:
 * <ul>
 *   <li>"x-match" selects the rule: "all" (the default, also for any unrecognised value), "any",
 *       "all-with-x", "any-with-x"; it never takes part in matching itself.</li>
 *   <li>With "all" and "any", binding arguments whose names start with "x-" are ignored; the -with-x variants
 *       match them like any other argument.</li>
 *   <li>An argument with a void (null) value matches when the message has that header, whatever its value.</li>
 *   <li>Otherwise the header must be present and equal by value ({@link TableValues#headerValueMatches}).</li>
 *   <li>With nothing left to match, "all" matches every message and "any" matches none.</li>
 * </ul>
 */
final class HeadersMatch {
    static final String X_MATCH = "x-match";

    enum Mode { ALL, ANY, ALL_WITH_X, ANY_WITH_X }

    private final Mode mode;
    private final String[] keys;
    private final Object[] values;

    private HeadersMatch(Mode mode, String[] keys, Object[] values) {
        this.mode = mode;
        this.keys = keys;
        this.values = values;
    }

    static HeadersMatch compile(Map<String, Object> arguments) {
        Mode mode = parseMode(arguments.get(X_MATCH));
        boolean withX = mode == Mode.ALL_WITH_X || mode == Mode.ANY_WITH_X;
        List<String> keys = new ArrayList<>();
        List<Object> values = new ArrayList<>();
        for (Map.Entry<String, Object> e : arguments.entrySet()) {
            String key = e.getKey();
            if (key.equals(X_MATCH) || (!withX && key.startsWith("x-"))) {
                continue;
            }
            keys.add(key);
            values.add(e.getValue());
        }
        return new HeadersMatch(mode, keys.toArray(new String[0]), values.toArray());
    }

    private static Mode parseMode(Object xMatch) {
        if (xMatch instanceof String s) {
            switch (s) {
                case "any": return Mode.ANY;
                case "all-with-x": return Mode.ALL_WITH_X;
                case "any-with-x": return Mode.ANY_WITH_X;
                default: return Mode.ALL;
            }
        }
        return Mode.ALL;
    }

    Mode mode() {
        return mode;
    }

    boolean matches(Map<String, Object> headers) {
        boolean all = mode == Mode.ALL || mode == Mode.ALL_WITH_X;
        for (int i = 0; i < keys.length; i++) {
            boolean hit = matchesOne(keys[i], values[i], headers);
            if (all && !hit) {
                return false;
            }
            if (!all && hit) {
                return true;
            }
        }
        return all;
    }

    private static boolean matchesOne(String key, Object expected, Map<String, Object> headers) {
        if (headers == null) {
            return false;
        }
        Object actual = headers.get(key);
        if (actual == null && !headers.containsKey(key)) {
            return false;
        }
        return expected == null || FieldTableValues.headerValueMatches(expected, actual);
    }

    /**
     * RabbitMQ's validate_binding: x-match, when present, must be a longstr naming a known rule; otherwise
     * 406 "PRECONDITION_FAILED - Invalid x-match field value <<"foo">>; expected all, any, all-with-x, or any-with-x"
     * or "... Invalid x-match field type signedint (value 1); expected longstr".
     */
    static void validate(Map<String, Object> arguments) {
        if (!arguments.containsKey(X_MATCH)) {
            return;
        }
        Object value = arguments.get(X_MATCH);
        if (value instanceof String s) {
            if (s.equals("all") || s.equals("any") || s.equals("all-with-x") || s.equals("any-with-x")) {
                return;
            }
            throw invalid("Invalid x-match field value <<\"" + s + "\">>; expected all, any, all-with-x, or any-with-x");
        }
        throw invalid("Invalid x-match field type " + FieldTableValues.typeName(value)
                + " (value " + FieldTableValues.format(value) + "); expected longstr");
    }

    private static AmqpException invalid(String detail) {
        return AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED, detail));
    }
}
