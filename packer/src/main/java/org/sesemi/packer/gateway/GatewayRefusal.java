package org.sesemi.packer.gateway;

/**
 * A request the gateway answers itself with an error: status, and the runtime's rejection fields ({@code code},
 * {@code reason}, {@code message}), so that {@code InferenceClient} reports a gateway refusal like a runtime one.
 * {@link GatewayErrors} renders it. The message never quotes the request.
 */
final class GatewayRefusal extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String reason;

    private GatewayRefusal(int status, String code, String reason, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.reason = reason;
    }

    static GatewayRefusal unauthenticated() {
        return new GatewayRefusal(401, "unauthenticated", "unauthenticated", "this gateway requires Authorization: Bearer <token>");
    }

    static GatewayRefusal malformed() {
        return new GatewayRefusal(400, "malformed", "malformed", "the body is not a request envelope");
    }

    /** 503 {@code busy} with why: {@code all_busy}, {@code queue_timeout} or {@code too_many_models}. */
    static GatewayRefusal busy(String reason, String message) {
        return new GatewayRefusal(503, "busy", reason, message);
    }

    /** 502: the platform refused the invocation or could not be reached. */
    static GatewayRefusal platform(String message) {
        return new GatewayRefusal(502, "platform", "platform", message);
    }

    /** 504: the blocking invoke ended before the activation did. */
    static GatewayRefusal timeout(String message) {
        return new GatewayRefusal(504, "timeout", "timeout", message);
    }

    /** 503: the request's thread was interrupted (the gateway is closing). */
    static GatewayRefusal interrupted() {
        return new GatewayRefusal(503, "unavailable", "unavailable", "interrupted");
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    String reason() {
        return reason;
    }
}
