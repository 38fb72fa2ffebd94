package io.warren.broker.queue;

import io.warren.amqp.AmqpException;
import io.warren.core.access.AccessState;
import io.warren.core.policy.EffectivePolicy;
import io.warren.core.queue.QueueArguments;
import io.warren.core.queue.QueueDefinition;
import org.slf4j.Logger;

/** The arguments a queue acts on: its declared ones merged with the policy in force for it (rules in core). */
final class QueuePolicy {
    private QueuePolicy() {}

    static EffectivePolicy lookup(AccessState access, QueueDefinition def) {
        return access.queuePolicy(def.vhost(), def.name(), QueueArguments.parse(def.arguments()).queueType());
    }

    static QueueArguments arguments(QueueDefinition def, EffectivePolicy policy, Logger log) {
        QueueArguments declared = QueueArguments.parse(def.arguments());
        if (policy.definition().isEmpty()) return declared;
        try {
            return QueueArguments.parse(policy.queueArguments(def.arguments(), declared.queueType()));
        } catch (AmqpException e) {
            // a policy value RabbitMQ accepts but a queue argument may not hold (e.g. a TTL beyond 2^32-1 ms)
            log.warn("{}: policy '{}' not applied: {}", def.resourceName(), policy.policyName(), e.getMessage());
            return declared;
        }
    }
}
