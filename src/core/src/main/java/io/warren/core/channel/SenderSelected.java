package io.warren.core.channel;

import io.warren.amqp.AmqpException;
import io.warren.amqp.EncodedProperties;
import io.warren.amqp.ReplyCodes;
import io.warren.core.FieldTableValues;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sender-selected distribution: the CC and BCC headers add routing keys to a publish; BCC is removed from the
 * message before it is stored, so receivers do not see it (RabbitMQ's rules).
 */
public final class SenderSelected {
    private SenderSelected() {}

    /** The publish's routing key, then the CC and BCC keys (406 when a header is not an array). */
    public static List<String> routingKeys(String routingKey, Map<String, Object> headers) {
        if (headers == null || (!headers.containsKey("CC") && !headers.containsKey("BCC"))) return List.of(routingKey);
        List<String> keys = new ArrayList<>();
        keys.add(routingKey);
        if (headers.containsKey("CC")) addAll(keys, "CC", headers.get("CC"));
        if (headers.containsKey("BCC")) addAll(keys, "BCC", headers.get("BCC"));
        return keys;
    }

    /**
     * Only longstr elements of the array count; a CC or BCC header that is not an array refuses the publish as
     * RabbitMQ does (rabbit_basic:header_routes): 406 {@code invalid message: {unacceptable_type_in_header,"CC",longstr}}.
     */
    private static void addAll(List<String> keys, String header, Object value) {
        if (!(value instanceof List<?> list)) {
            throw AmqpException.channel(ReplyCodes.PRECONDITION_FAILED, ReplyCodes.text(ReplyCodes.PRECONDITION_FAILED,
                    "invalid message: {unacceptable_type_in_header,\"" + header + "\","
                            + FieldTableValues.typeNameWithBytesAsLongstr(value) + "}"));
        }
        for (Object o : list) if (o instanceof String s) keys.add(s);
    }

    /** The properties as published unless they carry BCC: only then are they decoded and encoded again. */
    public static EncodedProperties withoutBcc(EncodedProperties props) {
        Map<String, Object> headers = props.headers();
        if (headers == null || !headers.containsKey("BCC")) return props;
        Map<String, Object> copy = new LinkedHashMap<>(headers);
        copy.remove("BCC");
        return EncodedProperties.of(props.decoded().withHeaders(copy));
    }
}
