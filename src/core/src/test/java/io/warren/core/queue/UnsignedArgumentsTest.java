package io.warren.core.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.warren.amqp.FieldValues;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Clients may send integer arguments with unsigned wire types ('i', 'u', 'B'); RabbitMQ takes them as integers. */
class UnsignedArgumentsTest {
    @Test
    void unsignedIntegerTypesAreIntegers() {
        QueueArguments args = QueueArguments.parse(Map.of(
                "x-max-length", new FieldValues.UnsignedInt(5),
                "x-message-ttl", new FieldValues.UnsignedShort(1000),
                "x-max-priority", new FieldValues.UnsignedByte(9)));
        assertEquals(5L, args.maxLength());
        assertEquals(1000L, args.messageTtl());
        assertEquals(9, args.maxPriority());
    }
}
