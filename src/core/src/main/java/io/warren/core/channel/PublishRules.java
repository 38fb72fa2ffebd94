package io.warren.core.channel;

import io.warren.amqp.AmqpException;
import io.warren.amqp.EncodedProperties;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.method.BasicPublish;
import io.warren.core.names.Names;
import io.warren.core.queue.QueueState;
import io.warren.core.routing.ExchangeDefinition;
import java.util.Optional;

/**
 * What RabbitMQ checks on a basic.publish before routing it (rabbit_channel's handle_method for basic.publish), in
 * its order: the immediate flag, the exchange (exists, not internal), then the properties (direct reply-to, user_id,
 * expiration). The write permission on the exchange is checked by the caller between the flag and the exchange.
 */
public final class PublishRules {
    private PublishRules() {}

    /** The direct reply-to pseudo-queue: a reply-to naming it asks for replies on the publishing channel. */
    public static final String REPLY_TO_QUEUE = "amq.rabbitmq.reply-to";

    /** immediate=true is not supported since RabbitMQ 3.0: 540 NOT_IMPLEMENTED, a connection error. */
    public static void checkFlags(BasicPublish p) {
        if (p.immediate()) {
            throw new AmqpException(ReplyCodes.NOT_IMPLEMENTED, ReplyCodes.text(ReplyCodes.NOT_IMPLEMENTED, "immediate=true"),
                    p.classId(), p.methodId(), true);
        }
    }

    /** The exchange {@code name} resolved to: 404 when there is none, 403 when it is internal. */
    public static ExchangeDefinition exchange(Optional<ExchangeDefinition> found, String name, String vhost) {
        ExchangeDefinition exchange = found.orElseThrow(() -> Names.noExchange(name, vhost));
        if (exchange.internal()) throw Names.internalExchangePublish(name, vhost);
        return exchange;
    }

    /**
     * The properties the publish is routed with. A reply-to of the pseudo-queue is replaced by this channel's reply
     * address ({@code replyAddress}; null when the channel has no reply consumer: 406); a user_id other than the
     * authenticated user is 406; an expiration must be a valid TTL. The properties stay as published (read where a
     * rule needs one) and are encoded again only when the reply address is filled in.
     */
    public static EncodedProperties properties(EncodedProperties props, String user, String replyAddress) {
        if (REPLY_TO_QUEUE.equals(props.replyTo())) {
            if (replyAddress == null) throw ChannelCore.precondition("fast reply consumer does not exist");
            props = EncodedProperties.of(props.decoded().withReplyTo(replyAddress));
        }
        if (props.userId() != null && !props.userId().equals(user)) {
            throw ChannelCore.precondition("user_id property set to '" + props.userId() + "' but authenticated user was '" + user + "'");
        }
        if (props.expiration() != null) QueueState.validateExpiration(props.expiration());
        return props;
    }
}
