package org.sesemi.keyservice.http;

import org.sesemi.protocol.keyservice.Bodies;
import org.sesemi.protocol.keyservice.ErrorReason;
import org.sesemi.protocol.keyservice.WireJson;
import org.sesemi.http.ErrorShape;
import org.sesemi.http.HttpException;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.sesemi.keyservice.core.DeniedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one mapping from a typed error to HTTP status and {@code {"error":{"reason","message"}}}: the core's
 * {@link DeniedException}s, the HTTP layer's refusals in the KeyService's reasons ({@code not_found},
 * {@code method_not_allowed} with {@code Allow}, {@code too_large}, {@code malformed}), and anything else as
 * {@code internal} without its text.
 */
final class KsErrors implements ErrorShape {
    private static final Logger LOG = LoggerFactory.getLogger(KsErrors.class);

    @Override
    public Response render(Request r, RuntimeException error) {
        return switch (error) {
            case DeniedException d -> body(d.reason(), d.getMessage());
            case HttpException e -> switch (e.kind()) {
                case NOT_FOUND -> body(ErrorReason.NOT_FOUND, "no such resource");
                case METHOD_NOT_ALLOWED -> body(ErrorReason.METHOD_NOT_ALLOWED, "method " + r.method().replaceAll("[^A-Z]", "?")
                        + " not allowed here (use " + String.join(" or ", e.allowed()) + ")").withHeader("Allow", e.allowHeader());
                case TOO_LARGE -> body(ErrorReason.TOO_LARGE, "body larger than " + e.limit() + " bytes");
                case MALFORMED_BODY -> body(ErrorReason.MALFORMED, e.getMessage());
                case MALFORMED_PATH -> body(ErrorReason.MALFORMED, "invalid request path");
            };
            default -> {
                LOG.error("internal error on {} {}: {}", r.methodLabel(), r.route(), error.toString());
                yield body(ErrorReason.INTERNAL, "internal error");
            }
        };
    }

    private static Response body(ErrorReason reason, String message) {
        return Response.json(reason.status(), WireJson.write(Bodies.ErrorResponse.of(reason, message)));
    }
}
