package io.warren.server;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version Maven stamped into version.properties at build time. */
public final class WarrenVersion {
    private WarrenVersion() {}

    public static String get() {
        try (InputStream in = WarrenVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
