package io.warren.broker.connection;

import io.warren.broker.protocol.ConnectionProtocol;
import io.warren.core.channel.DirectReplyConsumer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * RabbitMQ's direct reply-to: the pseudo-queue {@code amq.rabbitmq.reply-to}, and the routing keys
 * {@code amq.rabbitmq.reply-to.<token>} that reach one channel's reply consumer from any node. The token names the
 * connection actor (its node's address, its name and incarnation under {@code /system/amqp-connections/}), the channel
 * number and a random secret the channel checks, so a made-up token reaches no one: it must name a cluster member and
 * a connection actor, and carry the secret of a consumer that still exists.
 */
final class DirectReplyTo {
    private DirectReplyTo() {}

    private static final String PREFIX = DirectReplyConsumer.PREFIX;

    /** Where {@link AmqpListener} spawns connection actors; the token only carries what follows it. */
    private static final String CONNECTIONS = "/system/amqp-connections/";
    private static final Pattern ACTOR_NAME = Pattern.compile("c[0-9]{1,19}#-?[0-9]{1,19}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    /** A channel's reply consumer as a publish can address it. */
    record Address(ActorRef<ConnectionProtocol> connection, int channel, String key) {}

    /** A new secret for a reply consumer (128 random bits). */
    static String newKey() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return ENCODER.encodeToString(bytes);
    }

    /** The routing key that reaches {@code channel} of {@code connection} while its consumer holds {@code key}. */
    static String routingKey(ActorSystem<?> system, ActorRef<ConnectionProtocol> connection, int channel, String key) {
        String path = ActorRefResolver.get(system).toSerializationFormat(connection);
        int at = path.indexOf(CONNECTIONS);
        if (at < 0) throw new IllegalStateException("not a connection actor: " + path);
        String address = at == 0 ? Cluster.get(system).selfMember().address().toString() : path.substring(0, at);
        String name = path.substring(at + CONNECTIONS.length());
        String token = key + "." + channel + "." + name + "." + address;
        return PREFIX + ENCODER.encodeToString(token.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The reply consumer a routing key addresses; empty for anything that is not a well-formed token naming a
     * connection actor on a member of this cluster (such keys are dropped, as RabbitMQ drops them).
     */
    static Optional<Address> resolve(ActorSystem<?> system, String routingKey) {
        if (!DirectReplyConsumer.isReplyKey(routingKey)) return Optional.empty();
        String token;
        try {
            token = new String(DECODER.decode(routingKey.substring(PREFIX.length())), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
        String[] parts = token.split("\\.", 4);
        if (parts.length != 4 || parts[0].isEmpty() || !parts[1].matches("[0-9]{1,5}") || !ACTOR_NAME.matcher(parts[2]).matches()) {
            return Optional.empty();
        }
        int channel = Integer.parseInt(parts[1]);
        if (channel < 1 || channel > 65535 || !isMember(system, parts[3])) return Optional.empty();
        try {
            ActorRef<ConnectionProtocol> connection =
                    ActorRefResolver.get(system).resolveActorRef(parts[3] + CONNECTIONS + parts[2]);
            return Optional.of(new Address(connection, channel, parts[0]));
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }

    /** Only cluster members are sent to: a token must not make this node dial an arbitrary host. */
    private static boolean isMember(ActorSystem<?> system, String address) {
        Cluster cluster = Cluster.get(system);
        if (cluster.selfMember().address().toString().equals(address)) return true;
        for (Member m : cluster.state().getMembers()) {
            if (m.address().toString().equals(address)) return true;
        }
        return false;
    }
}
