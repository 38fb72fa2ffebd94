package io.warren.broker.connection;

import io.warren.amqp.EncodedProperties;
import io.warren.amqp.ReplyCodes;
import io.warren.amqp.frame.FrameEncoder;
import io.warren.amqp.method.BasicPublish;
import io.warren.amqp.method.BasicReturn;
import io.warren.broker.protocol.QueueDelivery;
import io.warren.core.channel.ChannelCore;
import io.warren.core.channel.ChannelEffect;
import io.warren.core.channel.PublishRules;
import io.warren.core.channel.SenderSelected;
import io.warren.core.queue.Message;
import io.warren.core.routing.RoutingTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.util.ByteString;

/**
 * A channel's publish path, the hot one: basic.publish's checks ({@link PublishRules}, the cached write permission),
 * direct replies, then routed through the node's routing table at once or held by the core until the transaction
 * commits. Routing calls the core directly (no effect per message): the confirm sequence, then one batch entry per
 * destination queue, sent at the end of the read.
 */
final class ChannelPublisher {

    private final ConnectionActor conn;
    private final Channel channel;
    private final ChannelCore<QueueDelivery, TxPublish> core;
    private final ChannelReplyTo replies;
    private final PublishPermission permission;
    /** The effects of routing one publish (confirms), carried out at once: one reused buffer, nothing per message. */
    private final List<ChannelEffect> routed = new ArrayList<>();

    ChannelPublisher(ConnectionActor conn, Channel channel, ChannelReplyTo replies) {
        this.conn = conn;
        this.channel = channel;
        this.core = channel.core();
        this.replies = replies;
        this.permission = new PublishPermission(conn.broker().users(), conn.user().name(), conn.vhost());
    }

    void publish(BasicPublish p, EncodedProperties published, ByteString bytes) {
        PublishRules.checkFlags(p);
        RoutingTable table = conn.broker().topology().table(conn.vhost());
        String exchangeName = p.exchange();
        permission.check(exchangeName);
        PublishRules.exchange(table.exchange(exchangeName), exchangeName, conn.vhost());
        EncodedProperties props = PublishRules.properties(published, conn.user().name(), replies.replyTo());
        // Once per publish, shared by direct replies and routing: CC/BCC keys, and the properties without BCC.
        List<String> keys = SenderSelected.routingKeys(p.routingKey(), props.headers());
        EncodedProperties stored = SenderSelected.withoutBcc(props);
        if (exchangeName.isEmpty()) replies.sendReplies(p, keys, stored, bytes);
        Map<String, Object> headers = props.headers();
        if (core.transactional()) core.holdForCommit(new TxPublish(p, keys, headers, stored, bytes, table));
        else route(p, keys, headers, stored, bytes, table);
    }

    /** A publish of a transaction that commits (the core's RoutePublish effect). */
    void route(TxPublish p) {
        route(p.method(), p.keys(), p.headers(), p.stored(), p.body(), p.table());
    }

    /** {@code headers} are the published ones (a headers exchange may match BCC); {@code stored} go to the queues. */
    private void route(BasicPublish p, List<String> keys, Map<String, Object> headers, EncodedProperties stored,
                       ByteString bytes, RoutingTable table) {
        String exchangeName = p.exchange();
        Set<String> queues = table.route(exchangeName, keys, headers);
        if (queues.isEmpty() && p.mandatory()) {
            conn.write(FrameEncoder.content(channel.number(), new BasicReturn(ReplyCodes.NO_ROUTE, "NO_ROUTE", exchangeName,
                    p.routingKey()), stored, bytes, conn.frameMax()));
        }
        long seq = core.routed(queues.size(), System.nanoTime(), routed);
        channel.apply(routed);
        if (queues.isEmpty()) return;
        Message m = new Message(conn.nextMessageId(), exchangeName, p.routingKey(), stored, bytes);
        for (String q : queues) core.batch(q, m, seq);
    }
}
