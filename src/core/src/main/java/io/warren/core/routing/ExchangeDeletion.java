package io.warren.core.routing;

import java.util.List;

/**
 * The outcome of deleting an exchange: whether it existed, and the auto-delete exchanges that were deleted
 * with it because they lost their last binding as source (bindings to the deleted exchange go with it).
 */
public record ExchangeDeletion(boolean deleted, List<String> autoDeletedExchanges) {
    public ExchangeDeletion {
        autoDeletedExchanges = List.copyOf(autoDeletedExchanges);
    }
}
