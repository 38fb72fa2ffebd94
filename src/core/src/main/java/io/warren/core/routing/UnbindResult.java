package io.warren.core.routing;

import java.util.List;

/**
 * The outcome of removing a binding: whether it existed, and the auto-delete exchanges that were deleted
 * because they lost their last binding as source (in deletion order; a deletion can cascade, since a deleted
 * exchange's own bindings as destination go with it).
 */
public record UnbindResult(boolean removed, List<String> autoDeletedExchanges) {
    public UnbindResult {
        autoDeletedExchanges = List.copyOf(autoDeletedExchanges);
    }
}
