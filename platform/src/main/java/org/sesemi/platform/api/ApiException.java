package org.sesemi.platform.api;

/**
 * A request the API refuses, with the HTTP status and the (OpenWhisk-verbatim where one exists) message that goes
 * into the {@code {"error": ..., "code": ...}} body. Messages never carry secrets.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String allow;

    public ApiException(int status, String message) {
        this(status, message, null);
    }

    private ApiException(int status, String message, String allow) {
        super(message, null, false, false);
        this.status = status;
        this.allow = allow;
    }

    /** 405 with the methods the resource supports (sent as {@code Allow}). */
    public static ApiException methodNotAllowed(String allowedMethods) {
        return new ApiException(405, "HTTP method not allowed, supported methods: " + allowedMethods, allowedMethods);
    }

    public int status() {
        return status;
    }

    /** The {@code Allow} header value of a 405. */
    public java.util.Optional<String> allow() {
        return java.util.Optional.ofNullable(allow);
    }
}
