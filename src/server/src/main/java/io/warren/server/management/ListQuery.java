package io.warren.server.management;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * The query parameters of RabbitMQ's list endpoints (rabbit_mgmt_util): {@code sort} (a field, dotted for nested
 * ones, e.g. {@code message_stats.publish_details.rate}) and {@code sort_reverse}; {@code columns} (comma-separated
 * fields, dotted ones keep their nesting); and paging: with {@code page} (and optional {@code page_size}, 1..500,
 * default 100) the answer is an object {@code {total_count, item_count, filtered_count, page, page_size,
 * page_count, items}}, and {@code name} filters by the items' names (case-insensitive substring, or with
 * {@code use_regex=true} a case-insensitive regular expression). As in RabbitMQ, {@code name} applies only to paged
 * requests, and a page past the last one is a 400; error words and reasons are RabbitMQ 3.10's (checked against it).
 */
record ListQuery(Optional<List<String>> sort, boolean sortReverse, Optional<List<List<String>>> columns,
                 Optional<Page> page) {

    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 500;

    /** A paged request: page number (from 1), page size and the name filter (null for none). */
    record Page(int page, int pageSize, Pattern name) {}

    static final ListQuery NONE = new ListQuery(Optional.empty(), false, Optional.empty(), Optional.empty());

    /** Reads the parameters; bad paging parameters are a 400 with RabbitMQ's reason. */
    static ListQuery parse(Function<String, Optional<String>> param) {
        Optional<List<String>> sort = param.apply("sort").filter(s -> !s.isEmpty()).map(s -> List.of(s.split("\\.")));
        boolean reverse = param.apply("sort_reverse").map(v -> v.equals("true")).orElse(false);
        Optional<List<List<String>>> columns = param.apply("columns").filter(s -> !s.isEmpty()).map(s -> {
            List<List<String>> out = new ArrayList<>();
            for (String c : s.split(",")) {
                if (!c.isBlank()) out.add(List.of(c.trim().split("\\.")));
            }
            return out;
        });
        Optional<String> pageText = param.apply("page");
        if (pageText.isEmpty()) return new ListQuery(sort, reverse, columns, Optional.empty());
        Integer page = integer(pageText.get());
        Optional<String> sizeText = param.apply("page_size");
        Integer size = sizeText.isEmpty() ? Integer.valueOf(DEFAULT_PAGE_SIZE) : integer(sizeText.get());
        if (page == null || size == null || page < 1 || size < 1 || size > MAX_PAGE_SIZE) {
            throw new ApiRequestException(StatusCodes.BAD_REQUEST, "invalid_pagination_parameters",
                    "Invalid pagination parameters: page number " + pageText.get() + ", page size " + sizeText.orElse("undefined"));
        }
        Pattern name = null;
        Optional<String> nameText = param.apply("name").filter(s -> !s.isEmpty());
        if (nameText.isPresent()) {
            boolean regex = param.apply("use_regex").map(v -> v.equals("true")).orElse(false);
            try {
                name = Pattern.compile(regex ? nameText.get() : Pattern.quote(nameText.get()),
                        Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            } catch (PatternSyntaxException e) {
                throw ApiRequestException.badRequest("Pagination parameters are invalid"); // RabbitMQ's words for a bad regex
            }
        }
        return new ListQuery(sort, reverse, columns, Optional.of(new Page(page, size, name)));
    }

    private static Integer integer(String s) {
        try {
            return Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Sorts, filters, pages and projects the items: a JSON array, or the paged object. */
    Object apply(List<Map<String, Object>> items) {
        List<Map<String, Object>> list = items;
        if (sort.isPresent()) {
            list = new ArrayList<>(items);
            Comparator<Map<String, Object>> byField = Comparator.comparing(m -> lookup(m, sort.get()), ListQuery::compareValues);
            list.sort(sortReverse ? byField.reversed() : byField);
        } else if (sortReverse) {
            list = new ArrayList<>(items);
            java.util.Collections.reverse(list);
        }
        if (page.isEmpty()) return project(list);
        Page p = page.get();
        int total = list.size();
        if (p.name() != null) {
            List<Map<String, Object>> filtered = new ArrayList<>();
            for (Map<String, Object> m : list) {
                Object name = m.get("name");
                if (name != null && p.name().matcher(String.valueOf(name)).find()) filtered.add(m);
            }
            list = filtered;
        }
        int pageCount = (list.size() + p.pageSize() - 1) / p.pageSize();
        long from = (long) (p.page() - 1) * p.pageSize();
        if (from > list.size()) { // lists:sublist/3 in RabbitMQ: one past the end is an empty page
            throw new ApiRequestException(StatusCodes.BAD_REQUEST, "page_out_of_range",
                    "Page out of range, page: " + p.page() + " page size: " + p.pageSize() + ", len: " + list.size());
        }
        List<Map<String, Object>> onPage = list.subList((int) from, (int) Math.min(list.size(), from + p.pageSize()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total_count", total);
        out.put("item_count", onPage.size());
        out.put("filtered_count", list.size());
        out.put("page", p.page());
        out.put("page_size", p.pageSize());
        out.put("page_count", pageCount);
        out.put("items", project(onPage));
        return out;
    }

    /** One item with the requested columns only (the whole item without {@code columns}). */
    Map<String, Object> project(Map<String, Object> item) {
        if (columns.isEmpty()) return item;
        Map<String, Object> out = new LinkedHashMap<>();
        for (List<String> path : columns.get()) copy(item, out, path, 0);
        return out;
    }

    private List<Map<String, Object>> project(List<Map<String, Object>> items) {
        if (columns.isEmpty()) return items;
        List<Map<String, Object>> out = new ArrayList<>(items.size());
        for (Map<String, Object> m : items) out.add(project(m));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void copy(Map<String, Object> from, Map<String, Object> to, List<String> path, int i) {
        String key = path.get(i);
        if (!from.containsKey(key)) return;
        Object v = from.get(key);
        if (i == path.size() - 1) {
            to.put(key, v);
        } else if (v instanceof Map<?, ?> nested) {
            Map<String, Object> target = to.get(key) instanceof Map<?, ?> existing
                    ? (Map<String, Object>) existing : new LinkedHashMap<>();
            copy((Map<String, Object>) nested, target, path, i + 1);
            to.put(key, target);
        }
    }

    private static Object lookup(Map<String, Object> item, List<String> path) {
        Object v = item;
        for (String key : path) {
            if (!(v instanceof Map<?, ?> m)) return null;
            v = m.get(key);
        }
        return v;
    }

    /** Missing values first, then numbers by value, then everything else by its text. */
    private static int compareValues(Object a, Object b) {
        if (a == null || b == null) return a == null ? (b == null ? 0 : -1) : 1;
        if (a instanceof Number x && b instanceof Number y) return Double.compare(x.doubleValue(), y.doubleValue());
        if (a instanceof Number) return -1;
        if (b instanceof Number) return 1;
        return String.valueOf(a).compareTo(String.valueOf(b));
    }
}
