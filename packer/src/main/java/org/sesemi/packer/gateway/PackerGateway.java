package org.sesemi.packer.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.client.platform.OpenWhiskException;
import org.sesemi.client.platform.RawInvoked;
import org.sesemi.crypto.CryptoException;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.packer.policy.Decision;
import org.sesemi.packer.policy.PackingPolicy;
import org.sesemi.packer.policy.Policies;
import org.sesemi.packer.policy.PolicyConfig;
import org.sesemi.time.SystemTime;
import org.sesemi.time.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FnPacker's gateway. At start it creates (or updates) a group of identical functions {@code fp-<group>-<i>} on the
 * platform — one per pool instance, each running the SeMIRT runtime image with the same limits and init parameters —
 * then serves:
 *
 * <ul>
 *   <li>{@code POST /v1/invoke} — body: a request envelope (JSON form). The gateway reads only its model id, asks the
 *       policy where it goes, and makes a blocking invoke of that function with the envelope as parameters. The answer
 *       is the runtime's: a sealed response envelope (200), or the runtime's non-secret rejection (502, as OpenWhisk
 *       answers a failed activation). When the policy rejects ({@code All Busy}) or a queued request's deadline
 *       passes, the answer is 503 with {@code {"error":{"code":"busy","reason":...}}}, the runtime's own shape, so
 *       {@code InferenceClient} reports it the same way.
 *   <li>{@code GET /v1/stats} — the policy's counters and the pool's functions; {@code GET /metrics} — Prometheus
 *       metrics; {@code GET /health} and {@code GET /v1/openapi.json}. With an auth token configured, every route but
 *       {@code /health} and {@code /v1/openapi.json} needs it.
 * </ul>
 *
 * <p>Each routed request's activation {@code duration} is reported back to the policy as the model's execution time,
 * as the prototype did. Requests are handled on virtual threads (a blocking invoke waits up to 60 s). Untrusted host
 * code: it never decrypts anything and logs only ids, models and timings.
 */
