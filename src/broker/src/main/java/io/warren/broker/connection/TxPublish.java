package io.warren.broker.connection;

import io.warren.amqp.EncodedProperties;
import io.warren.amqp.method.BasicPublish;
import io.warren.core.routing.RoutingTable;
import java.util.List;
import java.util.Map;
import org.apache.pekko.util.ByteString;

/**
 * A publish inside a transaction, held by the channel's core and routed when it commits (the core's
 * {@code RoutePublish} effect): {@code keys} with CC/BCC, {@code headers} as published (a headers exchange may match
 * BCC), {@code stored} the properties without BCC, and the routing table of the moment it was published.
 */
record TxPublish(BasicPublish method, List<String> keys, Map<String, Object> headers, EncodedProperties stored,
                 ByteString body, RoutingTable table) {}
