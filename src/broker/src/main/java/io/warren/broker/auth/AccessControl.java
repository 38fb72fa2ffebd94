package io.warren.broker.auth;

import com.typesafe.config.Config;
import java.util.HashSet;

/** Who may connect and how many: authentication (with loopback_users and throttling) and the connection limits. */
public record AccessControl(Authenticator authenticator, ConnectionLimits limits, int queuesPerVhost) {

    /**
     * queue.declare of a new queue in a vhost that already holds {@code existing} queues (as this node's routing
     * replica knows them, cluster-wide): 406 with RabbitMQ's text when that reaches warren.limits.queues-per-vhost.
     */
    public void checkQueueLimit(String vhost, String queue, int existing) {
        if (queuesPerVhost > 0 && existing >= queuesPerVhost) {
            throw io.warren.amqp.AmqpException.channel(io.warren.amqp.ReplyCodes.PRECONDITION_FAILED,
                    io.warren.amqp.ReplyCodes.text(io.warren.amqp.ReplyCodes.PRECONDITION_FAILED, "cannot declare queue '"
                            + queue + "': queue limit in vhost '" + vhost + "' (" + queuesPerVhost + ") is reached"));
        }
    }

    public static AccessControl from(Config warren, UserDirectory users) {
        Authenticator authenticator = new Authenticator(users, warren.getStringList("auth-mechanisms"),
                new HashSet<>(warren.getStringList("loopback-users")),
                new AuthFailureThrottle(warren.getInt("auth-failure-throttle.after"),
                        warren.getDuration("auth-failure-throttle.delay")));
        return new AccessControl(authenticator, new ConnectionLimits(
                warren.getInt("limits.connections-per-vhost"), warren.getInt("limits.connections-per-user")),
                warren.getInt("limits.queues-per-vhost"));
    }
}
