package org.sesemi.http;

import java.util.List;

/**
 * A refusal found by the layer itself. The service's {@link ErrorShape} turns it into the API's error body; its message
 * is neutral and never quotes the request.
 */
public final class HttpException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What the layer refused, with the status it stands for. */
    public enum Kind {
        /** No route for the path. */
        NOT_FOUND(404),
        /** A route for the path, not for the method; {@link #allowed()} lists the methods. */
        METHOD_NOT_ALLOWED(405),
        /** The body is larger than the route's limit: {@link #size()} declared or counted, {@link #limit()}. */
        TOO_LARGE(413),
        /** The body ended before its declared length, broke the chunked framing, or its length header is invalid. */
        MALFORMED_BODY(400),
        /** A path segment is not valid percent-encoding (or the router's decoder refused it). */
        MALFORMED_PATH(400);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    private final Kind kind;
    private final List<String> allowed;
    private final long size;
    private final long limit;

    private HttpException(Kind kind, String message, List<String> allowed, long size, long limit) {
        super(message, null, false, false);
        this.kind = kind;
        this.allowed = List.copyOf(allowed);
        this.size = size;
        this.limit = limit;
    }

    public static HttpException notFound() {
        return new HttpException(Kind.NOT_FOUND, "no such resource", List.of(), -1, -1);
    }

    public static HttpException methodNotAllowed(List<String> allowed) {
        return new HttpException(Kind.METHOD_NOT_ALLOWED, "method not allowed (use " + String.join(" or ", allowed) + ")",
                allowed, -1, -1);
    }

    public static HttpException tooLarge(long size, long limit) {
        return new HttpException(Kind.TOO_LARGE, "body of " + size + " bytes is larger than " + limit + " bytes", List.of(),
                size, limit);
    }

    public static HttpException malformedBody(String why) {
        return new HttpException(Kind.MALFORMED_BODY, why, List.of(), -1, -1);
    }

    public static HttpException malformedPath() {
        return new HttpException(Kind.MALFORMED_PATH, "invalid request path", List.of(), -1, -1);
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return kind.status();
    }

    /** For {@link Kind#METHOD_NOT_ALLOWED}: the allowed methods, in the order the routes were declared. */
    public List<String> allowed() {
        return allowed;
    }

    /** The {@code Allow} header value ({@code GET, PUT}). */
    public String allowHeader() {
        return String.join(", ", allowed);
    }

    /** For {@link Kind#TOO_LARGE}: the declared length, or the bytes counted of a chunked body (at least limit + 1). */
    public long size() {
        return size;
    }

    /** For {@link Kind#TOO_LARGE}: the limit. */
    public long limit() {
        return limit;
    }
}
