package io.warren.server.management;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** RabbitMQ's list parameters without a node: sort, columns, paging and the name filter. */
class ListQueryTest {

    private static ListQuery query(String queryString) {
        Map<String, String> params = new HashMap<>();
        for (String pair : queryString.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            params.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return ListQuery.parse(k -> Optional.ofNullable(params.get(k)));
    }

    private static List<Map<String, Object>> items(int n) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", String.format("q-%03d", i));
            m.put("messages", n - i);
            m.put("message_stats", Map.of("publish", i % 7, "publish_details", Map.of("rate", i % 7 * 1.5)));
            out.add(m);
        }
        return out;
    }

    @Test
    void withoutParametersTheListIsUnchanged() {
        List<Map<String, Object>> list = items(3);
        assertEquals(list, ListQuery.NONE.apply(list));
        assertEquals(list, query("name=q-001").apply(list), "name filters paged requests only, as in RabbitMQ");
    }

    @Test
    @SuppressWarnings("unchecked")
    void sortsByNestedNumericFieldsAndReverses() {
        List<Map<String, Object>> sorted = (List<Map<String, Object>>) query("sort=messages").apply(items(12));
        assertEquals("q-011", sorted.get(0).get("name"), "numbers compare by value, not as text (1 < 12)");
        List<Map<String, Object>> byRate = (List<Map<String, Object>>) query("sort=message_stats.publish_details.rate&sort_reverse=true")
                .apply(items(12));
        assertEquals(9.0, ((Map<String, Object>) byRate.get(0).get("message_stats")).get("publish_details") instanceof Map<?, ?> d
                ? ((Number) d.get("rate")).doubleValue() : -1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void columnsKeepNesting() {
        List<Map<String, Object>> projected = (List<Map<String, Object>>) query("columns=name,message_stats.publish,missing")
                .apply(items(1));
        assertEquals(Map.of("name", "q-000", "message_stats", Map.of("publish", 0)), projected.get(0));
    }

    @Test
    @SuppressWarnings("unchecked")
    void pagesCountAndFilter() {
        Map<String, Object> page = (Map<String, Object>) query("page=3&page_size=4&name=Q-0&sort=name").apply(items(10));
        assertEquals(10, page.get("total_count"));
        assertEquals(10, page.get("filtered_count"));
        assertEquals(2, page.get("item_count"));
        assertEquals(3, page.get("page_count"));
        assertEquals("q-008", ((List<Map<String, Object>>) page.get("items")).get(0).get("name"));
        Map<String, Object> regex = (Map<String, Object>) query("page=1&name=^q-00[13]$&use_regex=true").apply(items(10));
        assertEquals(2, regex.get("filtered_count"));
        Map<String, Object> empty = (Map<String, Object>) query("page=1").apply(List.of());
        assertEquals(0, empty.get("page_count"));
    }

    @Test
    void badParametersAreRefusedAsRabbitmqDoes() {
        ApiRequestException zero = assertThrows(ApiRequestException.class, () -> query("page=0"));
        assertEquals("invalid_pagination_parameters", zero.error);
        assertEquals("Invalid pagination parameters: page number 0, page size undefined", zero.getMessage());
        assertThrows(ApiRequestException.class, () -> query("page=1&page_size=501"));
        assertThrows(ApiRequestException.class, () -> query("page=x"));
        assertEquals("Pagination parameters are invalid",
                assertThrows(ApiRequestException.class, () -> query("page=1&name=[&use_regex=true")).getMessage());
        ApiRequestException range = assertThrows(ApiRequestException.class, () -> query("page=4&page_size=4").apply(items(10)));
        assertEquals("page_out_of_range", range.error);
        query("page=2&page_size=5").apply(items(10));
        query("page=3&page_size=5").apply(items(10)); // one past an exact end is an empty page (lists:sublist/3)
    }
}
