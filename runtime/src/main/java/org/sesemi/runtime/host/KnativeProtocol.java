package org.sesemi.runtime.host;

import java.util.Locale;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.sesemi.http.Router;
import org.sesemi.protocol.action.RunBody;
import org.sesemi.runtime.core.Outcome;

/**
 * Knative's single entrypoint: {@code POST /} with the envelope itself, the single-entrypoint body
 * {@code {"value": envelope, "activation": {...}}}, or the binary envelope form ({@value RuntimeServer#BINARY_ENVELOPE},
 * answered in the same form, timing then in the {@code Sesemi-Timing} header); rejections map to the HTTP status of
 * their code. The body is read once; the envelope goes to the core as the bytes received.
 */
final class KnativeProtocol {
    private final RuntimeServer server;

    KnativeProtocol(RuntimeServer server) {
        this.server = server;
    }

    void routes(Router.Builder b) {
        b.post("/", this::invoke);
    }

    private Response invoke(Request r) {
        byte[] raw = r.body(server.config().maxBodyBytes());
        String type = r.header("Content-Type").orElse(null);
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith(RuntimeServer.BINARY_ENVELOPE)) {
            // The binary envelope form: handed to the core as is; the answer comes back in the same form.
            return switch (server.serve(server.core(), raw)) {
                case Outcome.Sealed s -> {
                    Response resp = Response.bytes(s.oipStatus(), s.binary() ? RuntimeServer.BINARY_ENVELOPE : RuntimeReplies.JSON,
                            s.envelopeBytes());
                    yield s.timing().isPresent() ? resp.withHeader("Sesemi-Timing", s.timing().get().json()) : resp;
                }
                case Outcome.Rejected x -> RuntimeReplies.rejected(x.code().httpStatus(), x);
            };
        }
        RunBody.TopLevel body;
        try {
            body = RunBody.read(raw);
        } catch (RunBody.NotAnObject e) {
            return RuntimeReplies.rejection(400, "malformed", "malformed",
                    "the body must be a JSON object: an envelope or {\"value\": envelope}" + e.getMessage());
        }
        if (body.hasInit()) {
            return RuntimeReplies.error(403, "Cannot initialize a runtime with a dedicated function.");
        }
        if (body.value() != null && !body.valueIsObject()) {
            return RuntimeReplies.rejection(400, "malformed", "malformed", "value must be a request envelope object");
        }
        // The envelope itself, or the one inside "value": as received, not re-serialized.
        return switch (server.serve(server.core(), body.value() == null ? raw : body.value().copyOf(raw))) {
            // OIP's status for the sealed answer (200, or 400/500 around a sealed OIP error body).
            case Outcome.Sealed s -> RuntimeReplies.sealed(s.oipStatus(), s.envelopeJson(), s.timing());
            case Outcome.Rejected x -> RuntimeReplies.rejected(x.code().httpStatus(), x);
        };
    }
}
