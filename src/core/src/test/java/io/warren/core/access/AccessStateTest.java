package io.warren.core.access;

import static org.junit.jupiter.api.Assertions.*;

import io.warren.amqp.AmqpException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AccessStateTest {
    private static AccessState base() {
        return AccessState.empty()
                .apply(new AccessChange.PutVhost("/"))
                .apply(new AccessChange.PutUser(new UserAccount("u", PasswordHash.hash("p"), List.of())))
                .apply(new AccessChange.SetPermission("u", "/", Permission.of("^conf", "^write", "^read")));
    }

    private static String refusal(Runnable r) {
        AmqpException e = assertThrows(AmqpException.class, r::run);
        assertEquals(403, e.replyCode());
        assertFalse(e.connectionLevel());
        return e.replyText();
    }

    @Test
    void checksEachActionAgainstItsOwnExpression() {
        AccessState s = base();
        s.check("u", "/", ResourceKind.QUEUE, "conf-q", Action.CONFIGURE);
        s.check("u", "/", ResourceKind.EXCHANGE, "write-x", Action.WRITE);
        s.check("u", "/", ResourceKind.QUEUE, "read-q", Action.READ);
        assertEquals("ACCESS_REFUSED - access to queue 'read-q' in vhost '/' refused for user 'u'",
                refusal(() -> s.check("u", "/", ResourceKind.QUEUE, "read-q", Action.CONFIGURE)));
        assertEquals("ACCESS_REFUSED - access to queue 'conf-q' in vhost '/' refused for user 'u'",
                refusal(() -> s.check("u", "/", ResourceKind.QUEUE, "conf-q", Action.READ)));
    }

    @Test
    void theDefaultExchangeIsNamedAmqDefault() {
        assertEquals("ACCESS_REFUSED - access to exchange 'amq.default' in vhost '/' refused for user 'u'",
                refusal(() -> base().check("u", "/", ResourceKind.EXCHANGE, "", Action.WRITE)));
    }

    @Test
    void expressionsAreSearchedNotMatchedWhole_andEmptyMeansNothing() {
        AccessState s = base().apply(new AccessChange.SetPermission("u", "/", Permission.of("q", "", ".*")));
        s.check("u", "/", ResourceKind.QUEUE, "my-q-1", Action.CONFIGURE); // "q" is found inside the name
        refusal(() -> s.check("u", "/", ResourceKind.EXCHANGE, "x", Action.WRITE));
        refusal(() -> s.check("u", "/", ResourceKind.EXCHANGE, "", Action.WRITE));
        AccessState t = base().apply(new AccessChange.SetPermission("u", "/", Permission.of("", "^amq\\.default$", "")));
        t.check("u", "/", ResourceKind.EXCHANGE, "", Action.WRITE);
    }

    @Test
    void noPermissionEntryRefusesEverything_andAnotherVhostIsSeparate() {
        AccessState s = base().apply(new AccessChange.PutVhost("other"));
        assertEquals("ACCESS_REFUSED - access to queue 'read-q' in vhost 'other' refused for user 'u'",
                refusal(() -> s.check("u", "other", ResourceKind.QUEUE, "read-q", Action.READ)));
        assertEquals(Set.of("/"), s.vhostsOf("u"));
    }

    @Test
    void deletingAUserOrVhostDropsItsPermissions() {
        AccessState s = base().apply(new AccessChange.DeleteUser("u"));
        assertTrue(s.permission("u", "/").isEmpty());
        assertTrue(s.permissions().isEmpty());
        AccessState t = base().apply(new AccessChange.DeleteVhost("/"));
        assertTrue(t.permissions().isEmpty());
        assertEquals(Set.of(), t.vhostsOf("u"));
    }

    @Test
    void everyChangeBumpsTheVersion() {
        assertEquals(3, base().version());
    }

    @Test
    void refusesChangesThatDoNotApply() {
        AccessState s = base();
        assertThrows(IllegalArgumentException.class, () -> s.apply(new AccessChange.SetPermission("nobody", "/", Permission.all())));
        assertThrows(IllegalArgumentException.class, () -> s.apply(new AccessChange.SetPermission("u", "nowhere", Permission.all())));
        assertThrows(IllegalArgumentException.class, () -> s.apply(new AccessChange.DeleteUser("nobody")));
        assertThrows(IllegalArgumentException.class, () -> s.apply(new AccessChange.ClearPermission("u", "nowhere")));
        assertThrows(IllegalArgumentException.class, () -> s.apply(new AccessChange.PutVhost("")));
        assertThrows(IllegalArgumentException.class, () -> s.apply(new AccessChange.PutUser(new UserAccount("x", "not-a-hash", List.of()))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Permission.of("(", ".*", ".*"));
        assertTrue(e.getMessage().startsWith("invalid configure regular expression '('"), e.getMessage());
    }

    @Test
    void stateIsImmutable() {
        AccessState s = base();
        assertThrows(UnsupportedOperationException.class, () -> s.users().clear());
        assertThrows(UnsupportedOperationException.class, () -> s.permissions().get("/").clear());
        assertEquals(Map.of("u", Permission.of("^conf", "^write", "^read")), s.permissions().get("/"));
    }
}