public final class PackerGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PackerGateway.class);

    static {
        // The JDK server's deadlines (request 30 s, response 330 s) and socket options: JVM-wide, read once per process,
        // set in one place for every server (the HTTP layer's JdkServerSettings) before the first server is created.
        org.sesemi.http.JdkServerSettings.apply();
    }
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The OpenAPI document of this API, served at {@code GET /v1/openapi.json}. */
    private static final byte[] OPENAPI = openApi();
    /** How long a blocking invoke may wait on the platform (OpenWhisk's maximum). */
    private static final long INVOKE_WAIT_MS = 60_000;
    /** A completion hands a routed request over right after the policy routed it; this bound only catches a bug. */
    private static final long HANDOVER_WAIT_MS = 10_000;
    /** After a 504, how long the gateway keeps waiting for the activation's end before it frees the policy's slot. */
    private static final java.time.Duration AFTER_TIMEOUT_WAIT = java.time.Duration.ofMinutes(5);

    /**
     * @param group name of the function group; functions are {@code fp-<group>-<i>}
     * @param function the function every instance runs (image, memory, concurrency, init parameters)
     * @param policy {@code paper}, {@code affinity} or {@code dedicated}
     * @param maxEnvelopeBytes largest request body accepted
     * @param maxModels distinct model ids the gateway keeps track of at once (model ids come from untrusted requests,
     *     and each one costs the policy state, and under {@code dedicated} a function): beyond it the least recently
     *     used idle model is forgotten, and only if every one has requests in flight is a new one refused
     * @param authToken if present, every {@code /v1} request and {@code /metrics} must carry
     *     {@code Authorization: Bearer <token>} (else 401); {@code /health} and {@code /v1/openapi.json} stay open
     */
    public record Config(InetAddress bind, int port, String group, OpenWhiskClient.BlackboxAction function, String policy,
            PolicyConfig policyConfig, int maxEnvelopeBytes, int maxModels, java.util.Optional<String> authToken) {
        /** A gateway that takes requests from anyone who can reach its port. */
        public Config(InetAddress bind, int port, String group, OpenWhiskClient.BlackboxAction function, String policy,
                PolicyConfig policyConfig, int maxEnvelopeBytes, int maxModels) {
            this(bind, port, group, function, policy, policyConfig, maxEnvelopeBytes, maxModels, java.util.Optional.empty());
        }

        public Config {
            if (authToken.isPresent() && (authToken.get().length() < 16 || authToken.get().chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
                throw new IllegalArgumentException("an auth token is at least 16 printable ASCII characters without spaces");
            }
            if (!group.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("a group name is 1-64 letters, digits, '-' or '_'");
            }
            if (!Policies.NAMES.contains(policy)) {
                throw new IllegalArgumentException("unknown packing policy '" + policy + "', expected one of " + Policies.NAMES);
            }
            if (maxEnvelopeBytes < 1 || port < 0 || port > 65535 || maxModels < 1) {
                throw new IllegalArgumentException("bad port, envelope limit or model limit");
            }
        }
    }

    private final Config config;
    private final OpenWhiskClient platform;
    private final PackingPolicy policy;
    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong ids = new AtomicLong();
    /** Queued requests waiting to be routed by a completion. */
    private final Map<Long, CompletableFuture<Decision.Route>> waiting = new ConcurrentHashMap<>();
    /** Functions created so far ({@code dedicated} grows the pool on demand). */
    private final Map<Integer, String> functions = new ConcurrentHashMap<>();
    /** Model ids routed now (bounded by {@link Config#maxModels()}, least recently used idle ones forgotten). */
    private final ModelTable models;
    /** SHA-256 of the required bearer token, if any (compared digest to digest: constant time, length hidden). */
    private final java.util.Optional<byte[]> tokenDigest;
    private final java.util.concurrent.locks.ReentrantLock functionsLock = new java.util.concurrent.locks.ReentrantLock();
    /** Requests routed per function and model (metadata the gateway sees anyway), for operators. */
    private final Map<String, Map<String, java.util.concurrent.atomic.LongAdder>> routes = new ConcurrentHashMap<>();

    private final GatewayMetrics metrics;
    /** Durations, deadlines and the policy's time. */
    private final Ticker ticker;

    private PackerGateway(Config config, OpenWhiskClient platform, Ticker ticker) throws IOException {
        this.config = config;
        this.platform = platform;
        this.ticker = ticker;
        this.policy = Policies.create(config.policy(), config.policyConfig(), ticker);
        this.models = new ModelTable(config.maxModels(), policy::forget);
        this.tokenDigest = config.authToken().map(PackerGateway::sha256);
        this.metrics = new GatewayMetrics(policy::stats, waiting::size, functions::size, models::size);
        this.http = HttpServer.create(new InetSocketAddress(config.bind(), config.port()), 128);
        http.setExecutor(executor);
        http.createContext("/", this::handle);
    }

    /**
     * Reads the platform's limits, fits the function and policy to them ({@link FunctionSizing}), creates or updates
     * the pool's functions on the platform, then starts serving.
     */
    public static PackerGateway start(Config config, OpenWhiskClient platform) throws IOException, InterruptedException, OpenWhiskException {
        return start(config, platform, SystemTime.ticker());
    }

    /** {@link #start(Config, OpenWhiskClient)} with the time source for durations, deadlines and the policy. */
    public static PackerGateway start(Config config, OpenWhiskClient platform, Ticker ticker)
            throws IOException, InterruptedException, OpenWhiskException {
        FunctionSizing.Fitted fitted = FunctionSizing.fit(config, platform.limits());
        fitted.adjustments().forEach(note -> LOG.info("FnPacker gateway for group {}: {}", config.group(), note));
        PackerGateway g = new PackerGateway(fitted.config(), platform, ticker);
        int initial = config.policy().equals("dedicated") ? 0 : config.policyConfig().poolSize();
        for (int i = 0; i < initial; i++) {
            g.function(i);
        }
        g.http.start();
        LOG.info("FnPacker gateway for group {} ({} policy, {} functions) on port {}", config.group(), config.policy(), initial, g.port());
        return g;
    }

    /** The function every instance runs, as fitted to the platform's limits (memory, concurrency, init parameters). */
    public OpenWhiskClient.BlackboxAction function() {
        return config.function();
    }

    /** The policy's view of the pool, as fitted to the platform's limits (capacity = the function's concurrency). */
    public PolicyConfig policyConfig() {
        return config.policyConfig();
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public URI uri() {
        return URI.create("http://" + http.getAddress().getAddress().getHostAddress() + ":" + port());
    }

    /** The function for pool instance {@code i}, created on the platform the first time it is needed. */
    private String function(int i) throws IOException, InterruptedException, OpenWhiskException {
        String name = functions.get(i);
        if (name != null) {
            return name;
        }
        // A lock, not a monitor: creating the function is an HTTP call to the platform (docs/architecture.md, "Threads").
        functionsLock.lock();
        try {
            name = functions.get(i);
            if (name == null) {
                name = "fp-" + config.group() + "-" + i;
                platform.putAction(name, config.function(), true);
                functions.put(i, name);
            }
            return name;
        } finally {
            functionsLock.unlock();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        long t0 = ticker.read();
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        try {
            if (path.equals("/v1/openapi.json") && method.equals("GET")) {
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, OPENAPI.length);
                ex.getResponseBody().write(OPENAPI);
            } else if (path.equals("/health") && method.equals("GET")) {
                send(ex, 200, JSON.createObjectNode().put("status", "ok"));
            } else if (!authorized(ex)) {
                // With a token configured, everything but liveness and the API description needs it: /metrics and
                // /v1/stats reveal the models in use and the traffic.
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
                send(ex, 401, error("unauthenticated", "this gateway requires Authorization: Bearer <token>"));
            } else if (path.equals("/metrics") && method.equals("GET")) {
                byte[] out = metrics.scrape().getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", GatewayMetrics.CONTENT_TYPE);
                ex.sendResponseHeaders(200, out.length);
                ex.getResponseBody().write(out);
            } else if (path.equals("/v1/stats") && method.equals("GET")) {
                ObjectNode n = JSON.createObjectNode().put("group", config.group()).put("policy", policy.name());
                n.set("stats", JSON.valueToTree(policy.stats()));
                n.set("functions", JSON.valueToTree(new java.util.TreeMap<>(functions)));
                n.set("routes", JSON.valueToTree(routes()));
                n.put("modelsTracked", models.size()).put("modelsForgotten", models.forgotten());
                send(ex, 200, n);
            } else if (path.equals("/v1/invoke")) {
                if (!method.equals("POST")) {
                    ex.getResponseHeaders().set("Allow", "POST");
                    send(ex, 405, error("method_not_allowed", "use POST"));
                } else {
                    invoke(ex);
                }
            } else {
                send(ex, 404, error("not_found", "no such endpoint; use POST /v1/invoke"));
            }
        } catch (RuntimeException e) {
            LOG.error("gateway request failed: {}", e.getClass().getName());
            send(ex, 500, error("internal", "internal error"));
        } finally {
            ex.close();
            String route = switch (path) {
                case "/health", "/v1/stats", "/v1/invoke", "/metrics", "/v1/openapi.json" -> path;
                default -> "other";
            };
            metrics.request(route, method.matches("GET|POST|PUT|DELETE|HEAD") ? method : "other", ex.getResponseCode(),
                    ticker.read() - t0);
        }
    }

    private void invoke(HttpExchange ex) throws IOException {
        byte[] body = readBounded(ex.getRequestBody(), config.maxEnvelopeBytes());
        if (body == null) {
            metrics.refused("too_large");
            send(ex, 413, error("too_large", "request body larger than " + config.maxEnvelopeBytes() + " bytes"));
            return;
        }
        EnvelopeJson.Routing envelope;
        try {
            // Only the routing fields are read: the payload is neither decoded nor copied, and the body goes on as is.
            envelope = EnvelopeJson.readRouting(body, config.maxEnvelopeBytes()); // inline, or payload by reference
        } catch (CryptoException e) {
            metrics.refused("malformed");
            send(ex, 400, error("malformed", "the body is not a request envelope"));
            return;
        }
        String model = envelope.model().toString();
        if (!models.admit(model)) {
            metrics.refused("too_many_models");
            send(ex, 503, error("busy", "too_many_models", "this gateway routes at most " + config.maxModels()
                    + " models at once and every one has requests in flight"));
            return;
        }
        boolean served = false;
        try {
            served = route(ex, model, body, envelope);
        } finally {
            models.release(model, served);
        }
    }

    /** Routes an admitted request; true if the runtime answered it with a sealed response. */
    private boolean route(HttpExchange ex, String model, byte[] params, EnvelopeJson.Routing envelope) throws IOException {
        long id = ids.incrementAndGet();
        Decision d = policy.offer(id, model);
        Decision.Route route;
        switch (d) {
            case Decision.Route r -> route = r;
            case Decision.Rejected r -> {
                metrics.refused("all_busy");
                send(ex, 503, error("busy", "all_busy", "every function of the pool is busy: " + r.reason()));
                return false;
            }
            case Decision.Queued q -> {
                route = awaitRoute(q);
                if (route == null) {
                    metrics.refused("queue_timeout");
                    send(ex, 503, error("busy", "queue_timeout", "no function of the pool became free in time"));
                    return false;
                }
            }
        }
        return forward(ex, route, params, envelope);
    }

    private boolean authorized(HttpExchange ex) {
        if (tokenDigest.isEmpty()) {
            return true;
        }
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return java.security.MessageDigest.isEqual(tokenDigest.get(), sha256(h.substring(7).strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Waits until a completion routes the queued request, or cancels it at its deadline (null). The future is created
     * by whichever side comes first (this waiter or the completion handing the route over) and removed here.
     */
    private Decision.Route awaitRoute(Decision.Queued q) {
        CompletableFuture<Decision.Route> f = waiting.computeIfAbsent(q.requestId(), k -> new CompletableFuture<>());
        try {
            return f.get(Math.max(0, q.deadlineNanos() - ticker.read()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // Not routed yet: withdraw it; if the policy already routed it, the completion is handing it over now.
            if (policy.cancel(q.requestId())) {
                return null;
            }
            try {
                return f.get(HANDOVER_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | InterruptedException | java.util.concurrent.ExecutionException late) {
                throw new IllegalStateException("a routed request was not handed over within " + HANDOVER_WAIT_MS + " ms", late);
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            waiting.remove(q.requestId());
        }
    }

    /** Invokes the routed function and answers with the runtime's answer; always reports the completion. */
    private boolean forward(HttpExchange ex, Decision.Route route, byte[] params, EnvelopeJson.Routing envelope) throws IOException {
        long t0 = ticker.read();
        long executionNanos = -1;
        try {
            String fn = function(route.instance());
            routes.computeIfAbsent(fn, k -> new ConcurrentHashMap<>())
                    .computeIfAbsent(route.model(), k -> new java.util.concurrent.atomic.LongAdder()).increment();
            RawInvoked r = platform.invokeRaw(fn, params, INVOKE_WAIT_MS);
            if (!r.completed()) {
                send(ex, 504, error("timeout", "the function did not finish within " + INVOKE_WAIT_MS + " ms (activation " + r.activationId() + ")"));
                ex.close();
                // The activation still runs: the policy learns of its end only when it really ends.
                try {
                    executionNanos = platform.awaitActivation(r.activationId(), AFTER_TIMEOUT_WAIT)
                            .map(a -> TimeUnit.MILLISECONDS.toNanos(a.path("duration").asLong())).orElse(ticker.read() - t0);
                } catch (OpenWhiskException | IOException e) {
                    LOG.warn("activation {} of {}: its end could not be observed ({})", r.activationId(), fn, e.getClass().getSimpleName());
                }
                return false;
            }
            executionNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, r.durationMs()));
            int status = r.success() ? 200 : r.status();
            if (LOG.isDebugEnabled()) {
                LOG.debug("request {} model {} -> {} (switch believed {}), HTTP {}, {} ms", envelope.requestId(), route.model(), fn,
                        route.modelSwitch(), status, r.durationMs());
            }
            // The activation's result goes back as the platform wrote it: a view of the record's bytes, not a re-write.
            send(ex, status, r.resultOffset() < 0 ? java.nio.ByteBuffer.wrap(new byte[] {'{', '}'}) : r.result());
            return r.success() && !r.resultIsError();
        } catch (OpenWhiskException e) {
            send(ex, 502, error("platform", "the platform refused the invocation: HTTP " + e.status() + " " + e.error()));
        } catch (IOException e) {
            send(ex, 502, error("platform", "the platform could not be reached: " + e.getClass().getSimpleName()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            send(ex, 503, error("unavailable", "interrupted"));
        } finally {
            long exec = executionNanos >= 0 ? executionNanos : ticker.read() - t0;
            for (Decision.Route next : policy.completed(route, exec)) {
                waiting.computeIfAbsent(next.requestId(), k -> new CompletableFuture<>()).complete(next);
            }
        }
        return false;
    }

    private static byte[] openApi() {
        try (InputStream in = PackerGateway.class.getResourceAsStream("/org/sesemi/packer/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json missing from the packer jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ObjectNode error(String code, String message) {
        return error(code, code, message);
    }

    /** The runtime's rejection shape, so clients handle gateway refusals like runtime ones. */
    private static ObjectNode error(String code, String reason, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.putObject("error").put("code", code).put("reason", reason).put("message", message);
        return n;
    }

    private static byte[] readBounded(InputStream in, int max) throws IOException {
        byte[] b = in.readNBytes(max + 1);
        return b.length > max ? null : b;
    }

    private static void send(HttpExchange ex, int status, java.nio.ByteBuffer body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.remaining());
        if (body.hasArray()) {
            ex.getResponseBody().write(body.array(), body.arrayOffset() + body.position(), body.remaining());
        } else {
            byte[] b = new byte[body.remaining()];
            body.get(b);
            ex.getResponseBody().write(b);
        }
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] out = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, out.length);
        ex.getResponseBody().write(out);
    }

    /** The policy's counters (for tests and operators). */
    public org.sesemi.packer.policy.PolicyStats stats() {
        return policy.stats();
    }

    /** Requests routed so far, per function and model (sorted). */
    public Map<String, Map<String, Long>> routes() {
        Map<String, Map<String, Long>> out = new java.util.TreeMap<>();
        routes.forEach((fn, byModel) -> {
            Map<String, Long> m = new java.util.TreeMap<>();
            byModel.forEach((model, n) -> m.put(model, n.sum()));
            out.put(fn, m);
        });
        return out;
    }

    /** The functions created so far, by pool instance. */
    public List<String> functions() {
        return new ArrayList<>(new java.util.TreeMap<>(functions).values());
    }

    /** Stops serving; the functions stay on the platform (delete them there, or reuse them with the same group). */
    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        waiting.values().forEach(f -> f.cancel(true));
    }
}
