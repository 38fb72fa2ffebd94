package io.warren.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.amqp.AmqpException;
import io.warren.amqp.BasicProperties;
import io.warren.amqp.frame.ContentBodyFrame;
import io.warren.amqp.frame.ContentHeaderFrame;
import io.warren.amqp.method.BasicPublish;
import io.warren.amqp.method.QueueDeclare;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class ContentAssemblerTest {

    private static final BasicPublish PUBLISH = new BasicPublish("x", "k", false, false);
    private final ContentAssembler a = new ContentAssembler(100);

    private static ContentHeaderFrame header(int classId, long size) {
        return new ContentHeaderFrame(1, classId, size, BasicProperties.EMPTY);
    }

    private static ContentBodyFrame body(String s) {
        return new ContentBodyFrame(1, ByteString.fromString(s));
    }

    private static AmqpException unexpected(Runnable r, String text, int classId, int methodId) {
        AmqpException e = assertThrows(AmqpException.class, r::run);
        assertEquals(505, e.replyCode());
        assertTrue(e.connectionLevel());
        assertEquals("UNEXPECTED_FRAME - " + text, e.replyText());
        assertEquals(classId, e.classId());
        assertEquals(methodId, e.methodId());
        return e;
    }

    @Test
    void aPublishWithBodyInSeveralFramesIsAssembled() {
        a.onMethod(PUBLISH);
        assertTrue(a.inProgress());
        assertEquals(Optional.empty(), a.onHeader(header(60, 5)));
        assertEquals(Optional.empty(), a.onBody(body("he")));
        AssembledPublish p = a.onBody(body("llo")).orElseThrow();
        assertEquals(PUBLISH, p.method());
        assertEquals("hello", p.body().utf8String());
        assertFalse(a.inProgress());
    }

    @Test
    void anEmptyBodyCompletesWithTheHeader() {
        a.onMethod(PUBLISH);
        assertEquals(0, a.onHeader(header(60, 0)).orElseThrow().body().size());
    }

    @Test
    void methodsWithoutContentPassThrough() {
        a.onMethod(new QueueDeclare("q", false, false, false, false, false, Map.of()));
        assertFalse(a.inProgress());
    }

    @Test
    void aHeaderWithNoMethodBeforeItIsUnexpected() {
        unexpected(() -> a.onHeader(header(60, 1)), "expected method frame, got non method frame instead", 0, 0);
    }

    @Test
    void anUndecodableHeaderIsUnexpectedWithoutAMethodAndAFrameErrorAfterOne() {
        AmqpException frameError = AmqpException.connection(501, "FRAME_ERROR - type 2: bad properties");
        ContentHeaderFrame bad = ContentHeaderFrame.undecodable(1, 60, 1, frameError);
        unexpected(() -> a.onHeader(bad), "expected method frame, got non method frame instead", 0, 0);
        a.onMethod(PUBLISH);
        org.junit.jupiter.api.Assertions.assertSame(frameError, assertThrows(AmqpException.class, () -> a.onHeader(bad)));
    }

    @Test
    void aHeaderOfAnotherClassThanItsMethodIsUnexpected() {
        a.onMethod(PUBLISH);
        unexpected(() -> a.onHeader(header(50, 1)), "expected content header for class 60, got one for class 50 instead", 60, 40);
    }

    @Test
    void aMethodInsteadOfTheHeaderIsUnexpected() {
        a.onMethod(PUBLISH);
        unexpected(() -> a.onMethod(PUBLISH), "expected content header for class 60, got non content header frame instead", 60, 40);
    }

    @Test
    void aMethodInsteadOfTheBodyIsUnexpected() {
        a.onMethod(PUBLISH);
        a.onHeader(header(60, 3));
        unexpected(() -> a.onMethod(PUBLISH), "expected content body, got non content body frame instead", 60, 40);
    }

    @Test
    void aBodyWithNoHeaderIsUnexpected() {
        unexpected(() -> a.onBody(body("x")), "expected method frame, got non method frame instead", 0, 0);
        a.onMethod(PUBLISH);
        unexpected(() -> a.onBody(body("x")), "expected content header for class 60, got non content header frame instead", 60, 40);
    }

    @Test
    void aBodyLongerThanTheHeaderSaidIsAFrameError() {
        a.onMethod(PUBLISH);
        a.onHeader(header(60, 2));
        assertEquals(501, assertThrows(AmqpException.class, () -> a.onBody(body("abc"))).replyCode());
    }

    @Test
    void aBodyOverTheLimitIsAChannelError406() {
        a.onMethod(PUBLISH);
        AmqpException e = assertThrows(AmqpException.class, () -> a.onHeader(header(60, 101)));
        assertEquals(406, e.replyCode());
        assertFalse(e.connectionLevel());
        assertEquals("PRECONDITION_FAILED - message size 101 is larger than configured max size 100", e.replyText());
        assertFalse(a.inProgress());
    }
}
