package org.sesemi.packer.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sesemi.http.ErrorShape;
import org.sesemi.http.HttpException;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's error body, the one place where its errors become status + JSON: the runtime's rejection shape
 * {@code {"error":{"code","reason","message"}}}, for the gateway's own refusals ({@link GatewayRefusal}) and the HTTP
 * layer's (no such route, method, body too large or malformed). Anything else is a 500 that names nothing of the request.
 */
final class GatewayErrors implements ErrorShape {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayErrors.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public Response render(Request request, RuntimeException error) {
        return switch (error) {
            case GatewayRefusal g -> rejection(g.status(), g.code(), g.reason(), g.getMessage());
            case HttpException h -> switch (h.kind()) {
                case NOT_FOUND -> rejection(404, "not_found", "no such endpoint; use POST /v1/invoke");
                case METHOD_NOT_ALLOWED -> rejection(405, "method_not_allowed", "use " + String.join(" or ", h.allowed()))
                        .withHeader("Allow", h.allowHeader());
                case TOO_LARGE -> rejection(413, "too_large", "request body larger than " + h.limit() + " bytes");
                case MALFORMED_BODY, MALFORMED_PATH -> rejection(400, "malformed", h.getMessage());
            };
            default -> {
                LOG.error("gateway request failed: {}", error.getClass().getName());
                yield rejection(500, "internal", "internal error");
            }
        };
    }

    private static Response rejection(int status, String code, String message) {
        return rejection(status, code, code, message);
    }

    /** The runtime's rejection shape, so clients handle gateway refusals like runtime ones. */
    static Response rejection(int status, String code, String reason, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.putObject("error").put("code", code).put("reason", reason).put("message", message);
        try {
            return Response.json(status, JSON.writeValueAsBytes(n));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
