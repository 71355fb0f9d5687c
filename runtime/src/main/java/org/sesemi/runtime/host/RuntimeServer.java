package org.sesemi.runtime.host;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.sesemi.http.HttpService;
import org.sesemi.http.Response;
import org.sesemi.http.Router;
import org.sesemi.http.StaticDocument;
import org.sesemi.protocol.action.RunBody;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.Outcome;
import org.sesemi.time.SystemTime;

/**
 * The runtime's HTTP server, on the HTTP layer ({@code org.sesemi.http}: routing, body limits, deadlines, access log;
 * one virtual thread per request): the OpenWhisk action protocol ({@link ActionProtocol}) or the Knative single
 * entrypoint ({@link KnativeProtocol}), in front of one {@link EnclaveRuntime}. It moves envelopes only; failures are
 * mapped to answers in {@link RuntimeErrors} and nowhere else. {@code GET /health} (and {@code GET /} on Knative)
 * answers non-secret health and cache statistics, {@code GET /metrics} Prometheus text, {@code GET /openapi.json} the
 * API's description.
 *
 * <p>Threading (docs/architecture.md, "Threads"): HTTP exchanges run on virtual threads, which only wait on sockets and
 * futures. Each envelope is handled by {@link EnclaveRuntime#handle} on a bounded pool of platform threads
 * ({@link EngineThreads}): ONNX Runtime's {@code run} and session creation are JNI calls, and model fetch and decryption
 * are file I/O and CPU work; on virtual threads, as many concurrent inferences as carriers would leave no carrier to
 * accept and answer other requests (health checks, "busy" answers). When that pool is saturated the request is refused
 * as busy at once, like a full admission queue.
 */
public final class RuntimeServer implements AutoCloseable {
    public static final String SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";
    /**
     * Deepest JSON nesting of a {@code /run} body: the platform accepts invoke parameters nested up to
     * {@link #MAX_PARAMETER_DEPTH} levels and wraps them in {@code {"value": ...}}, so every body it can send parses
     * here; a deeper one (another platform) is answered as an application error, never with a container-killing 4xx.
     */
    public static final int MAX_RUN_BODY_DEPTH = RunBody.MAX_DEPTH;
    /** Deepest invoke parameters the embedded platform accepts (its {@code PlatformApi} enforces the same number). */
    public static final int MAX_PARAMETER_DEPTH = MAX_RUN_BODY_DEPTH - 1;
    /** Content type of the binary envelope form (see docs/protocol.md, "Runtime"). */
    public static final String BINARY_ENVELOPE = "application/vnd.sesemi.envelope";
    /** Writes the runtime's own small JSON bodies (health, errors); request bodies are read by {@link RunBody}. */
    static final ObjectMapper JSON = new ObjectMapper();
    /** A refused body is read and discarded after the answer up to this much (the largest envelope the runtime takes). */
    private static final long DRAIN_LIMIT = 1L << 30;
    /** The OpenAPI document of this API, served at {@code GET /openapi.json}. */
    private static final byte[] OPENAPI = StaticDocument.load(RuntimeServer.class, "/org/sesemi/runtime/openapi.json");

    private final HostConfig config;
    private final HttpService http;
    private final EngineThreads engine = new EngineThreads();
    private volatile EnclaveRuntime core;
    private final RuntimeMetrics metrics = new RuntimeMetrics(() -> core);
    private volatile boolean initDone;

    private RuntimeServer(HostConfig config, CoreFactory factory, Map<String, String> environment, PrintStream out, PrintStream err,
            EnclaveRuntime preinitialized) throws IOException {
        this.config = config;
        this.core = preinitialized;
        Router.Builder routes = Router.builder()
                .get("/health", r -> Response.json(200, health()))
                .get("/metrics", r -> Response.text(200, RuntimeMetrics.CONTENT_TYPE, metrics.scrape()))
                .get("/openapi.json", r -> Response.json(200, OPENAPI));
        if (config.platform() == HostConfig.Platform.OPENWHISK) {
            new ActionProtocol(this, factory, environment, out, err).routes(routes);
        } else {
            routes.get("/", r -> Response.json(200, health()));
            new KnativeProtocol(this).routes(routes);
        }
        this.http = HttpService.builder("runtime").bind(InetAddress.getByName(config.bindAddress()), config.port()).backlog(256)
                .router(routes.build()).errors(new RuntimeErrors(config.platform())).drainLimit(DRAIN_LIMIT).start();
    }

