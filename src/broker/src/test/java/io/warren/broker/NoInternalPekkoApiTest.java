package io.warren.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The build check that Warren uses only Pekko's public API: every main source file of every module is scanned for
 * Pekko's INTERNAL API and {@code private[...]} classes, which may change in any release (issue 11). Comments are
 * ignored, so the docs may still name what is avoided and why.
 */
class NoInternalPekkoApiTest {

    /** What is forbidden, and why, as the failure message says. */
    private static final Map<String, Pattern> FORBIDDEN = Map.of(
            "JournalProtocol (private[persistence]): persist through a PersistentActor or EventSourcedBehavior",
            Pattern.compile("\\bJournalProtocol\\b"),
            "SnapshotProtocol (private[persistence]): use saveSnapshot of a persistent actor",
            Pattern.compile("\\bSnapshotProtocol\\b"),
            "Persistence.journalFor / snapshotStoreFor (INTERNAL API)",
            Pattern.compile("\\b(journalFor|snapshotStoreFor)\\s*\\("),
            "PersistentEnvelope / Eventsourced (private[persistence])",
            Pattern.compile("\\b(PersistentEnvelope|Eventsourced)\\b"),
            "a Scala companion object's MODULE$ of a Pekko class (not part of the Java API)",
            Pattern.compile("\\b(PersistentRepr|AtomicWrite|SnapshotMetadata)\\$"),
            "a Pekko internal or impl package",
            Pattern.compile("org\\.apache\\.pekko\\.[\\w.]*\\.(internal|impl)\\b"),
            "Pekko private classes (system messages, OptionVal, PromiseActorRef, Artery internals)",
            Pattern.compile("org\\.apache\\.pekko\\.(dispatch\\.sysmsg|remote\\.artery)\\b|\\b(OptionVal|PromiseActorRef)\\b"));

    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void mainSourcesUseNoPekkoInternalApi() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        while (root != null && !Files.isDirectory(root.resolve("src/broker"))) root = root.getParent();
        assertTrue(root != null, "repository root not found above " + Path.of("").toAbsolutePath());
        List<Path> sources = new ArrayList<>();
        try (Stream<Path> modules = Files.list(root.resolve("src"))) {
            for (Path module : modules.toList()) {
                Path main = module.resolve("src/main/java");
                if (!Files.isDirectory(main)) continue;
                try (Stream<Path> files = Files.walk(main)) {
                    files.filter(p -> p.toString().endsWith(".java")).forEach(sources::add);
                }
            }
        }
        assertTrue(sources.size() > 100, "too few sources found to trust the scan: " + sources.size());
        List<String> found = new ArrayList<>();
        for (Path source : sources) {
            String code = COMMENTS.matcher(Files.readString(source)).replaceAll(" ");
            for (Map.Entry<String, Pattern> rule : FORBIDDEN.entrySet()) {
                Matcher m = rule.getValue().matcher(code);
                while (m.find()) found.add(root.relativize(source) + ": '" + m.group() + "' — " + rule.getKey());
            }
        }
        assertEquals(List.of(), found, "Pekko INTERNAL API in main sources");
    }
}
