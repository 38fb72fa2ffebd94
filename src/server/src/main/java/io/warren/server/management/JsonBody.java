package io.warren.server.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A request's JSON object, checked against the fields its endpoint knows: bad JSON or an unknown field is a 400 with
 * the reason, so that a typo in an operator's request is not silently ignored. Values come as RabbitMQ's clients
 * send them: rabbitmqadmin sends every value as a string ("true", "5").
 */
final class JsonBody {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode object;

    private JsonBody(JsonNode object) {
        this.object = object;
    }

    static JsonBody parse(byte[] bytes, Set<String> known) {
        JsonNode node;
        try {
            node = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiRequestException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiRequestException.badRequest("malformed JSON: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) node = JSON.createObjectNode();
        if (!node.isObject()) throw ApiRequestException.badRequest("expected a JSON object");
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                throw ApiRequestException.badRequest("unknown field '" + field + "' (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        }
        return new JsonBody(node);
    }

    boolean has(String field) {
        return object.has(field) && !object.get(field).isNull();
    }

    Optional<String> string(String field) {
        if (!has(field)) return Optional.empty();
        JsonNode v = object.get(field);
        if (!v.isValueNode()) throw ApiRequestException.badRequest("field '" + field + "' must be a string");
        return Optional.of(v.asText());
    }

    String requiredString(String field) {
        return string(field).orElseThrow(() -> ApiRequestException.badRequest("field '" + field + "' is missing"));
    }

    /** RabbitMQ's tags: a comma-separated string or a list of strings. */
    List<String> tags(String field) {
        List<String> out = new ArrayList<>();
        if (!has(field)) return out;
        JsonNode v = object.get(field);
        if (v.isArray()) {
            v.forEach(t -> {
                if (!t.isTextual()) throw ApiRequestException.badRequest("field '" + field + "' must hold strings");
                if (!t.asText().isBlank()) out.add(t.asText().trim());
            });
        } else if (v.isTextual()) {
            for (String t : v.asText().split(",")) if (!t.isBlank()) out.add(t.trim());
        } else {
            throw ApiRequestException.badRequest("field '" + field + "' must be a string or a list of strings");
        }
        return out;
    }

    JsonNode node() {
        return object;
    }

    static Map<String, Object> toMap(JsonNode n) {
        return JSON.convertValue(n, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
    }
}
