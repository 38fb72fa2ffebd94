package io.warren.amqp.frame;

/** Pseudo-frame: the client's 8-byte protocol header arrived and is "AMQP" 0 0 9 1. */
public record ProtocolHeader() implements Frame {}
