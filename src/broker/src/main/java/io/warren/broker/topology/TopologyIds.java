package io.warren.broker.topology;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Entity id of a vhost's topology entity. */
public final class TopologyIds {
    private TopologyIds() {}

    public static String of(String vhost) {
        return URLEncoder.encode(vhost, StandardCharsets.UTF_8);
    }
}
