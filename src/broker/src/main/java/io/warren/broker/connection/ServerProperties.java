package io.warren.broker.connection;

import java.util.LinkedHashMap;
import java.util.Map;

/** connection.start's server-properties: who we are and the capabilities Warren really implements. */
final class ServerProperties {
    private ServerProperties() {}

    static Map<String, Object> build(String version) {
        Map<String, Object> capabilities = new LinkedHashMap<>();
        capabilities.put("publisher_confirms", true);
        capabilities.put("exchange_exchange_bindings", true);
        capabilities.put("basic.nack", true);
        capabilities.put("consumer_cancel_notify", true);
        capabilities.put("connection.blocked", true);
        capabilities.put("consumer_priorities", true);
        capabilities.put("authentication_failure_close", true);
        capabilities.put("per_consumer_qos", true);
        capabilities.put("direct_reply_to", true);
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("capabilities", capabilities);
        props.put("cluster_name", "warren");
        props.put("copyright", "Copyright (c) the Warren authors");
        props.put("information", "Licensed under the Apache License 2.0. Website: https://github.com/warren-broker");
        props.put("platform", "Java " + System.getProperty("java.version"));
        props.put("product", "Warren");
        props.put("version", version);
        return props;
    }
}
