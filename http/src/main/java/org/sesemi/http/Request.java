package org.sesemi.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * One request as the servers see it: method, raw path and query, headers, path parameters of the matched route, the
 * TLS session (HTTPS), and the body read under a limit ({@link #body(long)}). Headers every answer of this exchange
 * must carry (a transaction id, an activation id) are set with {@link #setResponseHeader}. Used by one thread.
 */
public final class Request {
    /** The route label of a request no route matched. */
    public static final String UNMATCHED = "unmatched";
    /** Unread bodies up to this size are drained by the JDK server itself and the connection kept. */
    static final long JDK_DRAIN = 64 * 1024;

    private final HttpExchange ex;
    private final String method;
    private final long startNanos;
    private final Map<String, String> responseHeaders = new LinkedHashMap<>();
    private String route = UNMATCHED;
    private Map<String, String> params = Map.of();
    private boolean trailingSlash;
    private boolean bodyConsumed;
    private long bytesIn;
    private Object attachment;

    Request(HttpExchange ex, long startNanos) {
        this.ex = ex;
        this.method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        this.startNanos = startNanos;
    }

    void matched(Router.Match m) {
        this.route = m.template();
        this.params = m.params();
        this.trailingSlash = m.trailingSlash();
    }

    /** The method, upper case (as sent: use {@link #methodLabel()} for logs and metrics). */
    public String method() {
        return method;
    }

    /** The method as a bounded label: one of the standard ones, else {@code OTHER}. */
    public String methodLabel() {
        return switch (method) {
            case "GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH" -> method;
            default -> "OTHER";
        };
    }

    /** The raw (still percent-encoded) path. */
    public String rawPath() {
        String p = ex.getRequestURI().getRawPath();
        return p == null ? "/" : p;
    }

    /** The raw query string, or null. */
    public String rawQuery() {
        return ex.getRequestURI().getRawQuery();
    }

    /** The matched route's template, or {@link #UNMATCHED}. */
    public String route() {
        return route;
    }

    /** A decoded path parameter of the matched route. */
    public String pathParam(String name) {
        String v = params.get(name);
        if (v == null) {
            throw new IllegalArgumentException("route " + route + " has no parameter " + name);
        }
        return v;
    }

    /** Whether the path ended in {@code /} (see {@link Router.Builder#ignoreTrailingSlash()}). */
    public boolean trailingSlash() {
        return trailingSlash;
    }

    /** The first value of a request header. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(ex.getRequestHeaders().getFirst(name));
    }

    public boolean hasHeader(String name) {
        return ex.getRequestHeaders().containsKey(name);
    }

    /** All values of a request header. */
    public List<String> headers(String name) {
        List<String> v = ex.getRequestHeaders().get(name);
        return v == null ? List.of() : List.copyOf(v);
    }

    /** The TLS session of an HTTPS exchange. */
    public Optional<SSLSession> sslSession() {
        return ex instanceof HttpsExchange https ? Optional.ofNullable(https.getSSLSession()) : Optional.empty();
    }

    public InetSocketAddress remoteAddress() {
        return ex.getRemoteAddress();
    }

    /** {@link System#nanoTime()} when the layer received the request. */
    public long startNanos() {
        return startNanos;
    }

    /** Attaches the API's per-request state (a transaction id, the arrival time on its clock), set by {@link Before}. */
    public void attach(Object state) {
        this.attachment = state;
    }

    /** The attached state; throws if none of this type was attached. */
    public <T> T attachment(Class<T> type) {
        if (!type.isInstance(attachment)) {
            throw new IllegalStateException("no " + type.getSimpleName() + " attached to this request");
        }
        return type.cast(attachment);
    }

    /** Sets a header on whatever answer this exchange gets (the handler's, an error's). */
    public void setResponseHeader(String name, String value) {
        responseHeaders.put(name, value);
    }

    Map<String, String> responseHeaders() {
        return responseHeaders;
    }

    /**
     * The declared {@code Content-Length}: -1 when absent (no body, or chunked); a value that is not a non-negative
     * decimal is {@link HttpException.Kind#MALFORMED_BODY}.
     */
    public long declaredLength() {
        String cl = ex.getRequestHeaders().getFirst("Content-Length");
        if (cl == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(cl.strip());
            if (n < 0) {
                throw HttpException.malformedBody("invalid Content-Length");
            }
            return n;
        } catch (NumberFormatException e) {
            throw HttpException.malformedBody("invalid Content-Length");
        }
    }

    /** Whether the body is sent chunked (its size is known only by reading it). */
    public boolean chunked() {
        return ex.getRequestHeaders().containsKey("Transfer-Encoding");
    }

    /**
     * The whole body, at most {@code limit} bytes. A declared {@code Content-Length} above the limit is refused at once,
     * without reading ({@link HttpException.Kind#TOO_LARGE} with the declared size); a chunked body is counted while
     * read, and one over the limit is refused with the bytes counted (read on, bounded, to report its size). A body that
     * ends before its declared length or breaks the chunked framing is {@link HttpException.Kind#MALFORMED_BODY}.
     * Reads the body once; a second call returns an empty array.
     */
    public byte[] body(long limit) {
        if (limit < 0 || limit > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("body limit out of range: " + limit);
        }
        long declared = declaredLength();
        if (declared > limit) {
            throw HttpException.tooLarge(declared, limit);
        }
        if (bodyConsumed) {
            return new byte[0];
        }
        if (declared == 0) {
            bodyConsumed = true;
            return new byte[0];
        }
        try {
            InputStream in = ex.getRequestBody();
            byte[] b = in.readNBytes((int) limit + 1);
            bytesIn += b.length;
            if (b.length > limit) {
                long seen = b.length + Drain.discard(in, BodyPolicy.COUNT_BEYOND_LIMIT);
                throw HttpException.tooLarge(seen, limit);
            }
            bodyConsumed = true;
            return b;
        } catch (IOException e) {
            throw HttpException.malformedBody("the request body is truncated or its framing is invalid");
        }
    }

    /** Body bytes read so far. */
    long bytesIn() {
        return bytesIn;
    }

    /** Whether part of the body may still be unread and larger than what the JDK server drains before reusing the connection. */
    boolean mayHaveLargeUnreadBody() {
        if (bodyConsumed) {
            return false;
        }
        if (chunked()) {
            return true;
        }
        try {
            return declaredLength() > JDK_DRAIN;
        } catch (HttpException e) {
            return true;
        }
    }

    /** Whether a body may remain unread. */
    boolean hasUnreadBody() {
        if (bodyConsumed) {
            return false;
        }
        if (chunked()) {
            return true;
        }
        try {
            return declaredLength() > 0;
        } catch (HttpException e) {
            return true;
        }
    }

    HttpExchange exchange() {
        return ex;
    }
}
