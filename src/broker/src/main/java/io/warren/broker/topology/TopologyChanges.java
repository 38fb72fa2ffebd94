package io.warren.broker.topology;

import io.warren.broker.protocol.TopologySnapshot;
import io.warren.broker.protocol.TopologyChange;
import io.warren.core.routing.RoutingTable;
import java.util.Map;

/**
 * Applies a change to a routing table. The topology entity and every replica run the same code on the same
 * sequence of changes, so cascades (auto-delete exchanges, bindings of a deleted queue) come out the same everywhere.
 */
final class TopologyChanges {
    private TopologyChanges() {}

    static void apply(RoutingTable table, Map<String, Boolean> queues, TopologyChange change) {
        {
            Object sw13 = change;
            if (sw13 instanceof TopologyChange.ExchangeDeclared d) {
                table.declareExchange(d.definition());
            } else if (sw13 instanceof TopologyChange.ExchangeDeleted d) {
                table.deleteExchangeCascading(d.name());
            } else if (sw13 instanceof TopologyChange.Bound b) {
                try {
                    table.bind(b.binding());
                } catch (RuntimeException alreadyGone) {
                    // An end was deleted by a later change this replica already has: nothing to bind.
                }
            } else if (sw13 instanceof TopologyChange.Unbound u) {
                table.unbind(u.binding());
            } else if (sw13 instanceof TopologyChange.QueueDeclared q) {
                table.declareQueue(q.name());
                queues.put(q.name(), q.durable());
            } else if (sw13 instanceof TopologyChange.QueueDeleted q) {
                table.removeQueue(q.name());
                queues.remove(q.name());
            }
        }
    }

    static RoutingTable fromSnapshot(TopologySnapshot s, Map<String, Boolean> queues) {
        RoutingTable table = RoutingTable.withDefaults(s.vhost());
        s.exchanges().forEach(table::declareExchange);
        s.queues().forEach((name, durable) -> {
            table.declareQueue(name);
            queues.put(name, durable);
        });
        table.bindAll(s.bindings());
        return table;
    }
}
