package org.sesemi.platform.api;

import static org.sesemi.platform.api.ApiJson.F;

import org.sesemi.http.ErrorShape;
import org.sesemi.http.HttpException;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where errors become a status and OpenWhisk's {@code {"error": <message>, "code": <transaction id>}}
 * body: the API's {@link ApiException}s, the HTTP layer's refusals (no route, method, body size and framing, path
 * encoding) in OpenWhisk's words, and anything else as an internal error whose text is not echoed. A 405 carries
 * {@code Allow}, a 401 {@code WWW-Authenticate}.
 */
final class PlatformErrors implements ErrorShape {
    private static final Logger LOG = LoggerFactory.getLogger(PlatformErrors.class);

    @Override
    public Response render(Request r, RuntimeException error) {
        String tx = r.attachment(Call.class).tx();
        return switch (error) {
            case ApiException e -> {
                Response resp = body(e.status(), e.getMessage(), tx);
                if (e.allow().isPresent()) {
                    resp = resp.withHeader("Allow", e.allow().get());
                }
                yield e.status() == 401 ? resp.withHeader("WWW-Authenticate", "Basic realm=\"whisk rest service\"") : resp;
            }
            case HttpException e -> switch (e.kind()) {
                case NOT_FOUND -> body(404, Messages.NOT_FOUND, tx);
                case METHOD_NOT_ALLOWED -> body(405, ApiException.methodNotAllowed(e.allowHeader()).getMessage(), tx)
                        .withHeader("Allow", e.allowHeader());
                case TOO_LARGE -> body(413, Messages.tooLarge("Request", e.size(), e.limit()), tx);
                case MALFORMED_BODY -> body(400, Messages.malformed(e.getMessage()), tx);
                case MALFORMED_PATH -> body(400, Messages.ILLEGAL_NAME, tx);
            };
            default -> {
                LOG.error("[{}] {} {} failed", tx, r.methodLabel(), r.route(), error);
                yield body(500, Messages.INTERNAL, tx);
            }
        };
    }

    private static Response body(int status, String message, String tx) {
        return ApiJson.send(status, F.objectNode().put("error", message).put("code", tx));
    }
}
