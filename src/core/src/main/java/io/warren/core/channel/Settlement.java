package io.warren.core.channel;

import java.util.List;

/** Deliveries the client settled with one method, and how. */
public record Settlement(List<Unacked> deliveries, Outcome outcome) {}
