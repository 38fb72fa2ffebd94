package io.warren.core.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An immutable trie of topic binding patterns, matched as RabbitMQ's topic exchange does.
 * <p>
 * Keys and patterns are words separated by '.'; the empty key has no words at all, while every '.' separates
 * two words, so "a..b" is three words with an empty middle one, ".a" starts with an empty word and "a." ends
 * with one. In a pattern "*" is exactly one word (an empty word too) and "#" is zero or more words; in a
 * routing key they are ordinary words. Runs of "#" in a pattern are stored as one (they match the same keys),
 * which keeps matching from re-walking the same suffixes.
 * <p>
 * Matching reads words straight out of the routing key by index: literal edges live in an open-addressing
 * table keyed by the word's {@link String#hashCode()}, which can be computed over a range of the key, so a
 * match allocates nothing. Changes copy only the nodes on the pattern's path.
 */
final class TopicTrie {
    static final TopicTrie EMPTY = new TopicTrie(Node.EMPTY, 0);

    private final Node root;
    private final int size;

    private TopicTrie(Node root, int size) {
        this.root = root;
        this.size = size;
    }

    int size() {
        return size;
    }

    /** This trie with the binding under its routing key as pattern; this trie if already there. */
    TopicTrie add(Binding binding) {
        Node newRoot = root.add(patternWords(binding.routingKey()), 0, binding);
        return newRoot == root ? this : new TopicTrie(newRoot, size + 1);
    }

    /** This trie without the binding; this trie if it was not there. Emptied nodes are pruned. */
    TopicTrie remove(Binding binding) {
        Node newRoot = root.remove(patternWords(binding.routingKey()), 0, binding);
        if (newRoot == root) {
            return this;
        }
        return newRoot == null ? EMPTY : new TopicTrie(newRoot, size - 1);
    }

    boolean contains(Binding binding) {
        Node node = root;
        for (String word : patternWords(binding.routingKey())) {
            node = node.child(word);
            if (node == null) {
                return false;
            }
        }
        return node.group.contains(binding);
    }

    /** Builds a trie holding this trie's bindings and some more, in one pass (no path copying per binding). */
    TopicTrie withAll(Collection<Binding> more) {
        Builder root = new Builder();
        List<Binding> all = new ArrayList<>(bindings());
        all.addAll(more);
        for (Binding b : all) {
            Builder node = root;
            for (String word : patternWords(b.routingKey())) {
                node = node.children.computeIfAbsent(word, w -> new Builder());
            }
            node.bindings.add(b);
        }
        Node built = root.build();
        return new TopicTrie(built, countBindings(built));
    }

    private static int countBindings(Node node) {
        int n = node.group.size();
        for (Node child : node.literal.nodes) {
            if (child != null) {
                n += countBindings(child);
            }
        }
        if (node.star != null) n += countBindings(node.star);
        if (node.hash != null) n += countBindings(node.hash);
        return n;
    }

    /** Emits the destinations of every pattern matching the routing key (possibly repeated across patterns). */
    void match(String routingKey, Consumer<Destination> out) {
        if (size == 0) {
            return;
        }
        // a word starts at index `start`; start > length means no words are left (the empty key has none)
        match(root, routingKey, routingKey.isEmpty() ? 1 : 0, out);
    }

    private static void match(Node node, String key, int start, Consumer<Destination> out) {
        int length = key.length();
        if (start > length) {
            node.group.emit(out);
            if (node.hash != null) {
                match(node.hash, key, start, out);
            }
            return;
        }
        int dot = key.indexOf('.', start);
        int end = dot < 0 ? length : dot;
        int next = end + 1;
        Node literal = node.literal.get(key, start, end);
        if (literal != null) {
            match(literal, key, next, out);
        }
        if (node.star != null) {
            match(node.star, key, next, out);
        }
        if (node.hash != null) {
            // "#" swallows zero, one, two ... all of the remaining words
            int s = start;
            while (true) {
                match(node.hash, key, s, out);
                if (s > length) {
                    break;
                }
                int d = key.indexOf('.', s);
                s = (d < 0 ? length : d) + 1;
            }
        }
    }

    Collection<Binding> bindings() {
        List<Binding> all = new ArrayList<>(size);
        collect(root, all);
        return all;
    }

    private static void collect(Node node, List<Binding> into) {
        node.group.collectBindings(into);
        for (Node child : node.literal.nodes) {
            if (child != null) {
                collect(child, into);
            }
        }
        if (node.star != null) collect(node.star, into);
        if (node.hash != null) collect(node.hash, into);
    }

    /** A pattern's words as stored: "" is no words, runs of "#" are one "#". */
    static String[] patternWords(String pattern) {
        if (pattern.isEmpty()) {
            return new String[0];
        }
        String[] words = pattern.split("\\.", -1);
        int n = 0;
        for (String w : words) {
            if (w.equals("#") && n > 0 && words[n - 1].equals("#")) {
                continue;
            }
            words[n++] = w;
        }
        return n == words.length ? words : java.util.Arrays.copyOf(words, n);
    }

    /** One trie node: literal edges, the "*" and "#" edges, and the bindings whose pattern ends here. */
    private static final class Node {
        static final Node EMPTY = new Node(EdgeTable.EMPTY, null, null, BindingGroup.EMPTY);

        final EdgeTable literal;
        final Node star;
        final Node hash;
        final BindingGroup group;

        Node(EdgeTable literal, Node star, Node hash, BindingGroup group) {
            this.literal = literal;
            this.star = star;
            this.hash = hash;
            this.group = group;
        }

        boolean isEmpty() {
            return group.isEmpty() && literal.size == 0 && star == null && hash == null;
        }

