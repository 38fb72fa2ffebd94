package io.warren.server.management;

import io.warren.amqp.ReplyCodes;

/** The connection.close text of a connection an operator closes, as RabbitMQ words it. */
final class ReplyCodesText {
    private ReplyCodesText() {}

    static String forced(String reason) {
        return ReplyCodes.text(ReplyCodes.CONNECTION_FORCED, reason);
    }
}
