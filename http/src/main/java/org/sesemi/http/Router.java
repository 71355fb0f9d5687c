package org.sesemi.http;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Routes by method and path template. A template is a path of literal segments and {@code {name}} parameters
 * ({@code /api/v1/namespaces/{ns}/actions/{name}}); a template ending in {@code /} matches only paths with a trailing
 * slash. Paths are split on {@code /} and each segment decoded ({@link #percentDecoding()} by default) before
 * matching, so literals compare decoded and parameters arrive decoded.
 *
 * <p>The first template (in declaration order) that matches the path and the method wins. A path that matches some
 * template but for another method is refused with 405 and the methods of all templates matching it, in declaration
 * order ({@code Allow}); a path that matches none with 404. With {@link Builder#ignoreTrailingSlash()}, a path with a
 * trailing slash that no template ending in {@code /} matches (for any method) is matched without it ({@link Request#trailingSlash()}
 * tells the handler). Immutable and thread-safe once built.
 */
public final class Router {
    /** A route: method, template, handler. */
    private record Route(String method, String template, List<String> segments, boolean trailingSlash, Handler handler) {}

    /** A match: the handler, its template, and the decoded path parameters. */
    public record Match(Handler handler, String template, Map<String, String> params, boolean trailingSlash) {}

    private final List<Route> routes;
    private final UnaryOperator<String> decoder;
    private final boolean ignoreTrailingSlash;

    private Router(Builder b) {
        this.routes = List.copyOf(b.routes);
        this.decoder = b.decoder;
        this.ignoreTrailingSlash = b.ignoreTrailingSlash;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Finds the route of a request; throws {@link HttpException} (404, 405, or 400 for a segment the decoder refuses). */
    public Match match(String method, String rawPath) {
        String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        boolean trailing = path.length() > 1 && path.endsWith("/");
        List<String> segments = split(path);
        Match m = find(method, segments, trailing, trailing);
        if (m != null) {
            return m;
        }
        if (trailing && ignoreTrailingSlash && !anyMatches(segments, true)) {
            m = find(method, segments, false, true);
            if (m != null) {
                return m;
            }
        }
        LinkedHashSet<String> allowed = new LinkedHashSet<>();
        collectAllowed(segments, trailing, allowed);
        if (allowed.isEmpty() && trailing && ignoreTrailingSlash) {
            // no template with a trailing slash matched, for any method: the path is matched without it
            collectAllowed(segments, false, allowed);
        }
        if (allowed.isEmpty()) {
            throw HttpException.notFound();
        }
        throw HttpException.methodNotAllowed(List.copyOf(allowed));
    }

    private Match find(String method, List<String> segments, boolean templateTrailing, boolean requestTrailing) {
        for (Route r : routes) {
            if (r.method().equals(method) && r.trailingSlash() == templateTrailing) {
                Map<String, String> params = bind(r, segments);
                if (params != null) {
                    return new Match(r.handler(), r.template(), params, requestTrailing);
                }
            }
        }
        return null;
    }

    private boolean anyMatches(List<String> segments, boolean trailing) {
        for (Route r : routes) {
            if (r.trailingSlash() == trailing && bind(r, segments) != null) {
                return true;
            }
        }
        return false;
    }

    private void collectAllowed(List<String> segments, boolean trailing, LinkedHashSet<String> allowed) {
        for (Route r : routes) {
            if (r.trailingSlash() == trailing && bind(r, segments) != null) {
                allowed.add(r.method());
            }
        }
    }

    /** The parameters if the route's template matches the (decoded) segments, else null. */
    private static Map<String, String> bind(Route r, List<String> segments) {
        List<String> t = r.segments();
        if (t.size() != segments.size()) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < t.size(); i++) {
            String ts = t.get(i);
            String s = segments.get(i);
            if (isParam(ts)) {
                if (s.isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new LinkedHashMap<>();
                }
                params.put(ts.substring(1, ts.length() - 1), s);
            } else if (!ts.equals(s)) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

    private static boolean isParam(String segment) {
        return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
    }

    /** Decoded segments without the leading empty one and without the empty one a trailing slash leaves. */
    private List<String> split(String path) {
        if (path.equals("/")) {
            return List.of();
        }
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        List<String> out = new ArrayList<>();
        for (String s : p.split("/", -1)) {
            out.add(decoder.apply(s));
        }
        return out;
    }

    private static List<String> templateSegments(String template) {
        if (template.equals("/")) {
            return List.of();
        }
        String p = template.substring(1);
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return List.of(p.split("/", -1));
    }

    /** Decodes {@code %XX} escapes as UTF-8; an invalid escape is {@link HttpException.Kind#MALFORMED_PATH}. */
    public static UnaryOperator<String> percentDecoding() {
        return Router::percentDecode;
    }

    /** Refuses any {@code %} (for APIs whose valid paths are plain ASCII: encoding only hides things). */
    public static UnaryOperator<String> noEscapes() {
        return s -> {
            if (s.indexOf('%') >= 0) {
                throw HttpException.malformedPath();
            }
            return s;
        };
    }

    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                    throw HttpException.malformedPath();
                }
                b.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                b.write(bytes, 0, bytes.length);
            }
        }
        return b.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Collects routes; {@link #build()} checks nothing is declared twice. */
    public static final class Builder {
        private final List<Route> routes = new ArrayList<>();
        private UnaryOperator<String> decoder = Router::percentDecode;
        private boolean ignoreTrailingSlash;

        private Builder() {}

        public Builder route(String method, String template, Handler handler) {
            Objects.requireNonNull(handler, "handler");
            String m = method.toUpperCase(Locale.ROOT);
            if (!template.startsWith("/")) {
                throw new IllegalArgumentException("a route template starts with /: " + template);
            }
            boolean trailing = template.length() > 1 && template.endsWith("/");
            List<String> segments = templateSegments(template);
            for (Route r : routes) {
                if (r.method().equals(m) && r.template().equals(template)) {
                    throw new IllegalArgumentException("route declared twice: " + m + " " + template);
                }
            }
            routes.add(new Route(m, template, segments, trailing, handler));
            return this;
        }

        public Builder get(String template, Handler h) {
            return route("GET", template, h);
        }

        public Builder post(String template, Handler h) {
            return route("POST", template, h);
        }

        public Builder put(String template, Handler h) {
            return route("PUT", template, h);
        }

        public Builder delete(String template, Handler h) {
            return route("DELETE", template, h);
        }

        /** How each raw path segment is decoded before matching (default {@link #percentDecoding()}). */
        public Builder decoder(UnaryOperator<String> decoder) {
            this.decoder = Objects.requireNonNull(decoder);
            return this;
        }

        /** A path with a trailing slash also matches the template without it (unless a template with one matches). */
        public Builder ignoreTrailingSlash() {
            this.ignoreTrailingSlash = true;
            return this;
        }

        public Router build() {
            return new Router(this);
        }
    }
}
