package org.sesemi.platform.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A request's query parameters, parsed strictly once, read as OpenWhisk types them: booleans ({@code true}/{@code false}),
 * integers, list windows ({@code skip}, {@code limit} 0..200 with 0 = the maximum) and epoch-millisecond bounds. A
 * malformed value is 400 with OpenWhisk's message; a value is never logged.
 */
final class QueryParams {
    static final int MAX_QUERY = 8192, LIST_MAX = 200, LIST_DEFAULT = 30;
    private final Map<String, String> values;

    private QueryParams(Map<String, String> values) {
        this.values = values;
    }

    static QueryParams parse(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return new QueryParams(out);
        }
        if (raw.length() > MAX_QUERY) {
            throw new ApiException(400, "The request's query string is too long.");
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.put(k, v);
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "The request's query string is malformed.");
            }
        }
        return new QueryParams(out);
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    boolean bool(String name, boolean dflt) {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ApiException(400, Messages.queryMalformed(name, v, "Boolean"));
        };
    }

    long integer(String name, long dflt) {
        String v = values.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ApiException(400, Messages.queryMalformed(name, v, "integer"));
        }
    }

    int skip(String collection) {
        long skip = integer("skip", 0);
        if (skip < 0) {
            throw new ApiException(400, Messages.skipNegative(collection, skip));
        }
        return (int) Math.min(skip, Integer.MAX_VALUE);
    }

    int limit(String collection) {
        long limit = integer("limit", LIST_DEFAULT);
        if (limit < 0 || limit > LIST_MAX) {
            throw new ApiException(400, Messages.limitOutOfRange(collection, limit, LIST_MAX));
        }
        return limit == 0 ? LIST_MAX : (int) limit;
    }

    long epochMillis(String name, long dflt) {
        long v = integer(name, dflt);
        if (v < 0) {
            throw new ApiException(400, Messages.queryMalformed(name, Long.toString(v), "epoch milliseconds"));
        }
        return v;
    }
}
