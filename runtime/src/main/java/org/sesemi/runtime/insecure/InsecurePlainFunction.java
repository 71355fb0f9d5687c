package org.sesemi.runtime.insecure;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.sesemi.http.HttpException;
import org.sesemi.http.HttpService;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.sesemi.http.Router;
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
 * (status 200 for bad input, as the secure runtime, so the platform keeps the container). It runs on the same HTTP
 * layer as the secure runtime, and, as the secure runtime does, runs model loading and inference on platform threads
 * (ONNX Runtime's JNI calls would pin the virtual thread of the exchange).
 */
public final class InsecurePlainFunction implements AutoCloseable {
    /** Init parameter: the id of the plaintext model in the store. */
    public static final String PLAIN_MODEL = "SESEMI_INSECURE_PLAIN_MODEL";
    /** What this process writes first on stderr. */
    public static final String BANNER = "INSECURE plain function: no TEE, no KeyService, no encryption (benchmark baseline only)";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";
    /** The secure runtime's default body limit ({@code HostConfig}): 64 MiB of envelope plus the JSON around it. */
    private static final int MAX_BODY_BYTES = 65 << 20;

    private final HttpService http;
    /** Model loading and inference: native work, on platform threads. */
    private final ExecutorService engineThreads = Executors.newCachedThreadPool();
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
        Router routes = Router.builder().post("/init", this::init).post("/run", this::runWithSentinels).build();
        this.http = HttpService.builder("insecure-plain").bind(bind.getAddress(), bind.getPort()).backlog(64).router(routes)
                .errors(InsecurePlainFunction::errors).start();
    }

    /** Starts the INSECURE baseline on {@code bind} (port 0: any free port). */
    public static InsecurePlainFunction start(InetSocketAddress bind, PrintStream out, PrintStream err) throws IOException {
        return new InsecurePlainFunction(bind, out, err);
    }

    public int port() {
        return http.port();
    }

    private static Response errors(Request r, RuntimeException e) {
        if (e instanceof HttpException h) {
            return switch (h.kind()) {
                case METHOD_NOT_ALLOWED -> error(405, "only POST is supported here").withHeader("Allow", h.allowHeader());
                case NOT_FOUND -> error(404, "no such endpoint; use POST /init and POST /run");
                case TOO_LARGE -> error(r.route().equals("/run") ? 200 : 413, "request body larger than " + h.limit() + " bytes");
                case MALFORMED_BODY, MALFORMED_PATH -> error(r.route().equals("/run") ? 200 : 400, h.getMessage());
            };
        }
        return error(500, "internal error (" + e.getClass().getSimpleName() + ")");
    }

    private Response init(Request r) {
        Map<String, String> settings;
        try {
            settings = new HashMap<>(InitBody.env(r.body(MAX_BODY_BYTES)));
        } catch (RunBody.NotAnObject e) {
            return error(400, "the /init body must be a JSON object" + e.getMessage());
        }
        synchronized (lock) {
            if (engine != null) {
                return error(403, "Cannot initialize the action more than once.");
            }
            String dir = settings.get(RuntimeSettings.MODEL_STORE);
            String id = settings.get(PLAIN_MODEL);
            if (dir == null || id == null) {
                return error(502, "Initialization has failed: " + RuntimeSettings.MODEL_STORE + " and " + PLAIN_MODEL + " are required");
            }
            try {
                model = ModelId.parse(id);
            } catch (IllegalArgumentException e) {
                return error(502, "Initialization has failed: " + PLAIN_MODEL + ": " + e.getMessage());
            }
            store = new DirectoryModelStore(Path.of(dir));
            // The secure runtime's engine settings (threads, arena), so that only the security differs.
            engine = new OnnxEngine(RuntimeSettings.coreConfig(settings).engine());
        }
        return Response.json(200, "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
    }

    private Response runWithSentinels(Request r) {
        try {
            return run(r);
        } finally {
            out.println(SENTINEL);
            out.flush();
            err.println(SENTINEL);
            err.flush();
        }
    }

    private Response run(Request r) {
        if (engine == null) {
            return error(403, "System not initialized.");
        }
        long t0 = SystemTime.ticker().read();
        // As the secure runtime's host does: the body read once, the request inside "value" handed on as bytes.
        byte[] body = r.body(MAX_BODY_BYTES);
        RunBody.TopLevel top;
        try {
            top = RunBody.read(body);
        } catch (RunBody.NotAnObject e) {
            return error(200, "the /run body must be a JSON object" + e.getMessage());
        }
        if (top.value() == null || !top.valueIsObject()) {
            return error(200, "value must be an OIP request object");
        }
        byte[] oip;
        double[] load;
        long t1;
        long t2;
        try {
            InferenceRequest request = OipCodec.parseRequest(top.value().copyOf(body));
            Inferred done = onEngineThread(() -> {
                double[] l = session();
                long s1 = SystemTime.ticker().read();
                InferenceResponse response = session.run(request);
                return new Inferred(l, s1, SystemTime.ticker().read(), response);
            });
            load = done.load();
            t1 = done.t1();
            t2 = done.t2();
            oip = OipCodec.writeResponse(done.response());
        } catch (org.sesemi.protocol.oip.OipException e) {
            return error(200, e.getMessage());
        }
        // {"insecure":true,"response":<the OIP response as written>,"timing":{...}}: the response is not parsed again.
        byte[] head = "{\"insecure\":true,\"response\":".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = String.format(java.util.Locale.ROOT, ",\"timing\":{\"cold\":%b,\"modelFetchMs\":%s,\"sessionMs\":%s,\"inferenceMs\":%s,\"totalMs\":%s}}",
                load[0] > 0, load[0], load[1], (t2 - t1) / 1e6, (t2 - t0) / 1e6).getBytes(StandardCharsets.US_ASCII);
        ByteBuffer answer = ByteBuffer.allocate(head.length + oip.length + tail.length).put(head).put(oip).put(tail);
        return Response.json(200, answer.array());
    }

    private record Inferred(double[] load, long t1, long t2, InferenceResponse response) {}

    /** Runs native work on a platform thread; its runtime exceptions (OIP errors) arrive as thrown. */
    private <T> T onEngineThread(Callable<T> work) {
        try {
            return engineThreads.submit(work).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
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

    private static Response error(int status, String message) {
        return Response.json(status, JSON.createObjectNode().put("error", message).toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        http.close();
        engineThreads.shutdownNow();
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
