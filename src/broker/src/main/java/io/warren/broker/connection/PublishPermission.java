package io.warren.broker.connection;

import io.warren.core.access.AccessState;
import io.warren.core.access.Action;
import io.warren.core.access.ResourceKind;
import io.warren.broker.auth.UserDirectory;

/**
 * A channel's write permission for publishes. The exchange it last published to, and the access state that let it:
 * publishes check the permission once per exchange and per change of the cluster's access state, not a regex per
 * message (RabbitMQ's channel caches its permission checks too). The state is immutable and replaced on every change.
 */
final class PublishPermission {
    private final UserDirectory users;
    private final String user;
    private final String vhost;
    private String writableExchange;
    private AccessState writableUnder;

    PublishPermission(UserDirectory users, String user, String vhost) {
        this.users = users;
        this.user = user;
        this.vhost = vhost;
    }

    /** 403 ACCESS_REFUSED when the user may not write to {@code exchange}. */
    void check(String exchange) {
        AccessState state = users.state();
        if (state == writableUnder && exchange.equals(writableExchange)) return;
        state.check(user, vhost, ResourceKind.EXCHANGE, exchange, Action.WRITE);
        writableUnder = state;
        writableExchange = exchange;
    }
}
