package io.warren.amqp;

/**
 * An AMQP exception as the protocol defines it: a reply code and text, the class and method that caused it,
 * and whether it closes the whole connection (hard error) or just the channel (soft error).
 */
public class AmqpException extends RuntimeException {
    private final int replyCode;
    private final int classId;
    private final int methodId;
    private final boolean connectionLevel;

    public AmqpException(int replyCode, String replyText, int classId, int methodId, boolean connectionLevel) {
        super(replyText);
        this.replyCode = replyCode;
        this.classId = classId;
        this.methodId = methodId;
        this.connectionLevel = connectionLevel;
    }

    /** A channel-level error not tied to a method (class and method 0). */
    public static AmqpException channel(int replyCode, String replyText) {
        return new AmqpException(replyCode, replyText, 0, 0, false);
    }

    /** A connection-level error not tied to a method (class and method 0). */
    public static AmqpException connection(int replyCode, String replyText) {
        return new AmqpException(replyCode, replyText, 0, 0, true);
    }

    /** The same error, attributed to the method that caused it (so close carries its class and method ids). */
    public AmqpException causedBy(int newClassId, int newMethodId) {
        return new AmqpException(replyCode, getMessage(), newClassId, newMethodId, connectionLevel);
    }

    public int replyCode() { return replyCode; }
    public String replyText() { return getMessage(); }
    public int classId() { return classId; }
    public int methodId() { return methodId; }
    public boolean connectionLevel() { return connectionLevel; }
}
