package org.sesemi.packer.gateway;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.client.platform.OpenWhiskException;
import org.sesemi.http.HttpService;
import org.sesemi.http.Router;
import org.sesemi.packer.policy.PackingPolicy;
import org.sesemi.packer.policy.Policies;
import org.sesemi.packer.policy.PolicyConfig;
import org.sesemi.packer.policy.PolicyStats;
import org.sesemi.time.SystemTime;
import org.sesemi.time.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FnPacker's gateway. At start it creates (or updates) a group of identical functions {@code fp-<group>-<i>} on the
 * platform — one per pool instance, each running the SeMIRT runtime image with the same limits and init parameters —
 * then serves, on the HTTP layer ({@code org.sesemi.http}):
 *
 * <ul>
 *   <li>{@code POST /v1/invoke} ({@link InvokeRoute}) — body: a request envelope (JSON form). The gateway reads only
 *       its model id, asks the policy where it goes, and makes a blocking invoke of that function with the envelope as
 *       parameters ({@link Forwarder}). The answer is the runtime's: a sealed response envelope (200), or the runtime's
 *       non-secret rejection (502, as OpenWhisk answers a failed activation). When the policy rejects
 *       ({@code All Busy}) or a queued request's deadline passes, the answer is 503 with
 *       {@code {"error":{"code":"busy","reason":...}}}, the runtime's own shape ({@link GatewayErrors}), so
 *       {@code InferenceClient} reports it the same way.
 *   <li>{@code GET /v1/stats}, {@code GET /metrics}, {@code GET /health} and {@code GET /v1/openapi.json}
 *       ({@link OperationsRoutes}). With an auth token configured, every route but {@code /health} and
 *       {@code /v1/openapi.json} needs it ({@link CallerToken}).
 * </ul>
 *
 * <p>Requests are handled on the layer's virtual threads (a blocking invoke waits up to 60 s). Untrusted host code: it
 * never decrypts anything and logs only ids, models and timings.
 */
public final class PackerGateway implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PackerGateway.class);

    private final GatewayConfig config;
    private final PackingPolicy policy;
    private final FunctionPool pool;
    private final RouteQueue queue;
    /** Threads that watch activations outliving their blocking invoke (504), to report their real end. */
    private final ExecutorService watchers = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpService http;

    private PackerGateway(GatewayConfig config, OpenWhiskClient platform, Ticker ticker) throws IOException {
        this.config = config;
        this.policy = Policies.create(config.policy(), config.policyConfig(), ticker);
        this.pool = new FunctionPool(platform, config.group(), config.function());
        this.queue = new RouteQueue(policy, ticker);
        // Model ids routed now (bounded by maxModels, least recently used idle ones forgotten).
        ModelTable models = new ModelTable(config.maxModels(), policy::forget);
        GatewayMetrics metrics = new GatewayMetrics(policy::stats, queue::size, pool::size, models::size);
        Forwarder forwarder = new Forwarder(platform, pool, policy, queue, ticker, watchers);
        CallerToken token = new CallerToken(config.authToken());
        Router.Builder routes = Router.builder()
                .post("/v1/invoke", token.guard(new InvokeRoute(config, policy, models, queue, forwarder, metrics)));
        new OperationsRoutes(config.group(), policy, pool, models, metrics).routes(routes, token);
        try {
            this.http = HttpService.builder("gateway").bind(config.bind(), config.port()).router(routes.build())
                    .errors(new GatewayErrors())
                    .observer((method, route, status, nanos, in, out) -> metrics.request(route, method, status, nanos))
                    .start();
        } catch (IOException | RuntimeException e) {
            watchers.shutdownNow();
            throw e;
        }
    }

    /**
     * Reads the platform's limits, fits the function and policy to them ({@link FunctionSizing}), starts serving, and
     * creates or updates the pool's functions on the platform.
     */
    public static PackerGateway start(GatewayConfig config, OpenWhiskClient platform) throws IOException, InterruptedException, OpenWhiskException {
        return start(config, platform, SystemTime.ticker());
    }

    /** {@link #start(GatewayConfig, OpenWhiskClient)} with the time source for durations, deadlines and the policy. */
    public static PackerGateway start(GatewayConfig config, OpenWhiskClient platform, Ticker ticker)
            throws IOException, InterruptedException, OpenWhiskException {
        FunctionSizing.Fitted fitted = FunctionSizing.fit(config, platform.limits());
        fitted.adjustments().forEach(note -> LOG.info("FnPacker gateway for group {}: {}", config.group(), note));
        PackerGateway g = new PackerGateway(fitted.config(), platform, ticker);
        int initial = config.policy().equals("dedicated") ? 0 : config.policyConfig().poolSize();
        try {
            for (int i = 0; i < initial; i++) {
                g.pool.function(i);
            }
        } catch (IOException | InterruptedException | OpenWhiskException | RuntimeException e) {
            g.close();
            throw e;
        }
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
        return http.port();
    }

    public URI uri() {
        return URI.create("http://" + http.address().getAddress().getHostAddress() + ":" + port());
    }

    /** The policy's counters (for tests and operators). */
    public PolicyStats stats() {
        return policy.stats();
    }

    /** Requests routed so far, per function and model (sorted). */
    public Map<String, Map<String, Long>> routes() {
        return pool.routes();
    }

    /** The functions created so far, by pool instance. */
    public List<String> functions() {
        return pool.names();
    }

    /** Stops serving; the functions stay on the platform (delete them there, or reuse them with the same group). */
    @Override
    public void close() {
        http.close();
        watchers.shutdownNow();
        queue.cancelAll();
    }
}
