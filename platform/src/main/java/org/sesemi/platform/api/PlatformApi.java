package org.sesemi.platform.api;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import org.sesemi.http.Before;
import org.sesemi.http.ErrorShape;
import org.sesemi.http.Response;
import org.sesemi.http.Router;
import org.sesemi.platform.PlatformConfig;
import org.sesemi.platform.invoker.Invoker;
import org.sesemi.platform.store.PlatformStore;

/**
 * The REST API on the HTTP layer ({@code org.sesemi.http}): one class per resource ({@link ActionsResource},
 * {@link ActivationsResource}, {@link BillingResource}, {@link InfoResource}), shared query parsing
 * ({@link QueryParams}), and {@link PlatformErrors}, the one place where errors become a status and an
 * {@code {"error": ..., "code": <transaction id>}} body. Every response carries the transaction id
 * ({@code X-Request-ID}), {@code Access-Control-Allow-Origin: *} and {@code Cache-Control: no-store}; {@code OPTIONS}
 * on any path answers the CORS pre-flight.
 *
 * <p>Routes: {@code GET /}, {@code GET /api/v1}, {@code GET /api/v1/namespaces}, and under
 * {@code /api/v1/namespaces/{ns}/}: {@code actions} (list, {@code pkg/} list, PUT/GET/DELETE/POST of
 * {@code [pkg/]name}), {@code activations} (list, get, {@code /result}, {@code /logs}), {@code limits}, empty
 * {@code packages}/{@code triggers}/{@code rules} lists; plus {@code GET /sesemi/v1/billing}. Thread-safe.
 */
public final class PlatformApi {
    /**
     * Deepest JSON nesting accepted in a request body (invoke parameters included); deeper gives 400 here, before any
     * container is involved. The runtime ({@code RuntimeServer.MAX_PARAMETER_DEPTH}) parses every {@code /run} body
     * built from parameters this deep, so a bad request never reaches a container as a body it cannot read.
     */
    public static final int MAX_JSON_DEPTH = 1000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String TX_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final int MAX_TX_ID = 64;

    private final Clock clock;
    private final ActionsResource actions;
    private final ActivationsResource activations;
    private final BillingResource billing;
    private final InfoResource info;

    public PlatformApi(PlatformConfig config, PlatformStore store, Invoker invoker, Throttles throttles, Clock clock,
            String build) {
        this.clock = clock;
        Access access = new Access(new Authenticator(store));
        this.actions = new ActionsResource(config, store, access, throttles, new Activator(store, invoker, clock), clock);
        this.activations = new ActivationsResource(store, access);
        this.billing = new BillingResource(store, access);
        this.info = new InfoResource(config, throttles, access, build);
    }

    /** Adds the API's routes (path segments percent-decoded; a trailing slash is ignored except in {@code actions/pkg/}). */
    public Router.Builder routes(Router.Builder b) {
        info.routes(b);
        actions.routes(b);
        activations.routes(b);
        billing.routes(b);
        return b;
    }

    /** A router with the API's routes only. */
    public Router router() {
        return routes(Router.builder().ignoreTrailingSlash()).build();
    }

    /** Before routing: the call's transaction id, arrival time and query; the common headers; the CORS pre-flight. */
    public Before before() {
        return r -> {
            long receivedAt = clock.millis();
            String tx = transactionId(r.header("X-Request-ID").orElse(null));
            // attached before the query is parsed, so that a malformed query is answered with this transaction id
            r.attach(new Call(tx, receivedAt, QueryParams.parse(null)));
            r.setResponseHeader("X-Request-ID", tx);
            r.setResponseHeader("Access-Control-Allow-Origin", "*");
            r.setResponseHeader("Cache-Control", "no-store");
            if (r.method().equals("OPTIONS")) {
                r.setResponseHeader("Access-Control-Allow-Methods", "GET, DELETE, POST, PUT");
                r.setResponseHeader("Access-Control-Allow-Headers",
                        "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent, X-Request-ID");
                return Optional.of(Response.empty(200));
            }
            r.attach(new Call(tx, receivedAt, QueryParams.parse(r.rawQuery())));
            return Optional.empty();
        };
    }

    /** OpenWhisk's error body for every refusal. */
    public ErrorShape errors() {
        return new PlatformErrors();
    }

    static String transactionId(String header) {
        if (header != null) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < header.length() && b.length() < MAX_TX_ID; i++) {
                char c = header.charAt(i);
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
                    b.append(c);
                }
            }
            if (!b.isEmpty()) {
                return b.toString();
            }
        }
        char[] id = new char[32];
        for (int i = 0; i < id.length; i++) {
            id[i] = TX_CHARS.charAt(RANDOM.nextInt(TX_CHARS.length()));
        }
        return new String(id);
    }
}
