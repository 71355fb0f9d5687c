package org.sesemi.runtime.insecure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.InferenceResponse;
import org.sesemi.protocol.action.InitBody;
import org.sesemi.protocol.action.RunBody;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.crypto.ModelId;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.runtime.core.engine.ModelSession;
import org.sesemi.runtime.core.engine.OnnxEngine;
import org.sesemi.runtime.store.DirectoryModelStore;
import org.sesemi.runtime.store.ModelStore;
import org.sesemi.time.SystemTime;

/**
 * <b>INSECURE benchmark baseline — no TEE, no KeyService, no encryption; the model and every input and output are in
 * clear.</b> The same job as the SeMIRT runtime (model from the model store, ONNX Runtime session with the runtime's
 * engine settings, inference of an Open Inference Protocol request) over the OpenWhisk action protocol, so that
 * {@code sesemi bench platform} can put the secure runtime's cold start next to that of an ordinary function
 * ({@code plain_cold_ms}, {@code cold_ratio}). It is never a default: it runs only as {@code sesemi runtime
 * insecure-plain}, announces itself as INSECURE on stderr, and marks every answer {@code "insecure": true}.
 *
 * <p>{@code POST /init}: {@code value.env} holds {@value RuntimeSettings#MODEL_STORE} (a directory) and
 * {@value #PLAIN_MODEL} (the model id {@code OWNER/NAME} of a <em>plaintext</em> ONNX file in that store); like the
 * secure runtime, nothing is loaded yet. {@code POST /run}: {@code value} is an OIP request as JSON; the first run
 * reads the model and creates the session (the secure runtime's first request fetches, decrypts and loads); the
 * answer is {@code {"insecure":true,"response":OIP response,"timing":{...}}}. Errors are {@code {"error": "..."}}
 * (status 200 for bad input, as the secure runtime, so the platform keeps the container).
 */
public final class InsecurePlainFunction implements AutoCloseable {
    /** Init parameter: the id of the plaintext model in the store. */
    public static final String PLAIN_MODEL = "SESEMI_INSECURE_PLAIN_MODEL";
    /** What this process writes first on stderr. */
    public static final String BANNER = "INSECURE plain function: no TEE, no KeyService, no encryption (benchmark baseline only)";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final PrintStream out;
    private final PrintStream err;
    private final Object lock = new Object();
    private ModelStore store;
    private ModelId model;
    private OnnxEngine engine;
    private volatile ModelSession session;

    private InsecurePlainFunction(InetSocketAddress bind, PrintStream out, PrintStream err) throws IOException {
        this.out = out;
        this.err = err;
        err.println(BANNER);
        err.flush();
        OnnxEngine.preload(); // as the secure runtime does: only the security may differ
        this.server = HttpServer.create(bind, 64);
        server.setExecutor(executor);
        server.createContext("/", this::dispatch);
        server.start();
    }

