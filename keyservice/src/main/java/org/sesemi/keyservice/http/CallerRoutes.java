package org.sesemi.keyservice.http;

import static org.sesemi.keyservice.http.KsRequests.param;

import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.protocol.keyservice.Bodies;
import org.sesemi.protocol.keyservice.ErrorReason;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.http.Handler;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.sesemi.http.Router;
import org.sesemi.keyservice.core.Caller;
import org.sesemi.keyservice.core.DeniedException;
import org.sesemi.keyservice.core.KeyServiceCore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caller's own operations: {@code POST /v1/register}, {@code POST /v1/release} (a runtime's key release; a
 * rejected genuine TEE is audited for the model and user it names) and {@code GET /v1/audit}.
 */
final class CallerRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(CallerRoutes.class);
    /**
     * Attestation failures that are audited for the model and user a rejected runtime names: only those that come after
     * its quote's signatures, PCK chain and key binding verified (a genuine TEE, e.g. on an OutOfDate platform or
     * running another build). Failures anyone can produce with a made-up certificate (malformed, bad signature,
     * untrusted root, binding mismatch, expired certificate) are refused without an audit row, so that they cannot
     * flood the owners' audit logs.
     */
    private static final Set<String> AUDITED_ATTESTATION_REASONS = Set.of("tcb_rejected", "tcb_no_match", "revoked",
            "debug_rejected", "measurement_mismatch", "collateral_expired", "collateral_invalid", "collateral_unavailable");

    private final KeyServiceCore core;
    private final KsRequests requests;
    private final KsMetrics metrics;
    private final ModelRoutes.Authenticated auth;

    CallerRoutes(KeyServiceCore core, KsRequests requests, KsMetrics metrics, ModelRoutes.Authenticated auth) {
        this.core = core;
        this.requests = requests;
        this.metrics = metrics;
        this.auth = auth;
    }

    void routes(Router.Builder b, java.util.function.UnaryOperator<Handler> wrap) {
        b.post("/v1/register", wrap.apply(this::register));
        b.post("/v1/release", wrap.apply(this::release));
        b.get("/v1/audit", wrap.apply(this::audit));
    }

    private Response register(Request r) {
        Caller caller = auth.caller(r);
        requests.optionalEmptyObject(r);
        boolean created = core.register(caller);
        return KeyServiceHttp.json(created ? 201 : 200, new Bodies.RegisterResponse(caller.auditName(), created));
    }

    private Response release(Request r) {
        Caller caller;
        try {
            caller = auth.caller(r);
        } catch (DeniedException d) {
            if (d.reason() == ErrorReason.ATTESTATION_REJECTED && d.detail().filter(AUDITED_ATTESTATION_REASONS::contains).isPresent()) {
                auditRejectedRelease(r, d);
            }
            throw d;
        }
        var req = requests.body(r, Bodies.ReleaseRequest.class);
        PrincipalId user = param(() -> PrincipalId.parse(req.user()), "user");
        ModelId model = param(() -> ModelId.parse(req.model()), "model");
        try {
            var rel = core.release(caller, user, model, req.version());
            metrics.released();
            byte[] mk = rel.modelKey().exportSecret();
            byte[] rk = rel.requestKey().exportSecret();
            try {
                return KeyServiceHttp.json(200, new Bodies.ReleaseResponse(model.toString(), user.hex(), rel.measurement().value(),
                        rel.modelKey().version(), Base64.getEncoder().encodeToString(mk),
                        Base64.getEncoder().encodeToString(rk), rel.ttl().toSeconds(), rel.expiresAt().toString()));
            } finally {
                java.util.Arrays.fill(mk, (byte) 0);
                java.util.Arrays.fill(rk, (byte) 0);
            }
        } catch (DeniedException d) {
            metrics.denied(d.reason().code());
            throw d;
        }
    }

    /** A runtime whose evidence was rejected asked for keys: audit it for the model and user it named. */
    private void auditRejectedRelease(Request r, DeniedException d) {
        metrics.denied(d.reason().code());
        try {
            var req = requests.body(r, Bodies.ReleaseRequest.class);
            core.auditRejectedRuntime(PrincipalId.parse(req.user()), ModelId.parse(req.model()), d.detail().orElseThrow());
        } catch (RuntimeException unparsable) {
            // Nothing names a model or user to audit for; the refusal itself is still answered.
            LOG.debug("rejected runtime sent an unusable release body: {}", unparsable.toString());
        }
    }

    private Response audit(Request r) {
        Caller caller = auth.caller(r);
        requests.noBody(r);
        KsRequests.Query q = KsRequests.Query.parse(r.rawQuery(), List.of("model", "after", "limit"));
        Optional<ModelId> model = q.get("model").map(m -> param(() -> ModelId.parse(m), "model"));
        long after = q.get("after").map(a -> param(() -> Long.parseLong(a), "after")).orElse(0L);
        int limit = q.get("limit").map(a -> param(() -> Integer.parseInt(a), "limit")).orElse(100);
        if (after < 0 || limit < 1 || limit > 1000) {
            throw new DeniedException(ErrorReason.MALFORMED, "after must be >= 0 and limit 1..1000");
        }
        var events = core.audit(caller, model, after, limit).stream().map(e -> new Bodies.AuditEventView(
                e.seq(), e.at().toString(), e.event(), e.actor(), e.model().map(ModelId::toString).orElse(null),
                e.user().map(PrincipalId::hex).orElse(null), e.measurement().map(RuntimeRule::value).orElse(null),
                e.outcome(), e.reason().orElse(null))).toList();
        return KeyServiceHttp.json(200, new Bodies.AuditList(events));
    }
}
