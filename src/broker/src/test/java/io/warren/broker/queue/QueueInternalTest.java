package io.warren.broker.queue;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.broker.protocol.QueueCommand;
import io.warren.broker.protocol.WarrenSerializable;
import java.lang.reflect.Modifier;
import org.junit.jupiter.api.Test;

/** What a queue tells itself never leaves the node: package-private, and not bound to Warren's serializer. */
class QueueInternalTest {

    @Test
    void internalMessagesArePackagePrivateAndHaveNoWireFormat() {
        assertFalse(Modifier.isPublic(QueueInternal.class.getModifiers()));
        Class<?>[] internal = QueueInternal.class.getPermittedSubclasses();
        assertTrue(internal.length >= 10);
        assertTrue(QueueCommand.NodeLocal.class.isAssignableFrom(QueueInternal.class));
        assertFalse(WarrenSerializable.class.isAssignableFrom(QueueCommand.NodeLocal.class));
        for (Class<?> c : internal) {
            assertFalse(WarrenSerializable.class.isAssignableFrom(c), c.getName() + " must not be serializable");
        }
        for (Class<?> c : QueueCommand.class.getPermittedSubclasses()) {
            if (c != QueueCommand.NodeLocal.class) {
                assertTrue(WarrenSerializable.class.isAssignableFrom(c), c.getName() + " crosses nodes");
            }
        }
    }
}