    /** Starts the INSECURE baseline on {@code bind} (port 0: any free port). */
    public static InsecurePlainFunction start(InetSocketAddress bind, PrintStream out, PrintStream err) throws IOException {
        return new InsecurePlainFunction(bind, out, err);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void dispatch(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!ex.getRequestMethod().equals("POST")) {
                send(ex, 405, error("only POST is supported here"));
            } else if (path.equals("/init")) {
                init(ex);
            } else if (path.equals("/run")) {
                try {
                    run(ex);
                } finally {
                    out.println(SENTINEL);
                    out.flush();
                    err.println(SENTINEL);
                    err.flush();
                }
            } else {
                send(ex, 404, error("no such endpoint; use POST /init and POST /run"));
            }
        } catch (RuntimeException e) {
            send(ex, 500, error("internal error (" + e.getClass().getSimpleName() + ")"));
        }
    }

    private void init(HttpExchange ex) throws IOException {
        Map<String, String> settings;
        try {
            settings = new HashMap<>(InitBody.env(ex.getRequestBody().readAllBytes()));
        } catch (RunBody.NotAnObject e) {
            send(ex, 400, error("the /init body must be a JSON object" + e.getMessage()));
            return;
        }
        synchronized (lock) {
            if (engine != null) {
                send(ex, 403, error("Cannot initialize the action more than once."));
                return;
            }
            String dir = settings.get(RuntimeSettings.MODEL_STORE);
            String id = settings.get(PLAIN_MODEL);
            if (dir == null || id == null) {
                send(ex, 502, error("Initialization has failed: " + RuntimeSettings.MODEL_STORE + " and " + PLAIN_MODEL + " are required"));
                return;
            }
            try {
                model = ModelId.parse(id);
            } catch (IllegalArgumentException e) {
                send(ex, 502, error("Initialization has failed: " + PLAIN_MODEL + ": " + e.getMessage()));
                return;
            }
            store = new DirectoryModelStore(Path.of(dir));
            // The secure runtime's engine settings (threads, arena), so that only the security differs.
            engine = new OnnxEngine(RuntimeSettings.coreConfig(settings).engine());
        }
        send(ex, 200, "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
    }

    private void run(HttpExchange ex) throws IOException {
        if (engine == null) {
            send(ex, 403, error("System not initialized."));
            return;
        }
        long t0 = SystemTime.ticker().read();
        // As the secure runtime's host does: the body read once, the request inside "value" handed on as bytes.
        byte[] body = ex.getRequestBody().readAllBytes();
        RunBody.TopLevel top;
        try {
            top = RunBody.read(body);
        } catch (RunBody.NotAnObject e) {
            send(ex, 200, error("the /run body must be a JSON object" + e.getMessage()));
            return;
        }
        if (top.value() == null || !top.valueIsObject()) {
            send(ex, 200, error("value must be an OIP request object"));
            return;
        }
        InferenceRequest request;
        double[] load;
        long t1;
        InferenceResponse response;
        try {
            request = OipCodec.parseRequest(top.value().copyOf(body));
            load = session();
            t1 = SystemTime.ticker().read();
            response = session.run(request);
        } catch (org.sesemi.protocol.oip.OipException e) {
            send(ex, 200, error(e.getMessage()));
            return;
        }
        long t2 = SystemTime.ticker().read();
        // {"insecure":true,"response":<the OIP response as written>,"timing":{...}}: the response is not parsed again.
        byte[] oip = OipCodec.writeResponse(response);
        byte[] head = "{\"insecure\":true,\"response\":".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = String.format(java.util.Locale.ROOT, ",\"timing\":{\"cold\":%b,\"modelFetchMs\":%s,\"sessionMs\":%s,\"inferenceMs\":%s,\"totalMs\":%s}}",
                load[0] > 0, load[0], load[1], (t2 - t1) / 1e6, (t2 - t0) / 1e6).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer out = ByteBuffer.allocate(head.length + oip.length + tail.length).put(head).put(oip).put(tail);
        send(ex, 200, out.array());
    }

    /** Reads the plaintext model and creates the session on first use; returns {fetch ms, session ms} (0 when warm). */
    private double[] session() throws IOException {
        synchronized (lock) {
            if (session != null) {
                return new double[] {0, 0};
            }
            long t0 = SystemTime.ticker().read();
            byte[] bytes;
            try (InputStream in = store.open(model)) {
                bytes = in.readAllBytes();
            }
            long t1 = SystemTime.ticker().read();
            session = engine.load(model.toString(), ByteBuffer.wrap(bytes), bytes.length);
            return new double[] {(t1 - t0) / 1e6, (SystemTime.ticker().read() - t1) / 1e6};
        }
    }

    private static byte[] error(String message) {
        return JSON.createObjectNode().put("error", message).toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        synchronized (lock) {
            if (session != null) {
                session.close();
            }
            if (store != null) {
                store.close();
            }
        }
    }
}
