package org.sesemi.keyservice.http;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.sesemi.attestation.Measurement;
import org.sesemi.protocol.keyservice.Bodies;
import org.sesemi.protocol.keyservice.ErrorReason;
import org.sesemi.protocol.keyservice.WireJson;
import org.sesemi.http.Before;
import org.sesemi.http.Handler;
import org.sesemi.http.HttpService;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.sesemi.http.Router;
import org.sesemi.http.StaticDocument;
import org.sesemi.keyservice.core.Caller;
import org.sesemi.keyservice.core.DeniedException;
import org.sesemi.keyservice.core.KeyServiceCore;

/**
 * The {@code /v1} API, {@code /health}, {@code /metrics} and {@code /v1/openapi.json} on the HTTP layer
 * ({@code org.sesemi.http}): routes ({@link CallerRoutes}, {@link ModelRoutes}), authentication from the TLS session
 * and per-caller rate limits, strict request parsing ({@link KsRequests}), and {@link KsErrors}, the one place where
 * errors become status + JSON error body. A declared body above the limit is refused before routing or authentication.
 *
 * <p>{@code /health}, {@code /metrics} and the OpenAPI document need no client certificate (monitoring systems have
 * none); every {@code /v1} operation does. Every answer carries {@code Cache-Control: no-store} and the state version
 * ({@value #STATE_VERSION_HEADER}), read after the operation committed. Paths with {@code %} escapes or longer than
 * 1024 characters are malformed: every valid id and measurement is plain ASCII. Thread-safe.
 */
public final class KeyServiceHttp {
    /** The response header carrying the KeyService's state version (docs/protocol.md, "State version"). */
    public static final String STATE_VERSION_HEADER = "SeSeMI-State-Version";
    /** At most this many bytes of a refused body are read and discarded. */
    static final int DRAIN_LIMIT = 4 << 20;
    private static final int MAX_PATH = 1024;

    /** Facts for {@code /health}; {@code storeReady} is asked on every health request. */
    public record HealthInfo(String tee, boolean simulated, Measurement measurement, BooleanSupplier storeReady) {}

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
        this.openApi = StaticDocument.load(KeyServiceHttp.class, "/org/sesemi/keyservice/openapi.json");
    }

    /** Sets up a service of the layer with this API: routes, checks before routing, error shape, metrics, body limits. */
    public HttpService.Builder configure(HttpService.Builder b) {
        KsRequests requests = new KsRequests(maxBodyBytes);
        UnaryOperator<Handler> versioned = h -> r -> stamp(h.handle(r));
        Router.Builder routes = Router.builder().decoder(Router.noEscapes())
                .get("/health", versioned.apply(r -> health()))
                .get("/metrics", versioned.apply(r -> Response.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape())))
                .get("/v1/openapi.json", versioned.apply(r -> Response.json(200, openApi)));
        new CallerRoutes(core, requests, metrics, this::authenticate).routes(routes, versioned);
        new ModelRoutes(core, requests, this::authenticate).routes(routes, versioned);
        KsErrors errors = new KsErrors();
        return b.router(routes.build()).before(before()).errors((r, e) -> stamp(errors.render(r, e)))
                .observer((method, route, status, nanos, in, out) -> metrics.request(route, method, status, nanos))
                .refuseDeclaredAbove(maxBodyBytes).drainLimit(DRAIN_LIMIT);
    }

    private static Before before() {
        return r -> {
            r.setResponseHeader("Cache-Control", "no-store");
            if (r.rawPath().length() > MAX_PATH) {
                throw new DeniedException(ErrorReason.MALFORMED, "invalid request path");
            }
            return Optional.empty();
        };
    }

    private Response health() {
        boolean ready = health.storeReady().getAsBoolean();
        return json(ready ? 200 : 503, new Bodies.Health(ready ? "ok" : "store_unavailable", health.tee(), health.simulated(),
                health.measurement().value()));
    }

    /** The caller from the TLS session, within its rate limit. */
    private Caller authenticate(Request r) {
        Caller caller = callers.resolve(r.sslSession()).orElseThrow(() -> new DeniedException(ErrorReason.UNAUTHENTICATED,
                "a client certificate is required (principal certificate or RA-TLS)"));
        String key = switch (caller) {
            case Caller.Principal p -> "p:" + p.id().hex();
            case Caller.Runtime rt -> "r:" + rt.instance();
        };
        if (!limiter.tryAcquire(key)) {
            metrics.rateLimited();
            r.setResponseHeader("Retry-After", Long.toString(limiter.retryAfterSeconds()));
            throw new DeniedException(ErrorReason.RATE_LIMITED, "too many requests from this caller; slow down");
        }
        return caller;
    }

    static Response json(int status, Object body) {
        return Response.json(status, WireJson.write(body));
    }

    /** Every answer carries the state version, read after the operation committed (it reflects at least this). */
    private Response stamp(Response r) {
        return r.withHeader(STATE_VERSION_HEADER, Long.toString(core.stateVersion()));
    }
}