    /**
     * Starts a server whose core is built at {@code /init} (OpenWhisk) or at once (Knative, from the environment).
     *
     * @param environment the process environment (settings baseline)
     */
    public static RuntimeServer start(HostConfig config, CoreFactory factory, Map<String, String> environment, PrintStream out,
            PrintStream err) throws IOException {
        // Start loading the native AES-GCM provider now, so that it overlaps waiting for /init and the KeyService
        // handshake instead of adding to the first model decryption (docs/benchmarks.md, "Crypto: model decryption").
        org.sesemi.crypto.CryptoProvider.preferNative();
        // Likewise ONNX Runtime's environment (its native library), which needs no setting either. (-Dsesemi.runtime.preload=false
        // turns this off: the lever's "before" in 'sesemi bench platform --variant-jvm-options', docs/benchmarks.md.)
        if (!"false".equals(System.getProperty("sesemi.runtime.preload"))) {
            EnclaveRuntime.preloadEngine();
        }
        EnclaveRuntime pre = config.platform() == HostConfig.Platform.KNATIVE ? factory.create(environment) : null;
        return new RuntimeServer(config, factory, environment, out, err, pre);
    }

    /**
     * Starts a server around a core built in-process (tests, {@code sesemi demo}); OpenWhisk {@code /init} is then
     * accepted once and does not rebuild the core.
     */
    public static RuntimeServer start(HostConfig config, EnclaveRuntime core) throws IOException {
        return new RuntimeServer(config, settings -> core, Map.of(), System.out, System.err, core);
    }

    public int port() {
        return http.port();
    }

    public HostConfig config() {
        return config;
    }

    EnclaveRuntime core() {
        return core;
    }

    boolean initDone() {
        return initDone;
    }

    /** Builds the core at {@code /init} (on an engine thread: a KeyService handshake, file and native work). */
    void initialize(Map<String, String> settings, CoreFactory factory) {
        if (core == null) {
            core = engine.call(() -> factory.create(settings));
        }
        initDone = true;
    }

    /** One envelope through the core on an engine thread; saturated engine threads are refused as busy at once. */
    Outcome serve(EnclaveRuntime c, byte[] envelope) {
        long t0 = SystemTime.ticker().read();
        Outcome o = engine.handle(c, envelope).orElseThrow(EngineSaturated::new);
        metrics.served(o, SystemTime.ticker().read() - t0);
        return o;
    }

    /** Every engine thread is taken: answered busy (503) at once by {@link RuntimeErrors}, like a full admission queue. */
    static final class EngineSaturated extends RuntimeException {
        private static final long serialVersionUID = 1L;

        EngineSaturated() {
            super("engine threads saturated", null, false, false);
        }
    }

    private byte[] health() {
        ObjectNode n = JSON.createObjectNode();
        EnclaveRuntime c = core;
        n.put("ok", true);
        n.put("initialized", c != null && (initDone || config.platform() == HostConfig.Platform.KNATIVE));
        if (c != null) {
            EnclaveRuntime.Stats s = c.stats();
            n.put("modelsLoaded", s.modelsLoaded());
            n.put("modelBytesUsed", s.modelBytesUsed());
            n.put("modelBudgetBytes", s.modelBudgetBytes());
            n.put("modelLoads", s.modelLoads());
            n.put("evictions", s.evictions());
            n.put("keyFetches", s.keyFetches());
            n.put("waiting", s.waiting());
        }
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        http.close();
        engine.close();
        EnclaveRuntime c = core;
        if (c != null) {
            c.close();
        }
    }
}
