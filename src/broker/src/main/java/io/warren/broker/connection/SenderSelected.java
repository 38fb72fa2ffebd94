package io.warren.broker.connection;

import io.warren.amqp.BasicProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sender-selected distribution: the CC and BCC headers add routing keys to a publish; BCC is removed from the
 * message before it is stored, so receivers do not see it (RabbitMQ's rules).
 */
final class SenderSelected {
    private SenderSelected() {}

    static List<String> routingKeys(String routingKey, Map<String, Object> headers) {
        if (headers == null || (!headers.containsKey("CC") && !headers.containsKey("BCC"))) return List.of(routingKey);
        List<String> keys = new ArrayList<>();
        keys.add(routingKey);
        addAll(keys, headers.get("CC"));
        addAll(keys, headers.get("BCC"));
        return keys;
    }

    private static void addAll(List<String> keys, Object value) {
        if (value instanceof List<?> list) {
            for (Object o : list) if (o instanceof String s) keys.add(s);
        }
    }

    static BasicProperties withoutBcc(BasicProperties props) {
        Map<String, Object> headers = props.headers();
        if (headers == null || !headers.containsKey("BCC")) return props;
        Map<String, Object> copy = new LinkedHashMap<>(headers);
        copy.remove("BCC");
        return props.withHeaders(copy);
    }
}
