package io.warren.core.access;

/** One change to users, vhosts, permissions or policies, as the HTTP API and the CLI ask for it and the journal keeps it. */
public sealed interface AccessChange {
    record PutUser(UserAccount user) implements AccessChange {}

    record DeleteUser(String name) implements AccessChange {}

    record PutVhost(String name) implements AccessChange {}

    record DeleteVhost(String name) implements AccessChange {}

    record SetPermission(String user, String vhost, Permission permission) implements AccessChange {}

    record ClearPermission(String user, String vhost) implements AccessChange {}

    /** Sets (adds or replaces) a policy, or an operator policy when {@code operator}. */
    record PutPolicy(io.warren.core.policy.Policy policy, boolean operator) implements AccessChange {}

    record DeletePolicy(String vhost, String name, boolean operator) implements AccessChange {}
}
