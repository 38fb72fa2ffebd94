package io.warren.core.queue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.core.FieldTableValues;
import java.util.Map;

/**
 * The basic.consume arguments a queue acts on, validated as RabbitMQ's queue validates them
 * (rabbit_amqqueue:check_consume_arguments): {@code x-priority} must be an integer; anything else, a void (null)
 * value included, is 406 {@code invalid arg 'x-priority' for queue 'q' in vhost '/': "expected integer, got void"}.
 */
public final class ConsumerArguments {
    private ConsumerArguments() {}

    /** The consumer's x-priority, 0 when absent. */
    public static int priority(String vhost, String queue, Map<String, Object> args) {
        if (args == null || !args.containsKey("x-priority")) return 0;
        Object p = args.get("x-priority");
        if (!FieldTableValues.isInteger(p)) {
            throw AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED,
                    "invalid arg 'x-priority' for " + QueueDefinition.resourceName(vhost, queue) + ": "
                            + FieldTableValues.erlangString("expected integer, got "
                            + FieldTableValues.typeNameWithBytesAsLongstr(p))));
        }
        return (int) FieldTableValues.longValue(p);
    }
}
