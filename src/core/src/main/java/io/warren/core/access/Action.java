package io.warren.core.access;

/** The three kinds of access RabbitMQ grants per user and vhost, each a regular expression over resource names. */
public enum Action {
    CONFIGURE, WRITE, READ
}
