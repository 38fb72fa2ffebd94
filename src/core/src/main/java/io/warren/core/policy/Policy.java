package io.warren.core.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One policy (or operator policy) of a vhost: the queues and exchanges whose name {@code pattern} matches (a regular
 * expression searched anywhere in the name, as Erlang's re:run) get {@code definition}. Built only through
 * {@link #of}, which validates it as RabbitMQ does.
 *
 * @param definition the keys and values as given (String, Long, Boolean, Double, List or Map values), in order
 */
public record Policy(String vhost, String name, String pattern, ApplyTo applyTo, int priority,
                     Map<String, Object> definition, Pattern compiled) {

    public Policy {
        definition = Collections.unmodifiableMap(new LinkedHashMap<>(definition));
    }

    /** Validates and builds a policy; {@code operator} selects the operator-policy keys. Throws {@link PolicyException}. */
    public static Policy of(String vhost, String name, String pattern, ApplyTo applyTo, int priority,
                            Map<String, Object> definition, boolean operator) {
        if (name == null || name.isEmpty()) throw new PolicyException("policy name must not be empty");
        if (pattern == null) throw new PolicyException("Key \"pattern\" not found in " + name);
        Pattern compiled;
        try {
            compiled = Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            throw new PolicyException("pattern should be regular expression but is invalid: " + e.getDescription());
        }
        PolicyDefinition.validate(definition, operator);
        return new Policy(vhost, name, pattern, applyTo, priority, definition, compiled);
    }

    public boolean matches(String resourceName) {
        return compiled.matcher(resourceName).find();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Policy p && vhost.equals(p.vhost) && name.equals(p.name) && pattern.equals(p.pattern)
                && applyTo == p.applyTo && priority == p.priority && definition.equals(p.definition);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(vhost, name, pattern, applyTo, priority, definition);
    }
}
