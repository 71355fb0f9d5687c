package org.sesemi.keyservice.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.client.keyservice.Grant;
import org.sesemi.client.keyservice.wire.Bodies;
import org.sesemi.client.keyservice.wire.ErrorReason;
import org.sesemi.client.keyservice.wire.WireFormatException;
import org.sesemi.client.keyservice.wire.WireJson;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestKey;
import org.sesemi.keyservice.core.Caller;
import org.sesemi.keyservice.core.DeniedException;
import org.sesemi.keyservice.core.KeyServiceCore;
import org.sesemi.keyservice.store.KeyStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /v1} API, {@code /health}, {@code /metrics} and {@code /v1/openapi.json} as one
 * {@link HttpHandler}: route, authenticate (from the TLS session), rate-limit, parse strictly, call
 * {@link KeyServiceCore}, encode. {@link #fail} is the one place where errors become status + JSON error body.
 *
 * <p>{@code /health}, {@code /metrics} and the OpenAPI document need no client certificate (monitoring systems
 * have none); every {@code /v1} operation does. Thread-safe.
 */
public final class KeyServiceHttp implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(KeyServiceHttp.class);
    private static final String JSON = "application/json";
    /** The response header carrying the KeyService's state version (docs/protocol.md, "State version"). */
    public static final String STATE_VERSION_HEADER = "SeSeMI-State-Version";
    /** At most this many bytes of a refused body are read and discarded. */
    static final int DRAIN_LIMIT = 4 << 20;

    /** Discards up to {@code limit} bytes, then fails (which stops the drain). */
    private static final class BoundedSink extends OutputStream {
        private final long limit;
        private long seen;

        BoundedSink(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            seen += len;
            if (seen > limit) {
                throw new IOException("drain limit reached");
            }
        }
    }

    /** Facts for {@code /health}; {@code storeReady} is asked on every health request. */
    public record HealthInfo(String tee, boolean simulated, Measurement measurement, java.util.function.BooleanSupplier storeReady) {}

    private final KeyServiceCore core;
    private final CallerResolver callers;
    private final RateLimiter limiter;
    private final KsMetrics metrics;
    private final int maxBodyBytes;
    private final HealthInfo health;
    private final byte[] openApi;

    public KeyServiceHttp(KeyServiceCore core, CallerResolver callers, RateLimiter limiter, KsMetrics metrics,
            int maxBodyBytes, HealthInfo health) {
        this.core = core;
        this.callers = callers;
        this.limiter = limiter;
        this.metrics = metrics;
        this.maxBodyBytes = maxBodyBytes;
        this.health = health;
        this.openApi = loadOpenApi();
    }

    private static byte[] loadOpenApi() {
        try (InputStream in = KeyServiceHttp.class.getResourceAsStream("/org/sesemi/keyservice/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json missing from the keyservice jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A matched route: template for metrics, path parameters. */
    private record Route(String template, List<String> params) {}

    @Override
    public void handle(HttpExchange ex) throws IOException {
        long start = System.nanoTime();
        String template = "unmatched";
        int status = 0;
        try {
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
            // Refuse a declared oversized body before anything else (routing, authentication, reading): the client
            // learns at once, even if it never sends the body it announced.
            if (declaredLength(ex) > maxBodyBytes) {
                throw new DeniedException(ErrorReason.TOO_LARGE, "body larger than " + maxBodyBytes + " bytes");
            }
            Route route = match(path);
            template = route.template();
            status = dispatch(ex, method, route);
        } catch (DeniedException e) {
            status = fail(ex, e.reason(), e.getMessage());
        } catch (IOException e) {
            // The peer went away mid-exchange; there is nobody to answer.
            LOG.debug("I/O error on {}: {}", template, e.toString());
        } catch (RuntimeException e) {
            LOG.error("internal error on {} {}: {}", ex.getRequestMethod(), template, e.toString());
            status = fail(ex, ErrorReason.INTERNAL, "internal error");
        } finally {
            ex.close();
        }
        // Label values must stay a small fixed set whatever callers send (no attacker-chosen method names).
        String m = switch (ex.getRequestMethod()) {
            case "GET", "PUT", "POST", "DELETE", "HEAD" -> ex.getRequestMethod();
            default -> "OTHER";
        };
        metrics.request(template, m, status, System.nanoTime() - start);
    }

    /** A model key version from a path: a decimal 1..2^31-1 without sign or leading zeros. */
    private static int version(String text) {
        if (!text.matches("[1-9][0-9]{0,9}")) {
            throw new IllegalArgumentException("a key version is a positive decimal number");
        }
        long v = Long.parseLong(text);
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a key version is at most " + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    /** A measurement or rule from a path: only its canonical form (lowercase, no spaces), as the store keys it. */
    private static RuntimeRule strictRule(String text) {
        RuntimeRule r = RuntimeRule.parse(text);
        if (!r.value().equals(text)) {
            throw new IllegalArgumentException("not in canonical form (lowercase, no spaces)");
        }
        return r;
    }

    private static Route match(String path) {
        if (path == null || path.indexOf('%') >= 0 || path.length() > 1024) {
            // Every valid id and measurement is plain ASCII; encoded paths only hide things.
            throw new DeniedException(ErrorReason.MALFORMED, "invalid request path");
        }
        switch (path) {
            case "/health" -> { return new Route("/health", List.of()); }
            case "/metrics" -> { return new Route("/metrics", List.of()); }
            case "/v1/openapi.json" -> { return new Route("/v1/openapi.json", List.of()); }
            case "/v1/register" -> { return new Route("/v1/register", List.of()); }
            case "/v1/release" -> { return new Route("/v1/release", List.of()); }
            case "/v1/audit" -> { return new Route("/v1/audit", List.of()); }
            default -> { }
        }
        String[] s = path.split("/", -1);
        // ["", "v1", "models", owner, name, ...]
        if (s.length >= 6 && s[1].equals("v1") && s[2].equals("models")) {
            List<String> p = new ArrayList<>(List.of(s[3], s[4]));
            if (s.length == 6 && s[5].equals("key")) {
                return new Route("/v1/models/{owner}/{name}/key", p);
            }
            if (s.length == 7 && s[5].equals("key")) {
                p.add(s[6]);
                return new Route("/v1/models/{owner}/{name}/key/{version}", p);
            }
            if (s.length == 6 && s[5].equals("grants")) {
                return new Route("/v1/models/{owner}/{name}/grants", p);
            }
            if (s.length == 8 && s[5].equals("grants")) {
                p.add(s[6]);
                p.add(s[7]);
                return new Route("/v1/models/{owner}/{name}/grants/{user}/{measurement}", p);
            }
            if (s.length == 7 && s[5].equals("request-keys")) {
                p.add(s[6]);
                return new Route("/v1/models/{owner}/{name}/request-keys/{measurement}", p);
            }
        }
        throw new DeniedException(ErrorReason.NOT_FOUND, "no such resource");
    }

    private int dispatch(HttpExchange ex, String method, Route r) throws IOException {
        switch (r.template()) {
            case "/health" -> {
                allow(method, "GET");
                boolean ready = health.storeReady().getAsBoolean();
                return json(ex, ready ? 200 : 503, new Bodies.Health(ready ? "ok" : "store_unavailable", health.tee(),
                        health.simulated(), health.measurement().value()));
            }
            case "/metrics" -> {
                allow(method, "GET");
                return send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape().getBytes(StandardCharsets.UTF_8));
            }
            case "/v1/openapi.json" -> {
                allow(method, "GET");
                return send(ex, 200, JSON, openApi);
            }
            default -> { }
        }
        Caller caller;
        try {
            caller = authenticate(ex);
        } catch (DeniedException d) {
            if (r.template().equals("/v1/release") && method.equals("POST") && d.reason() == ErrorReason.ATTESTATION_REJECTED
                    && d.detail().filter(AUDITED_ATTESTATION_REASONS::contains).isPresent()) {
                auditRejectedRelease(ex, d);
            }
            throw d;
        }
        switch (r.template()) {
            case "/v1/register" -> {
                allow(method, "POST");
                readOptionalEmptyObject(ex);
                boolean created = core.register(caller);
                return json(ex, created ? 201 : 200, new Bodies.RegisterResponse(caller.auditName(), created));
            }
            case "/v1/release" -> {
                allow(method, "POST");
                var req = body(ex, Bodies.ReleaseRequest.class);
                PrincipalId user = param(() -> PrincipalId.parse(req.user()), "user");
                ModelId model = param(() -> ModelId.parse(req.model()), "model");
                try {
                    var rel = core.release(caller, user, model, req.version());
                    metrics.released();
                    byte[] mk = rel.modelKey().exportSecret();
                    byte[] rk = rel.requestKey().exportSecret();
                    try {
                        return json(ex, 200, new Bodies.ReleaseResponse(model.toString(), user.hex(), rel.measurement().value(),
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
            case "/v1/audit" -> {
                allow(method, "GET");
                noBody(ex);
                Query q = Query.parse(ex.getRequestURI().getRawQuery());
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
                return json(ex, 200, new Bodies.AuditList(events));
            }
            default -> { }
        }
        ModelId model = param(() -> new ModelId(PrincipalId.parse(r.params().get(0)), r.params().get(1)), "model id");
        switch (r.template()) {
            case "/v1/models/{owner}/{name}/key" -> {
                allow(method, "PUT");
                var b = body(ex, Bodies.ModelKeyPut.class);
                byte[] raw = base64Key(b.key(), "key");
                ModelKey key;
                try {
                    key = param(() -> ModelKey.fromSecret(raw, b.version()), "version");
                } finally {
                    java.util.Arrays.fill(raw, (byte) 0);
                }
                boolean created = core.putModelKey(caller, model, key);
                return json(ex, created ? 201 : 200, new Bodies.ModelKeyPutResponse(model.toString(), key.version(), created));
            }
            case "/v1/models/{owner}/{name}/key/{version}" -> {
                allow(method, "DELETE");
                noBody(ex);
                int version = param(() -> version(r.params().get(2)), "version");
                boolean retired = core.retireModelKey(caller, model, version);
                return json(ex, 200, new Bodies.ModelKeyRetireResponse(model.toString(), version, retired));
            }
            case "/v1/models/{owner}/{name}/grants" -> {
                allow(method, "GET");
                noBody(ex);
                var list = core.listGrants(caller, model).stream().map(g -> new Bodies.GrantView(g.grant().model().toString(),
                        g.grant().user().hex(), g.grant().runtime().value(), g.createdAt().toString())).toList();
                return json(ex, 200, new Bodies.GrantList(list));
            }
            case "/v1/models/{owner}/{name}/grants/{user}/{measurement}" -> {
                allow(method, "PUT", "DELETE");
                noBody(ex);
                Grant g = new Grant(model, param(() -> PrincipalId.parse(r.params().get(2)), "user"),
                        param(() -> strictRule(r.params().get(3)), "measurement"));
                boolean changed = method.equals("PUT") ? core.addGrant(caller, g) : core.revokeGrant(caller, g);
                return json(ex, method.equals("PUT") && changed ? 201 : 200, new Bodies.WriteResponse(changed));
            }
            case "/v1/models/{owner}/{name}/request-keys/{measurement}" -> {
                allow(method, "PUT", "DELETE");
                RuntimeRule m = param(() -> strictRule(r.params().get(2)), "measurement");
                if (method.equals("DELETE")) {
                    noBody(ex);
                    return json(ex, 200, new Bodies.WriteResponse(core.deleteRequestKey(caller, model, m)));
                }
                var b = body(ex, Bodies.RequestKeyPut.class);
                byte[] raw = base64Key(b.key(), "key");
                RequestKey key;
                try {
                    key = RequestKey.fromSecret(raw);
                } finally {
                    java.util.Arrays.fill(raw, (byte) 0);
                }
                return json(ex, 200, new Bodies.WriteResponse(core.putRequestKey(caller, model, m, key)));
            }
            default -> throw new DeniedException(ErrorReason.NOT_FOUND, "no such resource");
        }
    }

    /**
     * Attestation failures that are audited for the model and user a rejected runtime names: only those that come after
     * its quote's signatures, PCK chain and key binding verified (a genuine TEE, e.g. on an OutOfDate platform or
     * running another build). Failures anyone can produce with a made-up certificate (malformed, bad signature,
     * untrusted root, binding mismatch, expired certificate) are refused without an audit row, so that they cannot
     * flood the owners' audit logs.
     */
    private static final java.util.Set<String> AUDITED_ATTESTATION_REASONS = java.util.Set.of("tcb_rejected",
            "tcb_no_match", "revoked", "debug_rejected", "measurement_mismatch", "collateral_expired", "collateral_invalid",
            "collateral_unavailable");

    /** A runtime whose evidence was rejected asked for keys: audit it for the model and user it named. */
    private void auditRejectedRelease(HttpExchange ex, DeniedException d) {
        metrics.denied(d.reason().code());
        try {
            var req = body(ex, Bodies.ReleaseRequest.class);
            core.auditRejectedRuntime(PrincipalId.parse(req.user()), ModelId.parse(req.model()), d.detail().orElseThrow());
        } catch (RuntimeException | IOException unparsable) {
            // Nothing names a model or user to audit for; the refusal itself is still answered.
            LOG.debug("rejected runtime sent an unusable release body: {}", unparsable.toString());
        }
    }

    private Caller authenticate(HttpExchange ex) {
        Caller caller = callers.resolve(ex).orElseThrow(() -> new DeniedException(ErrorReason.UNAUTHENTICATED,
                "a client certificate is required (principal certificate or RA-TLS)"));
        String key = switch (caller) {
            case Caller.Principal p -> "p:" + p.id().hex();
            case Caller.Runtime rt -> "r:" + rt.instance();
        };
        if (!limiter.tryAcquire(key)) {
            metrics.rateLimited();
            ex.getResponseHeaders().set("Retry-After", Long.toString(limiter.retryAfterSeconds()));
            throw new DeniedException(ErrorReason.RATE_LIMITED, "too many requests from this caller; slow down");
        }
        return caller;
    }

    private static void allow(String method, String... allowed) {
        for (String a : allowed) {
            if (a.equals(method)) {
                return;
            }
        }
        throw new DeniedException(ErrorReason.METHOD_NOT_ALLOWED, "method " + method.replaceAll("[^A-Z]", "?")
                + " not allowed here (use " + String.join(" or ", allowed) + ")");
    }

    private interface Parse<T> {
        T get();
    }

    /** Parses one field or path parameter; any validation failure is {@code malformed}. */
    private static <T> T param(Parse<T> p, String what) {
        try {
            return p.get();
        } catch (CryptoException | AttestationException | IllegalArgumentException e) {
            throw new DeniedException(ErrorReason.MALFORMED, "invalid " + what + ": " + e.getMessage());
        }
    }

    private static byte[] base64Key(String b64, String field) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new DeniedException(ErrorReason.MALFORMED, "field '" + field + "' is not base64");
        }
        if (raw.length != 32) {
            java.util.Arrays.fill(raw, (byte) 0);
            throw new DeniedException(ErrorReason.MALFORMED, "field '" + field + "' must be 32 bytes (AES-256), base64");
        }
        return raw;
    }

    private <T> T body(HttpExchange ex, Class<T> type) throws IOException {
        byte[] b = readBody(ex);
        if (b.length == 0) {
            throw new DeniedException(ErrorReason.MALFORMED, "a JSON body is required");
        }
        try {
            return WireJson.read(b, type);
        } catch (WireFormatException e) {
            throw new DeniedException(ErrorReason.MALFORMED, e.getMessage());
        } finally {
            java.util.Arrays.fill(b, (byte) 0);
        }
    }

    private void noBody(HttpExchange ex) throws IOException {
        if (readBody(ex).length != 0) {
            throw new DeniedException(ErrorReason.MALFORMED, "this operation takes no body");
        }
    }

    /** Register accepts no body or {@code {}}. */
    private void readOptionalEmptyObject(HttpExchange ex) throws IOException {
        byte[] b = readBody(ex);
        if (b.length != 0 && !new String(b, StandardCharsets.UTF_8).strip().equals("{}")) {
            throw new DeniedException(ErrorReason.MALFORMED, "register takes no body or {}");
        }
    }

    /** Reads at most {@code maxBodyBytes}; checks Content-Type when there is a body. */
    private byte[] readBody(HttpExchange ex) throws IOException {
        Headers h = ex.getRequestHeaders();
        String cl = h.getFirst("Content-Length");
        if (cl != null) {
            long declared;
            try {
                declared = Long.parseLong(cl.strip());
            } catch (NumberFormatException e) {
                throw new DeniedException(ErrorReason.MALFORMED, "invalid Content-Length");
            }
            if (declared > maxBodyBytes) {
                throw new DeniedException(ErrorReason.TOO_LARGE, "body larger than " + maxBodyBytes + " bytes");
            }
            if (declared == 0) {
                return new byte[0];
            }
        }
        byte[] b;
        try (InputStream in = ex.getRequestBody()) {
            b = in.readNBytes(maxBodyBytes + 1);
        }
        if (b.length > maxBodyBytes) {
            throw new DeniedException(ErrorReason.TOO_LARGE, "body larger than " + maxBodyBytes + " bytes");
        }
        if (b.length > 0) {
            String ct = h.getFirst("Content-Type");
            String mime = ct == null ? "" : ct.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!mime.equals(JSON)) {
                throw new DeniedException(ErrorReason.UNSUPPORTED_MEDIA_TYPE, "bodies must be sent as " + JSON);
            }
        }
        return b;
    }

    private int json(HttpExchange ex, int status, Object body) throws IOException {
        return send(ex, status, JSON, WireJson.write(body));
    }

    private int send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        stampStateVersion(ex);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
        return status;
    }

    /**
     * The declared Content-Length; -1 when absent (chunked or no body) or unparsable (a malformed length is refused
     * by the JDK server before the handler runs, or by {@link #readBody}).
     */
    private static long declaredLength(HttpExchange ex) {
        String cl = ex.getRequestHeaders().getFirst("Content-Length");
        if (cl == null) {
            return -1;
        }
        try {
            return Long.parseLong(cl.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The one mapping from a typed error to HTTP status and {@code {"error":{"reason","message"}}}. */
    private int fail(HttpExchange ex, ErrorReason reason, String message) {
        if (reason == ErrorReason.TOO_LARGE || declaredLength(ex) > maxBodyBytes) {
            return refuseOversized(ex, message);
        } else {
            try {
                // The request body may be unread (refused before parsing). Drain a bounded amount so the client,
                // which may still be sending, reads our answer instead of a connection reset. Beyond DRAIN_LIMIT we
                // stop reading and the client may see a reset instead; a client that stops sending is cut off by the
                // server's request deadline (KeyServiceServer).
                long drained = ex.getRequestBody().transferTo(new BoundedSink(DRAIN_LIMIT));
                if (drained > maxBodyBytes) {
                    ex.getResponseHeaders().set("Connection", "close");
                }
            } catch (IOException | RuntimeException e) {
                ex.getResponseHeaders().set("Connection", "close");
            }
        }
        try {
            return json(ex, reason.status(), Bodies.ErrorResponse.of(reason, message));
        } catch (IOException | RuntimeException e) {
            // The client went away or headers were already sent; nothing more to tell it.
            return reason.status();
        }
    }

    /** Every answer carries the state version, read after the operation committed (it reflects at least this). */
    private void stampStateVersion(HttpExchange ex) {
        ex.getResponseHeaders().set(STATE_VERSION_HEADER, Long.toString(core.stateVersion()));
    }

    /**
     * Answers 413 at once, without waiting for the announced body (its sender may never send it), then discards a
     * bounded part of what does come so that a client still sending reads the answer instead of a reset; a client
     * that sends nothing is cut off by the server's request deadline. The connection is closed afterwards.
     */
    private int refuseOversized(HttpExchange ex, String message) {
        int status = ErrorReason.TOO_LARGE.status();
        try {
            byte[] body = WireJson.write(Bodies.ErrorResponse.of(ErrorReason.TOO_LARGE, message));
            ex.getResponseHeaders().set("Content-Type", JSON);
            ex.getResponseHeaders().set("Connection", "close");
            stampStateVersion(ex);
            ex.sendResponseHeaders(status, body.length);
            OutputStream out = ex.getResponseBody();
            out.write(body);
            out.flush();
            try {
                ex.getRequestBody().transferTo(new BoundedSink(DRAIN_LIMIT));
            } catch (IOException | RuntimeException drainEnded) {
                // the drain limit, or the peer went away: either way the answer is out
            }
            out.close();
        } catch (IOException | RuntimeException e) {
            // The client went away or headers were already sent; nothing more to tell it.
        }
        return status;
    }

    /** Strict query parsing: known keys only, each at most once, plain ASCII values. */
    private record Query(java.util.Map<String, String> values) {
        static Query parse(String raw) {
            java.util.Map<String, String> m = new java.util.HashMap<>();
            if (raw != null && !raw.isEmpty()) {
                if (raw.length() > 1024) {
                    throw new DeniedException(ErrorReason.MALFORMED, "query too long");
                }
                for (String part : raw.split("&")) {
                    int eq = part.indexOf('=');
                    String k = eq < 0 ? part : part.substring(0, eq);
                    String v = eq < 0 ? "" : part.substring(eq + 1);
                    if (!List.of("model", "after", "limit").contains(k) || m.put(k, v) != null) {
                        throw new DeniedException(ErrorReason.MALFORMED, "unknown or repeated query parameter");
                    }
                }
            }
            return new Query(m);
        }

        Optional<String> get(String k) {
            return Optional.ofNullable(values.get(k));
        }
    }

}
