package org.sesemi.runtime.host;

import org.sesemi.http.ErrorShape;
import org.sesemi.http.HttpException;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's one mapping of failures to answers, in the action protocol's error shape. On OpenWhisk's
 * {@code /run} every answer but busy is 200: OpenWhisk destroys a container whose {@code /run} answers anything else,
 * and a bad request must not cost a warm container; so a body over the limit or with broken framing is an application
 * error there ({@code too_large}, {@code malformed}) and 413/400 elsewhere. Engine threads saturated is busy (503, so
 * OpenWhisk reschedules the activation); no route 404, another method 405 with {@code Allow}; anything else 500
 * without its text (it may quote input).
 */
final class RuntimeErrors implements ErrorShape {
    private static final Logger log = LoggerFactory.getLogger(RuntimeServer.class);
    private final HostConfig.Platform platform;

    RuntimeErrors(HostConfig.Platform platform) {
        this.platform = platform;
    }

    @Override
    public Response render(Request r, RuntimeException e) {
        boolean run = r.route().equals(ActionProtocol.RUN);
        return switch (e) {
            case RuntimeServer.EngineSaturated s -> RuntimeReplies.rejection(503, "busy", "busy", EngineThreads.SATURATED);
            case HttpException h -> switch (h.kind()) {
                case TOO_LARGE -> {
                    String message = "request body larger than " + h.limit() + " bytes";
                    yield run ? RuntimeReplies.rejection(200, "too_large", "too_large", message) : RuntimeReplies.error(413, message);
                }
                case MALFORMED_BODY -> run ? RuntimeReplies.rejection(200, "malformed", "malformed", h.getMessage())
                        : RuntimeReplies.error(400, h.getMessage());
                case MALFORMED_PATH -> RuntimeReplies.error(400, h.getMessage());
                case METHOD_NOT_ALLOWED -> RuntimeReplies.error(405, "only " + String.join(" or ", h.allowed()) + " is supported here")
                        .withHeader("Allow", h.allowHeader());
                case NOT_FOUND -> RuntimeReplies.error(404, platform == HostConfig.Platform.OPENWHISK
                        ? "no such endpoint; use POST /init and POST /run" : "no such endpoint; use POST /");
            };
            default -> {
                log.error("request handling failed: {}", e.getClass().getName());
                yield RuntimeReplies.error(500, "internal error");
            }
        };
    }
}
