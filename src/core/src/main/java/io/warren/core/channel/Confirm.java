package io.warren.core.channel;

/** A basic.ack ({@code ack}) or basic.nack the channel sends a confirming publisher. */
public record Confirm(long seq, boolean multiple, boolean ack) {}
