package io.warren.core.routing;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * An immutable set of bindings that match in the same place (one direct key, one topic trie node, all of a
 * fanout exchange), with their destinations kept distinct so routing emits each destination once and allocates
 * nothing. Two bindings to one queue that differ only in arguments both live here; the queue is routed to
 * while either exists.
 */
final class BindingGroup {
    static final BindingGroup EMPTY = new BindingGroup(new Binding[0], new Destination[0]);

    private final Binding[] bindings;
    private final Destination[] destinations;

    private BindingGroup(Binding[] bindings, Destination[] destinations) {
        this.bindings = bindings;
        this.destinations = destinations;
    }

    static BindingGroup of(List<Binding> bindings) {
        LinkedHashSet<Binding> unique = new LinkedHashSet<>(bindings);
        LinkedHashSet<Destination> dests = new LinkedHashSet<>();
        for (Binding b : unique) {
            dests.add(b.destination());
        }
        return new BindingGroup(unique.toArray(new Binding[0]), dests.toArray(new Destination[0]));
    }

    int size() {
        return bindings.length;
    }

    boolean isEmpty() {
        return bindings.length == 0;
    }

    boolean contains(Binding binding) {
        for (Binding b : bindings) {
            if (b.equals(binding)) {
                return true;
            }
        }
        return false;
    }

    /** This group with the binding; this group itself if already present. */
    BindingGroup with(Binding binding) {
        if (contains(binding)) {
            return this;
        }
        Binding[] newBindings = Arrays.copyOf(bindings, bindings.length + 1);
        newBindings[bindings.length] = binding;
        Destination[] newDestinations = destinations;
        if (!hasDestination(binding.destination())) {
            newDestinations = Arrays.copyOf(destinations, destinations.length + 1);
            newDestinations[destinations.length] = binding.destination();
        }
        return new BindingGroup(newBindings, newDestinations);
    }

    /** This group without the binding; this group itself if absent, {@link #EMPTY} when the last one goes. */
    BindingGroup without(Binding binding) {
        int index = -1;
        for (int i = 0; i < bindings.length; i++) {
            if (bindings[i].equals(binding)) {
                index = i;
                break;
            }
        }
        if (index < 0) {
            return this;
        }
        if (bindings.length == 1) {
            return EMPTY;
        }
        Binding[] newBindings = new Binding[bindings.length - 1];
        System.arraycopy(bindings, 0, newBindings, 0, index);
        System.arraycopy(bindings, index + 1, newBindings, index, bindings.length - index - 1);
        Destination gone = binding.destination();
        for (Binding b : newBindings) {
            if (b.destination().equals(gone)) {
                return new BindingGroup(newBindings, destinations);
            }
        }
        Destination[] newDestinations = new Destination[destinations.length - 1];
        int n = 0;
        for (Destination d : destinations) {
            if (!d.equals(gone)) {
                newDestinations[n++] = d;
            }
        }
        return new BindingGroup(newBindings, newDestinations);
    }

    private boolean hasDestination(Destination destination) {
        for (Destination d : destinations) {
            if (d.equals(destination)) {
                return true;
            }
        }
        return false;
    }

    void emit(Consumer<Destination> out) {
        for (Destination d : destinations) {
            out.accept(d);
        }
    }

    void collectBindings(List<Binding> into) {
        into.addAll(Arrays.asList(bindings));
    }

    Binding[] bindings() {
        return bindings;
    }
}
