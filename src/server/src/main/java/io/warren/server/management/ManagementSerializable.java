package io.warren.server.management;

/**
 * Marker for the management messages that cross nodes (a node's figures for another node's management API);
 * bound to Pekko's jackson-cbor serializer in this module's reference.conf. Implementations are plain records of
 * strings, numbers, lists and typed ActorRefs.
 */
public interface ManagementSerializable {}
