package io.warren.broker.protocol;

import io.warren.core.access.AccessState;

/**
 * Published on a node's event stream by its access replica when the policies or operator policies changed: each
 * local queue (and whatever else acts on policies) then looks up what now applies to it. Node-local, never serialized.
 */
public record PoliciesChanged(AccessState state) {}
