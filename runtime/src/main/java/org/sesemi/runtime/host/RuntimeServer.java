package org.sesemi.runtime.host;

import org.sesemi.protocol.action.InitBody;
import org.sesemi.protocol.action.RunBody;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.Outcome;
import org.sesemi.protocol.envelope.Timing;
import org.sesemi.time.SystemTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's HTTP server (JDK HttpServer, one virtual thread per request): the OpenWhisk action protocol or the
 * Knative single entrypoint, in front of one {@link EnclaveRuntime}. It moves envelopes only; errors are mapped here
 * and nowhere else.
 *
 * <p>OpenWhisk ({@code docs/runtime.md} has the full table): {@code POST /init} once (init parameters in
 * {@code value.env} override the process environment as core settings; a second init is refused with 403);
 * {@code POST /run} with {@code value} = the request envelope answers 200 with the response envelope; a rejection
 * answers 200 with {@code {"error":{"code","reason","message"}}} (an application error: the container stays warm)
 * except busy, which answers 503 so OpenWhisk reschedules the activation elsewhere. Every response carries a body and
 * a Content-Length; after every {@code /run} and every failed {@code /init} the activation sentinel is written to
 * stdout and stderr.
 *
 * <p>Knative: {@code POST /} with the envelope itself, or the single-entrypoint body {@code {"value": envelope,
 * "activation": {...}}}; rejections map to the HTTP status of their code. {@code GET /} (and {@code /health} on both
 * platforms) answers non-secret health and cache statistics.
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
    private static final Logger log = LoggerFactory.getLogger(RuntimeServer.class);
    /**
     * Deepest JSON nesting of a {@code /run} body: the platform accepts invoke parameters nested up to
     * {@link #MAX_PARAMETER_DEPTH} levels and wraps them in {@code {"value": ...}}, so every body it can send parses
     * here; a deeper one (another platform) is answered as an application error, never with a container-killing 4xx.
     */
    public static final int MAX_RUN_BODY_DEPTH = RunBody.MAX_DEPTH;
    /** Deepest invoke parameters the embedded platform accepts (its {@code PlatformApi} enforces the same number). */
    public static final int MAX_PARAMETER_DEPTH = MAX_RUN_BODY_DEPTH - 1;
    /** Writes the runtime's own small JSON bodies (health, errors); request bodies are read by {@link RunBody}, {@link InitBody}. */
    static final ObjectMapper JSON = new ObjectMapper();

    static {
        // The JDK server's deadlines (request 30 s, response 330 s) and socket options: JVM-wide, read once per process,
        // set in one place for every server (the HTTP layer's JdkServerSettings) before the first server is created.
        org.sesemi.http.JdkServerSettings.apply();
    }

    private static final long DRAIN_LIMIT = 1L << 30;
    /** Content type of the binary envelope form (see docs/protocol.md, "Runtime"). */
    public static final String BINARY_ENVELOPE = "application/vnd.sesemi.envelope";
    /** The OpenAPI document of this API, served at {@code GET /openapi.json}. */
    private static final byte[] OPENAPI = resource("/org/sesemi/runtime/openapi.json");

    private final HostConfig config;
    private final CoreFactory factory;
    private final Map<String, String> environment;
    private final PrintStream out;
    private final PrintStream err;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final java.util.concurrent.locks.ReentrantLock initLock = new java.util.concurrent.locks.ReentrantLock();
    private final EngineThreads engine = new EngineThreads();
    private volatile EnclaveRuntime core;
    private final AtomicInteger running = new AtomicInteger();
    private final RuntimeMetrics metrics = new RuntimeMetrics(() -> core);

    private RuntimeServer(HostConfig config, CoreFactory factory, Map<String, String> environment, PrintStream out, PrintStream err,
            EnclaveRuntime preinitialized) throws IOException {
        this.config = config;
        this.factory = factory;
        this.environment = Map.copyOf(environment);
        this.out = out;
        this.err = err;
        this.core = preinitialized;
        this.server = HttpServer.create(new InetSocketAddress(config.bindAddress(), config.port()), 256);
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
        server.start();
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
        return server.getAddress().getPort();
    }

    public HostConfig config() {
        return config;
    }

    private volatile boolean initDone;

    private void dispatch(HttpExchange ex) throws IOException {
        try (ex) {
            route(ex);
        }
    }

    /** Separate from {@link #dispatch} so the error mapping runs while the exchange is still open. */
    private void route(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if ((path.equals("/health") || (path.equals("/") && config.platform() == HostConfig.Platform.KNATIVE)) && method.equals("GET")) {
                send(ex, 200, health());
                return;
            }
            if (path.equals("/metrics") && method.equals("GET")) {
                send(ex, 200, metrics.scrape().getBytes(StandardCharsets.UTF_8), RuntimeMetrics.CONTENT_TYPE);
                return;
            }
            if (path.equals("/openapi.json") && method.equals("GET")) {
                send(ex, 200, OPENAPI);
                return;
            }
            if (!method.equals("POST")) {
                send(ex, 405, error("only POST is supported here"));
                return;
            }
            if (config.platform() == HostConfig.Platform.OPENWHISK) {
                switch (path) {
                    case "/init" -> init(ex);
                    case "/run" -> run(ex);
                    default -> send(ex, 404, error("no such endpoint; use POST /init and POST /run"));
                }
            } else if (path.equals("/")) {
                knative(ex);
            } else {
                send(ex, 404, error("no such endpoint; use POST /"));
            }
        } catch (EngineSaturated e) {
            send(ex, 503, rejection("busy", "busy", EngineThreads.SATURATED));
        } catch (BodyTooLarge e) {
            String message = "request body larger than " + config.maxBodyBytes() + " bytes";
            if (config.platform() == HostConfig.Platform.OPENWHISK && ex.getRequestURI().getPath().equals("/run")) {
                // The user's input, not the runtime, is at fault: an application error keeps the container warm.
                send(ex, 200, rejection("too_large", "too_large", message));
            } else {
                send(ex, 413, error(message));
            }
        } catch (RuntimeException e) {
            log.error("request handling failed: {}", e.getClass().getName());
            send(ex, 500, error("internal error"));
        }
    }

    // ------------------------------------------------------------------ OpenWhisk

    private void init(HttpExchange ex) throws IOException {
        // A lock, not a monitor: init reads a body and builds the core (a KeyService handshake) while holding it.
        initLock.lock();
        try {
            if (initDone) {
                // Reference runtimes log this and write no sentinel.
                err.println("Cannot initialize the action more than once.");
                err.flush();
                send(ex, 403, error("Cannot initialize the action more than once."));
                return;
            }
            Map<String, String> settings = new HashMap<>(environment);
            try {
                settings.putAll(InitBody.env(readBody(ex)));
            } catch (RunBody.NotAnObject e) {
                send(ex, 400, error("the /init body must be a JSON object" + e.getMessage()));
                sentinels();
                return;
            }
            try {
                if (core == null) {
                    core = engine.call(() -> factory.create(settings));
                }
                initDone = true;
                send(ex, 200, "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                err.println("initialization failed: " + e.getMessage());
                send(ex, 502, error("Initialization has failed: " + e.getMessage()));
                sentinels();
            }
        } finally {
            initLock.unlock();
        }
    }

    private void run(HttpExchange ex) throws IOException {
        EnclaveRuntime c = core;
        if (!initDone || c == null) {
            send(ex, 403, error("System not initialized."));
            sentinels();
            return;
        }
        if (running.incrementAndGet() > 1 && !config.allowConcurrent()) {
            running.decrementAndGet();
            send(ex, 403, error("System not ready, status is running."));
            sentinels();
            return;
        }
        try {
            // The body is read once, as a stream; the envelope inside "value" goes to the core as the bytes received.
            RunBody.TopLevel body;
            byte[] raw = readBody(ex);
            try {
                body = RunBody.read(raw);
            } catch (RunBody.NotAnObject e) {
                // An application error (200 + error), not a 4xx: OpenWhisk destroys a container that answers /run
                // with anything but 200 (docs/runtime.md), and a bad request must not cost a warm container.
                send(ex, 200, rejection("malformed", "malformed", "the /run body must be a JSON object" + e.getMessage()));
                return;
            }
            if (body.value() == null || !body.valueIsObject()) {
                send(ex, 200, rejection("malformed", "malformed", "value must be a request envelope object"));
                return;
            }
            Outcome o = handle(c, body.value().copyOf(raw));
            switch (o) {
                case Outcome.Sealed s -> send(ex, 200, Timing.appendTo(s.envelopeJson(), s.timing()));
                case Outcome.Rejected r -> send(ex, r.code() == org.sesemi.runtime.core.ErrorCode.BUSY ? 503 : 200,
                        rejection(r.code().wire(), r.reason(), r.message()));
            }
        } finally {
            running.decrementAndGet();
            sentinels();
        }
    }

    // ------------------------------------------------------------------ Knative

    private void knative(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith(BINARY_ENVELOPE)) {
            // The binary envelope form: handed to the core as is; the answer comes back in the same form.
            Outcome o = handle(core, readBody(ex));
            switch (o) {
                case Outcome.Sealed s -> {
                    s.timing().ifPresent(t -> ex.getResponseHeaders().set("Sesemi-Timing", t.json()));
                    send(ex, s.oipStatus(), s.envelopeBytes(), s.binary() ? BINARY_ENVELOPE : "application/json");
                }
                case Outcome.Rejected r -> send(ex, r.code().httpStatus(), rejection(r.code().wire(), r.reason(), r.message()));
            }
            return;
        }
        byte[] raw = readBody(ex);
        RunBody.TopLevel body;
        try {
            body = RunBody.read(raw);
        } catch (RunBody.NotAnObject e) {
            send(ex, 400, rejection("malformed", "malformed", "the body must be a JSON object: an envelope or {\"value\": envelope}"
                    + e.getMessage()));
            return;
        }
        if (body.hasInit()) {
            send(ex, 403, error("Cannot initialize a runtime with a dedicated function."));
            return;
        }
        if (body.value() != null && !body.valueIsObject()) {
            send(ex, 400, rejection("malformed", "malformed", "value must be a request envelope object"));
            return;
        }
        // The envelope itself, or the one inside "value": as received, not re-serialized.
        Outcome o = handle(core, body.value() == null ? raw : body.value().copyOf(raw));
        switch (o) {
            // OIP's status for the sealed answer (200, or 400/500 around a sealed OIP error body).
            case Outcome.Sealed s -> send(ex, s.oipStatus(), Timing.appendTo(s.envelopeJson(), s.timing()));
            case Outcome.Rejected r -> send(ex, r.code().httpStatus(), rejection(r.code().wire(), r.reason(), r.message()));
        }
    }

    // ------------------------------------------------------------------ helpers

    static byte[] resource(String name) {
        try (InputStream in = RuntimeServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing from the runtime jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Outcome handle(EnclaveRuntime c, byte[] envelope) {
        long t0 = SystemTime.ticker().read();
        Outcome o = engine.handle(c, envelope).orElseThrow(EngineSaturated::new);
        metrics.served(o, SystemTime.ticker().read() - t0);
        return o;
    }

    /** Every engine thread is taken: answered busy (503) at once by {@link #route}, like a full admission queue. */
    private static final class EngineSaturated extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private byte[] readBody(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(config.maxBodyBytes() + 1);
            if (body.length > config.maxBodyBytes()) {
                // Drain (bounded) so the client, still sending, can read the 413 instead of a reset connection.
                long drained = 0;
                byte[] sink = new byte[1 << 16];
                int n;
                while (drained < DRAIN_LIMIT && (n = in.read(sink)) > 0) {
                    drained += n;
                }
                throw new BodyTooLarge();
            }
        }
        return body;
    }

    /** A body over the limit: answered 413 by {@link #dispatch} without reading further. */
    private static final class BodyTooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    /** PrintStream is thread-safe (println is atomic), so no monitor is held around this blocking pipe write. */
    private void sentinels() {
        out.println(SENTINEL);
        out.flush();
        err.println(SENTINEL);
        err.flush();
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

    private static byte[] error(String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", message);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] rejection(String code, String reason, String message) {
        ObjectNode n = JSON.createObjectNode();
        ObjectNode e = n.putObject("error");
        e.put("code", code);
        e.put("reason", reason);
        e.put("message", message);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** As {@link #send(HttpExchange, int, byte[])}, for a body given as consecutive parts (written without joining them). */
    private static void send(HttpExchange ex, int status, java.util.List<java.nio.ByteBuffer> parts) throws IOException {
        long n = 0;
        for (java.nio.ByteBuffer b : parts) {
            n += b.remaining();
        }
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, n);
        for (java.nio.ByteBuffer b : parts) {
            ex.getResponseBody().write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        }
    }

    /** Always a body and a fixed Content-Length: OpenWhisk treats chunked or empty answers as no answer. */
    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        send(ex, status, body, "application/json");
    }

    private static void send(HttpExchange ex, int status, byte[] body, String contentType) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        engine.close();
        EnclaveRuntime c = core;
        if (c != null) {
            c.close();
        }
    }
}
