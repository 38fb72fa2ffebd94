package io.warren.amqp;

/** AMQP 0-9-1 reply codes, with the names RabbitMQ prints in reply texts. */
public final class ReplyCodes {
    private ReplyCodes() {}

    public static final int REPLY_SUCCESS = 200;
    public static final int CONTENT_TOO_LARGE = 311;
    public static final int NO_ROUTE = 312;
    public static final int NO_CONSUMERS = 313;
    public static final int CONNECTION_FORCED = 320;
    public static final int INVALID_PATH = 402;
    public static final int ACCESS_REFUSED = 403;
    public static final int NOT_FOUND = 404;
    public static final int RESOURCE_LOCKED = 405;
    public static final int PRECONDITION_FAILED = 406;
    public static final int FRAME_ERROR = 501;
    public static final int SYNTAX_ERROR = 502;
    public static final int COMMAND_INVALID = 503;
    public static final int CHANNEL_ERROR = 504;
    public static final int UNEXPECTED_FRAME = 505;
    public static final int RESOURCE_ERROR = 506;
    public static final int NOT_ALLOWED = 530;
    public static final int NOT_IMPLEMENTED = 540;
    public static final int INTERNAL_ERROR = 541;

    /** Whether this code closes the connection rather than the channel (the spec's "hard errors"). */
    public static boolean isHardError(int code) {
        return switch (code) {
            case 320, 402, 501, 502, 503, 504, 505, 506, 530, 540, 541 -> true;
            default -> false;
        };
    }

    public static String name(int code) {
        return switch (code) {
            case 200 -> "REPLY_SUCCESS";
            case 311 -> "CONTENT_TOO_LARGE";
            case 312 -> "NO_ROUTE";
            case 313 -> "NO_CONSUMERS";
            case 320 -> "CONNECTION_FORCED";
            case 402 -> "INVALID_PATH";
            case 403 -> "ACCESS_REFUSED";
            case 404 -> "NOT_FOUND";
            case 405 -> "RESOURCE_LOCKED";
            case 406 -> "PRECONDITION_FAILED";
            case 501 -> "FRAME_ERROR";
            case 502 -> "SYNTAX_ERROR";
            case 503 -> "COMMAND_INVALID";
            case 504 -> "CHANNEL_ERROR";
            case 505 -> "UNEXPECTED_FRAME";
            case 506 -> "RESOURCE_ERROR";
            case 530 -> "NOT_ALLOWED";
            case 540 -> "NOT_IMPLEMENTED";
            case 541 -> "INTERNAL_ERROR";
            default -> "UNKNOWN";
        };
    }

    /**
     * A reply text that fits the shortstr it travels in: cut at 255 UTF-8 bytes (on a character boundary), so a long
     * queue name in an error never turns a channel error into a broken connection.
     */
    public static String fitShortstr(String text) {
        byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (utf8.length <= 255) return text;
        int end = 255;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) end--; // never split a multi-byte character
        return new String(utf8, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** RabbitMQ's reply text form: "NOT_FOUND - no queue 'q' in vhost '/'". */
    public static String text(int code, String detail) {
        return name(code) + " - " + detail;
    }
}
