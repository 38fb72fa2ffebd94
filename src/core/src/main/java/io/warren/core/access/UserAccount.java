package io.warren.core.access;

import java.util.List;

/** A user as stored: its name, its password as a {@link PasswordHash} (empty: cannot log in with a password), its tags. */
public record UserAccount(String name, String passwordHash, List<String> tags) {
    public UserAccount {
        tags = List.copyOf(tags);
    }

    public boolean hasTag(String tag) {
        return tags.contains(tag);
    }
}
