package io.warren.it.connection;

import com.rabbitmq.client.Connection;
import io.warren.it.BrokerUnderTest;
import io.warren.it.SharedBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(SharedBroker.class)
class ServerPropertiesTest {
    private final BrokerUnderTest broker;

    ServerPropertiesTest(BrokerUnderTest broker) {
        this.broker = broker;
    }

    @Test
    void advertisesProductVersionAndCapabilities() throws Exception {
        try (Connection connection = broker.newConnection()) {
            Map<String, Object> properties = connection.getServerProperties();
            assertNotNull(properties.get("product"), "product: " + properties);
            assertTrue(String.valueOf(properties.get("product")).length() > 0);
            String version = String.valueOf(properties.get("version"));
            assertTrue(version.matches("\\d+\\.\\d+\\.\\d+.*"), "version x.y.z: " + version);

            Map<?, ?> capabilities = assertInstanceOf(Map.class, properties.get("capabilities"),
                    "capabilities table: " + properties);
            for (String capability : new String[] {"publisher_confirms", "basic.nack", "consumer_cancel_notify",
                    "exchange_exchange_bindings", "per_consumer_qos", "authentication_failure_close"}) {
                assertEquals(Boolean.TRUE, capabilities.get(capability), capability + " in " + capabilities);
            }
            // A broker that cannot block publishers must not claim it; one that can says true.
            Object blocked = capabilities.get("connection.blocked");
            assertTrue(blocked == null || Boolean.TRUE.equals(blocked), "connection.blocked: " + blocked);
        }
    }
}