        Node child(String word) {
            return switch (word) {
                case "*" -> star;
                case "#" -> hash;
                default -> literal.get(word, 0, word.length());
            };
        }

        Node add(String[] words, int i, Binding binding) {
            if (i == words.length) {
                BindingGroup g = group.with(binding);
                return g == group ? this : new Node(literal, star, hash, g);
            }
            String word = words[i];
            Node child = child(word);
            Node base = child == null ? EMPTY : child;
            Node updated = base.add(words, i + 1, binding);
            if (updated == base && child != null) {
                return this;
            }
            return withChild(word, updated);
        }

        /** The node after removal: this if unchanged, null if it became empty. */
        Node remove(String[] words, int i, Binding binding) {
            Node result;
            if (i == words.length) {
                BindingGroup g = group.without(binding);
                if (g == group) {
                    return this;
                }
                result = new Node(literal, star, hash, g);
            } else {
                String word = words[i];
                Node child = child(word);
                if (child == null) {
                    return this;
                }
                Node updated = child.remove(words, i + 1, binding);
                if (updated == child) {
                    return this;
                }
                result = withChild(word, updated);
            }
            return result.isEmpty() ? null : result;
        }

        private Node withChild(String word, Node child) {
            return switch (word) {
                case "*" -> new Node(literal, child, hash, group);
                case "#" -> new Node(literal, star, child, group);
                default -> new Node(child == null ? literal.without(word) : literal.with(word, child), star, hash, group);
            };
        }
    }

    /** Mutable node for bulk building. */
    private static final class Builder {
        final Map<String, Builder> children = new HashMap<>();
        final List<Binding> bindings = new ArrayList<>();

        Node build() {
            Node star = null;
            Node hash = null;
            Map<String, Node> literals = new HashMap<>();
            for (Map.Entry<String, Builder> e : children.entrySet()) {
                Node child = e.getValue().build();
                switch (e.getKey()) {
                    case "*" -> star = child;
                    case "#" -> hash = child;
                    default -> literals.put(e.getKey(), child);
                }
            }
            return new Node(EdgeTable.of(literals), star, hash, bindings.isEmpty() ? BindingGroup.EMPTY : BindingGroup.of(bindings));
        }
    }

    /**
     * Immutable open-addressing map from word to child node, looked up by a range of the routing key.
     * Load factor at most 1/2, so probe chains stay short.
     */
    private static final class EdgeTable {
        static final EdgeTable EMPTY = new EdgeTable(new String[0], new int[0], new Node[0], 0);

        final String[] words;
        final int[] hashes;
        final Node[] nodes;
        final int size;

        private EdgeTable(String[] words, int[] hashes, Node[] nodes, int size) {
            this.words = words;
            this.hashes = hashes;
            this.nodes = nodes;
            this.size = size;
        }

        static EdgeTable of(Map<String, Node> entries) {
            if (entries.isEmpty()) {
                return EMPTY;
            }
            int capacity = capacityFor(entries.size());
            EdgeTable table = new EdgeTable(new String[capacity], new int[capacity], new Node[capacity], entries.size());
            for (Map.Entry<String, Node> e : entries.entrySet()) {
                table.insert(e.getKey(), e.getValue());
            }
            return table;
        }

        private static int capacityFor(int entries) {
            int capacity = 4;
            while (capacity < entries * 2) {
                capacity <<= 1;
            }
            return capacity;
        }

        private static int spread(int h) {
            return h ^ (h >>> 16);
        }

        /** The same value as key.substring(start, end).hashCode(), without the substring. */
        private static int rangeHash(String key, int start, int end) {
            int h = 0;
            for (int i = start; i < end; i++) {
                h = 31 * h + key.charAt(i);
            }
            return h;
        }

        Node get(String key, int start, int end) {
            if (size == 0) {
                return null;
            }
            int h = rangeHash(key, start, end);
            int length = end - start;
            int mask = words.length - 1;
            for (int i = spread(h) & mask; ; i = (i + 1) & mask) {
                String w = words[i];
                if (w == null) {
                    return null;
                }
                if (hashes[i] == h && w.length() == length && key.regionMatches(start, w, 0, length)) {
                    return nodes[i];
                }
            }
        }

        /** Only on a table under construction with room to spare. */
        private void insert(String word, Node node) {
            int h = word.hashCode();
            int mask = words.length - 1;
            int i = spread(h) & mask;
            while (words[i] != null && !words[i].equals(word)) {
                i = (i + 1) & mask;
            }
            words[i] = word;
            hashes[i] = h;
            nodes[i] = node;
        }

        EdgeTable with(String word, Node node) {
            boolean present = get(word, 0, word.length()) != null;
            int newSize = present ? size : size + 1;
            EdgeTable copy;
            if (!present && newSize * 2 > words.length) {
                int capacity = capacityFor(newSize);
                copy = new EdgeTable(new String[capacity], new int[capacity], new Node[capacity], newSize);
                for (int i = 0; i < words.length; i++) {
                    if (words[i] != null) {
                        copy.insert(words[i], nodes[i]);
                    }
                }
            } else {
                copy = new EdgeTable(words.clone(), hashes.clone(), nodes.clone(), newSize);
            }
            copy.insert(word, node);
            return copy;
        }

        EdgeTable without(String word) {
            if (get(word, 0, word.length()) == null) {
                return this;
            }
            if (size == 1) {
                return EMPTY;
            }
            // rebuilding keeps probe chains intact without tombstones
            Map<String, Node> rest = new HashMap<>(size * 2);
            for (int i = 0; i < words.length; i++) {
                if (words[i] != null && !words[i].equals(word)) {
                    rest.put(words[i], nodes[i]);
                }
            }
            return of(rest);
        }
    }
}
