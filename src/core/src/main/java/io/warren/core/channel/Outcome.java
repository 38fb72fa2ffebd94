package io.warren.core.channel;

/** What settling a delivery does at its queue: basic.ack, or basic.reject/nack with requeue true or false. */
public enum Outcome { ACK, REQUEUE, DISCARD }
