package org.sesemi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.crypto.ModelId;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.runtime.insecure.InsecurePlainFunction;
import org.sesemi.time.SystemTime;

/**
 * The three kinds of cold start {@code sesemi bench platform} puts side by side on one platform, each a new function
 * (its own container) answering one MiniLM request: the secure SeMIRT runtime (with its phase breakdown), the
 * INSECURE plaintext baseline doing the same job ({@link InsecurePlainFunction}), and the bare JVM
 * ({@code java -version} with the runtime processes' options): the floor any JVM action pays.
 */
final class ColdStarts {
    static final String SECURE_MARKER = "runtime serve";
    static final String PLAIN_MARKER = "runtime insecure-plain";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalStack stack;
    private final InferenceRequest request;
    private final int memoryMb;
    private final ModelId plainModel;
    private final JsonNode plainParams;

    ColdStarts(LocalStack stack, InferenceRequest request, int memoryMb) throws IOException {
        this.stack = stack;
        this.request = request;
        this.memoryMb = memoryMb;
        this.plainModel = stack.putPlaintextModel(stack.model.name() + "-plaintext-insecure");
        this.plainParams = JSON.readTree(OipCodec.writeRequest(request, false));
    }

    /** A secure cold start: a new function of the runtime image, its first request; phases, round trip and RSS. */
    ObjectNode secure(String name) throws Exception {
        return secure(name, PlatformCommand.SEMIRT_IMAGE);
    }

    /** As {@link #secure(String)} with another image of the runtime (e.g. other JVM options: a lever's before/after). */
    ObjectNode secure(String name, String image) throws Exception {
        Set<Long> before = ProcessMemory.children(SECURE_MARKER);
        stack.createFunction(name, image, memoryMb, 8, Map.of(RuntimeSettings.TIMING, "true"));
        InferenceClient.Result r = stack.userClient(name).infer(request, true);
        JsonNode act = stack.platformClient.listActivations(name, 0, 1, OptionalLong.empty(), OptionalLong.empty(), true).getFirst();
        Map<String, Double> t = r.timing().orElseThrow(() -> new IllegalStateException("the runtime sent no timing"));
        ObjectNode c = JSON.createObjectNode();
        c.put("wait_ms", OpenWhiskClient.annotation(act, "waitTime").map(JsonNode::asDouble).orElse(Double.NaN));
        c.put("init_ms", OpenWhiskClient.annotation(act, "initTime").map(JsonNode::asDouble).orElse(Double.NaN));
        c.put("key_fetch_ms", BenchCommand.round(t.getOrDefault("keyFetchMs", 0.0)));
        c.put("model_fetch_ms", BenchCommand.round(t.getOrDefault("modelFetchMs", 0.0)));
        c.put("decrypt_ms", BenchCommand.round(t.getOrDefault("decryptMs", 0.0)));
        c.put("session_ms", BenchCommand.round(t.getOrDefault("sessionMs", 0.0)));
        c.put("inference_ms", BenchCommand.round(t.getOrDefault("inferenceMs", 0.0)));
        c.put("runtime_total_ms", BenchCommand.round(t.getOrDefault("totalMs", 0.0)));
        c.put("activation_duration_ms", act.path("duration").asDouble());
        c.put("round_trip_ms", BenchCommand.round(r.roundTripMs()));
        rss(c, before, SECURE_MARKER);
        stack.platformClient.deleteAction(name);
        return c;
    }

    /** An INSECURE plaintext cold start of the same job: a new function of the baseline image, its first request. */
    ObjectNode plain(String name) throws Exception {
        Set<Long> before = ProcessMemory.children(PLAIN_MARKER);
        stack.platformClient.putAction(name, OpenWhiskClient.BlackboxAction.of(PlatformCommand.INSECURE_PLAIN_IMAGE).withMemoryMb(memoryMb)
                .withConcurrency(8).withInitParameters(Map.of(RuntimeSettings.MODEL_STORE, stack.store.root().toString(),
                        InsecurePlainFunction.PLAIN_MODEL, plainModel.toString(), RuntimeSettings.ACTION_MEMORY, Integer.toString(memoryMb),
                        RuntimeSettings.ACTION_CONCURRENCY, "8")), true);
        long t0 = SystemTime.ticker().read();
        OpenWhiskClient.Invoked inv = stack.platformClient.invoke(name, plainParams, true, 60_000);
        double roundTrip = (SystemTime.ticker().read() - t0) / 1e6;
        JsonNode result = inv.result();
        if (!inv.success() || !result.path("insecure").asBoolean() || !result.path("response").path("outputs").isArray()) {
            throw new IllegalStateException("the plaintext baseline did not answer with outputs: " + result.path("error").asText("no error text"));
        }
        JsonNode t = result.path("timing");
        ObjectNode c = JSON.createObjectNode();
        c.put("wait_ms", inv.annotation("waitTime").map(JsonNode::asDouble).orElse(Double.NaN));
        c.put("init_ms", inv.annotation("initTime").map(JsonNode::asDouble).orElse(Double.NaN));
        c.put("model_fetch_ms", BenchCommand.round(t.path("modelFetchMs").asDouble()));
        c.put("session_ms", BenchCommand.round(t.path("sessionMs").asDouble()));
        c.put("inference_ms", BenchCommand.round(t.path("inferenceMs").asDouble()));
        c.put("runtime_total_ms", BenchCommand.round(t.path("totalMs").asDouble()));
        c.put("activation_duration_ms", inv.body().path("duration").asDouble());
        c.put("round_trip_ms", BenchCommand.round(roundTrip));
        rss(c, before, PLAIN_MARKER);
        stack.platformClient.deleteAction(name);
        return c;
    }

    /** {@code java <the runtime processes' JVM options, for a function of memoryMb> -version}: start to exit, in ms. */
    static double jvmFloorMs(int memoryMb) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(PlatformCommand.jvm());
        cmd.addAll(PlatformCommand.containerMemoryOptions(memoryMb));
        cmd.add("-version");
        long t0 = SystemTime.ticker().read();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int rc = p.waitFor();
        double ms = (SystemTime.ticker().read() - t0) / 1e6;
        if (rc != 0) {
            throw new IllegalStateException("'java -version' with the runtime's options exited with " + rc + ": " + cmd);
        }
        return ms;
    }

    /** The new container process's resident memory right after its cold start (initialized, model loaded, one request). */
    private static void rss(ObjectNode c, Set<Long> before, String marker) {
        ProcessMemory.newOne(before, ProcessMemory.children(marker)).ifPresent(pid -> {
            ProcessMemory.rssMb(pid).ifPresent(v -> c.put("rss_after_init_mb", BenchCommand.round(v)));
            ProcessMemory.peakMb(pid).ifPresent(v -> c.put("rss_peak_mb", BenchCommand.round(v)));
        });
    }
}
