package io.warren.broker.protocol;

/**
 * Between the {@code FailoverGuard}s of two members: a node that could not run for longer than the others' earliest
 * downing decision asks each other member how it sees it, before it serves or writes again.
 */
public sealed interface StallCheck extends WarrenSerializable {

    /** "What is my status in your view?" from the incarnation {@code address} + {@code uid}; {@code round} echoes. */
    record Query(String address, long uid, long round) implements StallCheck {}

    /**
     * {@code status}: the name of a {@code StallVerdict.Answer} (UP, UNREACHABLE, DOWNED), as text so that this
     * protocol does not depend on the cluster package; {@code responder} is the answering member's address.
     */
    record Answer(long round, String responder, String status) implements StallCheck {}
}
