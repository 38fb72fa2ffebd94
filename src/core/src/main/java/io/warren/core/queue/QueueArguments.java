package io.warren.core.queue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.ReplyCodes;
import io.warren.core.FieldTableValues;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The queue.declare arguments a classic queue acts on, validated as RabbitMQ 3.13 validates them
 * (rabbit_amqqueue:declare_args/0, in that order; the first invalid one is reported).
 *
 * <p>Errors are 406 PRECONDITION_FAILED with RabbitMQ's text, e.g.
 * {@code invalid arg 'x-max-length' for queue 'q' in vhost '/': {value_negative,-1}}.
 *
 * <p>x-queue-type: {@code classic} (or absent) and {@code quorum} (see {@link QueueType}). {@code stream} passes
 * RabbitMQ's validation but Warren has no streams: it is refused with the text RabbitMQ gives for an unknown type
 * ({@code "unsupported queue type 'stream'"}) rather than silently declaring a queue with different guarantees.
 * Each argument is first checked against the type (RabbitMQ 3.10 refuses e.g. x-max-priority on a quorum queue and
 * x-delivery-limit on a classic one: {@code invalid arg 'k' for queue 'q' in vhost '/' of queue type
 * rabbit_quorum_queue}), then its value. x-queue-mode (default|lazy), x-max-in-memory-*, x-max-age,
 * x-max-segment-size, x-initial-cluster-size, x-quorum-initial-group-size, x-dead-letter-strategy and
 * x-queue-leader-locator are validated like RabbitMQ and otherwise ignored. x-delivery-limit is not validated
 * (RabbitMQ 3.10 accepts any value); only an integer sets a limit. x-consumer-timeout (a non-negative integer,
 * milliseconds) is not in RabbitMQ's declare list; Warren validates it like x-max-length.
 *
 * @param messageTtl           x-message-ttl in ms, or null
 * @param expires              x-expires in ms (queue deleted after being unused that long), or null
 * @param maxLength            x-max-length (ready messages), or null
 * @param maxLengthBytes       x-max-length-bytes (ready message bodies), or null
 * @param overflow             x-overflow, {@link Overflow#DROP_HEAD} by default
 * @param deadLetterExchange   x-dead-letter-exchange ("" is the default exchange), or null
 * @param deadLetterRoutingKey x-dead-letter-routing-key, or null (keep the message's routing key)
 * @param maxPriority          x-max-priority (0..255), or null for a non-priority queue
 * @param singleActiveConsumer x-single-active-consumer
 * @param queueMode            x-queue-mode, informational
 * @param consumerTimeout      x-consumer-timeout in ms, or null
 * @param queueType            x-queue-type, {@link QueueType#CLASSIC} by default
 * @param deliveryLimit        x-delivery-limit (quorum queues): a message returned more often is dead-lettered
 *                             (reason delivery_limit) or dropped; null for no limit
 */
public record QueueArguments(
        Long messageTtl,
        Long expires,
        Long maxLength,
        Long maxLengthBytes,
        Overflow overflow,
        String deadLetterExchange,
        String deadLetterRoutingKey,
        Integer maxPriority,
        boolean singleActiveConsumer,
        String queueMode,
        Long consumerTimeout,
        QueueType queueType,
        Long deliveryLimit) {

    /** Erlang's timer limit; RabbitMQ refuses longer TTLs ({value_too_big,N}). */
    public static final long MAX_EXPIRY = 4294967295L;
    public static final int MAX_SUPPORTED_PRIORITY = 255;

    public static final QueueArguments NONE =
            new QueueArguments(null, null, null, null, Overflow.DROP_HEAD, null, null, null, false, null, null,
                    QueueType.CLASSIC, null);

    /** The arguments RabbitMQ validates at declare and compares on redeclare, in its order. */
    public static final List<String> DECLARE_KEYS = List.of(
            "x-expires", "x-message-ttl", "x-dead-letter-exchange", "x-dead-letter-routing-key",
            "x-max-length", "x-max-length-bytes", "x-max-in-memory-length", "x-max-in-memory-bytes",
            "x-max-priority", "x-overflow", "x-queue-mode", "x-single-active-consumer", "x-queue-type",
            "x-quorum-initial-group-size", "x-max-age", "x-max-segment-size", "x-initial-cluster-size",
            "x-queue-leader-locator", "x-consumer-timeout", "x-delivery-limit", "x-dead-letter-strategy");

    /** Validated (type and value) but, unlike {@link #DECLARE_KEYS}, not compared on redeclare. */
    private static final List<String> VALIDATED_KEYS = java.util.stream.Stream.concat(DECLARE_KEYS.stream(),
            java.util.stream.Stream.of("x-queue-master-locator")).toList();

    private static final List<String> KNOWN_DLX_STRATEGIES = List.of("at-most-once", "at-least-once");
    private static final List<String> KNOWN_QUEUE_MODES = List.of("default", "lazy");
    private static final List<String> KNOWN_LEADER_LOCATORS = List.of("client-local", "random", "least-leaders");
    private static final Pattern MAX_AGE = Pattern.compile("^([0-9]*)(.*)$", Pattern.DOTALL);

    public QueueArguments {
        if (overflow == null) {
            overflow = Overflow.DROP_HEAD;
        }
        if (queueType == null) {
            queueType = QueueType.CLASSIC;
        }
    }

    public boolean isQuorum() {
        return queueType == QueueType.QUORUM;
    }

    /** Whether messages are kept in per-priority sub-queues. */
    public boolean isPriorityQueue() {
        return maxPriority != null && maxPriority > 0;
    }

    /** Validates and reads the arguments of queue {@code name} in {@code vhost}. */
    public static QueueArguments parse(String vhost, String name, Map<String, Object> args) {
        if (args == null || args.isEmpty()) {
            return NONE;
        }
        checkDeadLetterExchangeType(vhost, name, args.get("x-dead-letter-exchange"));
        String typeError = args.containsKey("x-queue-type") ? check("x-queue-type", args.get("x-queue-type"), args)
                : null;
        QueueType type = typeError != null || !args.containsKey("x-queue-type") ? QueueType.CLASSIC
                : QueueType.fromWireName(FieldTableValues.string(args.get("x-queue-type")));
        for (String key : VALIDATED_KEYS) {
            if (args.containsKey(key)) {
                if (typeError == null && type.refuses(key)) {
                    throw precondition("invalid arg '" + key + "' for " + QueueDefinition.resourceName(vhost, name)
                            + " of queue type " + type.moduleName());
                }
                String error = check(key, args.get(key), args);
                if (error != null) {
                    throw precondition("invalid arg '" + key + "' for " + QueueDefinition.resourceName(vhost, name)
                            + ": " + error);
                }
            }
        }
        Object deliveryLimit = args.get("x-delivery-limit");
        Overflow overflow = args.containsKey("x-overflow")
                ? Overflow.fromWireName(FieldTableValues.string(args.get("x-overflow"))) : Overflow.DROP_HEAD;
        if (type == QueueType.QUORUM && overflow == Overflow.REJECT_PUBLISH_DLX) {
            // RabbitMQ 3.10's quorum queue accepts reject-publish-dlx, logs a warning and keeps its default
            overflow = Overflow.DROP_HEAD;
        }
        return new QueueArguments(
                longArg(args, "x-message-ttl"),
                longArg(args, "x-expires"),
                longArg(args, "x-max-length"),
                longArg(args, "x-max-length-bytes"),
                overflow,
                stringArg(args, "x-dead-letter-exchange"),
                stringArg(args, "x-dead-letter-routing-key"),
                args.containsKey("x-max-priority") ? (int) FieldTableValues.longValue(args.get("x-max-priority")) : null,
                Boolean.TRUE.equals(args.get("x-single-active-consumer")),
                stringArg(args, "x-queue-mode"),
                longArg(args, "x-consumer-timeout"),
                type,
                deliveryLimit != null && FieldTableValues.isInteger(deliveryLimit)
                        ? FieldTableValues.longValue(deliveryLimit) : null);
    }

    private static AmqpException precondition(String detail) {
        return AmqpException.channel(ReplyCodes.PRECONDITION_FAILED,
                ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED, detail));
    }

    /**
     * RabbitMQ's channel resolves the dead-letter exchange name (rabbit_misc:r_arg, for its permission check)
     * before the queue validates its arguments, so a DLX that is not a string is reported first and in the
     * channel's own words.
     */
    private static void checkDeadLetterExchangeType(String vhost, String name, Object dlx) {
        if (dlx != null && !FieldTableValues.isString(dlx)) {
            throw AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(
                    ReplyCodes.PRECONDITION_FAILED,
                    "invalid type '" + FieldTableValues.typeNameWithBytesAsLongstr(dlx) + "' for arg 'x-dead-letter-exchange' in "
                            + QueueDefinition.resourceName(vhost, name)));
        }
    }

    /**
     * Validates and reads the arguments of a queue definition. A quorum queue must also be durable, not exclusive
     * and not auto-delete: RabbitMQ 3.10 checks these after the arguments, in this order, with 406
     * {@code invalid property 'auto-delete' | 'exclusive-owner' | 'non-durable' for queue 'q' in vhost '/'}.
     */
    public static QueueArguments parse(QueueDefinition def) {
        QueueArguments parsed = parse(def.vhost(), def.name(), def.arguments());
        if (parsed.isQuorum()) {
            String property = def.autoDelete() ? "auto-delete" : def.exclusive() ? "exclusive-owner"
                    : !def.durable() ? "non-durable" : null;
            if (property != null) {
                throw precondition("invalid property '" + property + "' for " + def.resourceName());
            }
        }
        return parsed;
    }

    /** For arguments already validated (e.g. a recovered definition); errors name no queue. */
    public static QueueArguments parse(Map<String, Object> args) {
        return parse("", "", args);
    }

    private static Long longArg(Map<String, Object> args, String key) {
        Object v = args.get(key);
        return v == null ? null : FieldTableValues.longValue(v);
    }

    private static String stringArg(Map<String, Object> args, String key) {
        Object v = args.get(key);
        return v == null ? null : FieldTableValues.string(v);
    }

    /** RabbitMQ's validator for {@code key}: null when fine, else the Erlang term it prints. */
    private static String check(String key, Object v, Map<String, Object> args) {
        return switch (key) {
            case "x-expires" -> {
                String e = checkInt(v);
                if (e != null) yield e;
                if (FieldTableValues.longValue(v) == 0) yield "{value_zero,0}";
                yield checkExpiry(FieldTableValues.longValue(v));
            }
            case "x-message-ttl" -> {
                String e = checkInt(v);
                yield e != null ? e : checkExpiry(FieldTableValues.longValue(v));
            }
            case "x-dead-letter-exchange" -> FieldTableValues.isString(v) ? null : unacceptable(v);
            case "x-dead-letter-routing-key" -> {
                if (!FieldTableValues.isString(v)) yield unacceptable(v);
                yield args.get("x-dead-letter-exchange") == null ? "routing_key_but_no_dlx_defined" : null;
            }
            case "x-max-priority" -> {
                String e = checkNonNegInt(v);
                if (e != null) yield e;
                long p = FieldTableValues.longValue(v);
                yield p <= MAX_SUPPORTED_PRIORITY ? null : "{max_value_exceeded," + p + "}";
            }
            case "x-overflow" -> {
                if (!FieldTableValues.isString(v)) yield unacceptable(v);
                yield Overflow.fromWireName(FieldTableValues.string(v)) != null ? null : "invalid_overflow";
            }
            case "x-queue-mode" -> {
                if (!FieldTableValues.isString(v)) yield unacceptable(v);
                String mode = FieldTableValues.string(v);
                yield KNOWN_QUEUE_MODES.contains(mode) ? null
                        : FieldTableValues.erlangString("unsupported queue mode '" + mode + "'");
            }
            case "x-single-active-consumer" -> v instanceof Boolean ? null : unacceptable(v);
            case "x-queue-type" -> {
                if (!FieldTableValues.isString(v)) yield unacceptable(v);
                String type = FieldTableValues.string(v);
                yield QueueType.fromWireName(type) != null ? null
                        : FieldTableValues.erlangString("unsupported queue type '" + type + "'");
            }
            case "x-quorum-initial-group-size", "x-initial-cluster-size" -> {
                String e = checkNonNegInt(v);
                if (e != null) yield e;
                yield FieldTableValues.longValue(v) == 0 ? "{value_zero,0}" : null;
            }
            case "x-max-age" -> {
                if (!(FieldTableValues.isString(v))) yield unacceptable(v);
                yield validMaxAge(FieldTableValues.string(v)) ? null : "invalid_max_age";
            }
            case "x-queue-leader-locator" -> {
                if (!FieldTableValues.isString(v)) yield unacceptable(v);
                yield KNOWN_LEADER_LOCATORS.contains(FieldTableValues.string(v)) ? null : "invalid_queue_locator_arg";
            }
            case "x-dead-letter-strategy" -> {
                if (!FieldTableValues.isString(v)) yield unacceptable(v);
                yield KNOWN_DLX_STRATEGIES.contains(FieldTableValues.string(v)) ? null : "invalid_dlx_strategy";
            }
            case "x-delivery-limit", "x-queue-master-locator" -> null;
            default -> checkNonNegInt(v); // lengths, in-memory limits, segment size, consumer timeout
        };
    }

    private static String checkInt(Object v) {
        return FieldTableValues.isInteger(v) ? null
                : FieldTableValues.erlangString("expected integer, got " + FieldTableValues.typeNameWithBytesAsLongstr(v));
    }

    private static String checkNonNegInt(Object v) {
        String e = checkInt(v);
        if (e != null) return e;
        long n = FieldTableValues.longValue(v);
        return n >= 0 ? null : "{value_negative," + n + "}";
    }

    private static String checkExpiry(long n) {
        if (n > MAX_EXPIRY) return "{value_too_big," + n + "}";
        if (n < 0) return "{value_negative," + n + "}";
        return null;
    }

    private static String unacceptable(Object v) {
        return "{unacceptable_type," + FieldTableValues.typeNameWithBytesAsLongstr(v) + "}";
    }

    private static boolean validMaxAge(String s) {
        Matcher m = MAX_AGE.matcher(s);
        if (!m.matches() || m.group(1).isEmpty()) return false;
        try {
            return Long.parseLong(m.group(1)) > 0 && List.of("Y", "M", "D", "h", "m", "s").contains(m.group(2));
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
