/**
 * The messages that cross actors and nodes: what queue, topology and access entities are asked and answer, what a
 * connection's channels are told, and the serialization markers that bind them to a wire format. A leaf: it depends
 * only on {@code core} and {@code amqp}, so {@code connection}, {@code queue}, {@code topology}, {@code access} and
 * {@code serialization} all depend on it and not on each other for their protocols. Messages an actor sends only to
 * itself stay package-private next to it and have no wire format.
 */
package io.warren.broker.protocol;
