package org.sesemi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.packer.gateway.PackerGateway;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.runtime.host.HostConfig;
import org.sesemi.runtime.host.RuntimeServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sesemi bench platform}: the secure runtime as a serverless function on the embedded platform, with the real
 * pretrained MiniLM — the cold-start breakdown (container process start, {@code /init} with TEE start and the attested
 * KeyService connection, key release, model fetch, decryption, session creation, first inference), warm requests
 * through the platform against the same requests sent straight to a runtime's {@code /run} (the platform's own
 * cost), and the naive runtime (no caches) through the platform.
 */
@Command(name = "platform", mixinStandardHelpOptions = true,
        description = "Cold starts, warm requests (through the platform vs straight to a runtime) and the naive runtime, on the embedded platform; writes DIR/platform.json.")
final class BenchPlatform implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--cold-starts", defaultValue = "5", description = "Cold starts to measure, each a new function revision (default ${DEFAULT-VALUE}).")
    int coldStarts;

    @Option(names = "--requests", defaultValue = "200", description = "Warm requests per path (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--naive-requests", defaultValue = "20", description = "Requests to the naive runtime (default ${DEFAULT-VALUE}).")
    int naiveRequests;

    @Option(names = "--warmup", defaultValue = "300", description = "Warm-up requests per warm path before measuring: the runtime in its container is a fresh JVM (default ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--memory", defaultValue = "256", description = "Memory of every measured function in MB: OpenWhisk's default container (default ${DEFAULT-VALUE}).")
    int memoryMb;

    @Option(names = "--variant-jvm-options", description = {"A lever's before/after: also measure cold starts of the runtime with these JVM",
        "options appended (e.g. '-XX:AOTMode=off'), interleaved with the others (variants[i]: cold_ms, ratio); repeatable."})
    List<String> variantJvmOptions = new ArrayList<>();

    @Option(names = "--out", required = true, description = "Directory for platform.json.")
    Path out;

    /** The runtime image with the i-th of {@link #variantJvmOptions} (i appended): a lever's other side. */
    static final String VARIANT_IMAGE = "sesemi/semirt-variant-";

    private static final String SENTENCE = "Your card was charged for a purchase you did not make";

    @Override
    public Integer call() throws Exception {
        BenchCommand.longServerDeadlines();
        if (coldStarts < 1 || requests < 1 || naiveRequests < 1 || memoryMb < 128) {
            throw new CliErrors.UserException("--cold-starts, --requests and --naive-requests must be positive, --memory at least 128");
        }
        PrintWriter w = spec.commandLine().getOut();
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode n = m.createObjectNode();
        n.put("model", "all-MiniLM-L6-v2 (real, 23 MB), 1 sentence of up to 64 tokens per request");
        n.put("tee", "simulated (no TEE overhead measured)");
        n.put("warmup", warmup);
        Map<String, org.sesemi.platform.invoker.ImageRegistry.Image> images = new java.util.HashMap<>(
                Map.of(PlatformCommand.INSECURE_PLAIN_IMAGE, PlatformCommand.insecurePlainImage()));
        ArrayNode variantsOut = n.putArray("variants");
        for (int v = 0; v < variantJvmOptions.size(); v++) {
            List<String> options = List.of(variantJvmOptions.get(v).trim().split("\\s+"));
            images.put(VARIANT_IMAGE + v, PlatformCommand.semirtImage(options));
            variantsOut.addObject().put("jvm_options", String.join(" ", options)).putArray("cold_starts");
        }
        try (LocalStack stack = LocalStack.start("sesemi-bench-platform-", 2048, false, java.util.Optional.empty(), false, images)) {
            InferenceRequest req = stack.sentence(SENTENCE);
            Map<String, String> timing = Map.of(RuntimeSettings.TIMING, "true");
            n.put("function_memory_mb", memoryMb);
            List<String> runtimeJvm = new ArrayList<>(PlatformCommand.jvm().subList(1, PlatformCommand.jvm().size()));
            runtimeJvm.addAll(PlatformCommand.containerMemoryOptions(memoryMb));
            n.put("runtime_jvm", String.join(" ", runtimeJvm));

            // Cold starts, interleaved: each round a new secure function, a new INSECURE plaintext function doing the same
            // job, and a bare JVM, in alternating order, so that the machine's load falls on all three alike.
            ColdStarts cs = new ColdStarts(stack, req, memoryMb);
            ArrayNode colds = n.putArray("cold_starts");
            ArrayNode plains = n.putArray("plain_cold_starts");
            ArrayNode floors = n.putArray("jvm_floor_samples_ms");
            for (int i = 0; i < coldStarts; i++) {
                progress("cold start %d/%d (secure, INSECURE plaintext baseline, bare JVM%s)", i + 1, coldStarts,
                        variantsOut.isEmpty() ? "" : ", " + variantsOut.size() + " variant(s)");
                if ((i & 1) == 0) {
                    colds.add(cs.secure("cold-" + i));
                    variantColdStarts(cs, variantsOut, i);
                    plains.add(cs.plain("plain-cold-" + i));
                    floors.add(BenchCommand.round(ColdStarts.jvmFloorMs(memoryMb)));
                } else {
                    floors.add(BenchCommand.round(ColdStarts.jvmFloorMs(memoryMb)));
                    plains.add(cs.plain("plain-cold-" + i));
                    variantColdStarts(cs, variantsOut, i);
                    colds.add(cs.secure("cold-" + i));
                }
            }
            medians(n.putObject("cold_start_median_ms"), colds, List.of("wait_ms", "init_ms", "key_fetch_ms", "model_fetch_ms", "decrypt_ms",
                    "session_ms", "inference_ms", "runtime_total_ms", "activation_duration_ms", "round_trip_ms", "rss_after_init_mb", "rss_peak_mb"));
            medians(n.putObject("plain_cold_start_median_ms"), plains, List.of("wait_ms", "init_ms", "model_fetch_ms", "session_ms", "inference_ms",
                    "runtime_total_ms", "activation_duration_ms", "round_trip_ms", "rss_after_init_mb", "rss_peak_mb"));
            double secure = n.path("cold_start_median_ms").path("round_trip_ms").asDouble();
            double plain = n.path("plain_cold_start_median_ms").path("round_trip_ms").asDouble();
            n.put("secure_cold_ms", secure);
            n.put("plain_cold_ms", plain);
            n.put("cold_ratio", BenchCommand.round(secure / plain));
            n.put("jvm_floor_ms", BenchCommand.round(median(floors)));
            n.put("rss_after_init_mb", n.path("cold_start_median_ms").path("rss_after_init_mb").asDouble(Double.NaN));
            for (JsonNode v : variantsOut) {
                ObjectNode vm = ((ObjectNode) v).putObject("cold_start_median_ms");
                medians(vm, (ArrayNode) v.path("cold_starts"), List.of("wait_ms", "init_ms", "key_fetch_ms", "model_fetch_ms", "decrypt_ms", "session_ms",
                        "inference_ms", "runtime_total_ms", "activation_duration_ms", "round_trip_ms", "rss_after_init_mb", "rss_peak_mb"));
                ((ObjectNode) v).put("cold_ms", vm.path("round_trip_ms").asDouble());
                ((ObjectNode) v).put("ratio_to_default", BenchCommand.round(vm.path("round_trip_ms").asDouble() / secure));
            }

            // Warm: through FnPacker's gateway, through the platform, and straight to a runtime's /run, interleaved.
            stack.createFunction("warm", memoryMb, 8, timing);
            InferenceClient viaPlatform = stack.userClient("warm");
            try (RuntimeServer direct = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).allowConcurrent(true).build(),
                    EnclaveRuntime::fromSettings, Map.of(), quiet(), quiet());
                    PackerGateway gateway = stack.startGateway("bench", 1, memoryMb)) {
                init(direct.port(), stack.initParameters(timing));
                progress("warm: %d warm-up requests per path (the first starts the function's container)", Math.max(1, warmup));
                InferenceClient straight = new InferenceClient(URI.create("http://127.0.0.1:" + direct.port() + "/run"),
                        InferenceClient.Protocol.OPENWHISK_RUN, stack.user.id(), stack.model, stack.requestKey);
                InferenceClient viaGateway = new InferenceClient(gateway.uri().resolve("/v1/invoke"), InferenceClient.Protocol.ENVELOPE,
                        stack.user.id(), stack.model, stack.requestKey);
                java.util.Set<Long> before = ProcessMemory.children(ColdStarts.SECURE_MARKER);
                viaPlatform.infer(req, true);
                java.util.Optional<Long> warmPid = ProcessMemory.newOne(before, ProcessMemory.children(ColdStarts.SECURE_MARKER));
                for (int i = 0; i < Math.max(1, warmup); i++) { // cold start of all three, then JIT warm-up of every path
                    viaPlatform.infer(req, true);
                    straight.infer(req, true);
                    viaGateway.infer(req, true);
                }
                progress("warm: %d measured requests per path, interleaved", requests);
                double[] platform = new double[requests];
                double[] plainRun = new double[requests];
                double[] packer = new double[requests];
                for (int i = 0; i < requests; i++) {
                    switch (i % 3) { // rotate the order
                        case 0 -> {
                            platform[i] = viaPlatform.infer(req, true).roundTripMs();
                            plainRun[i] = straight.infer(req, true).roundTripMs();
                            packer[i] = viaGateway.infer(req, true).roundTripMs();
                        }
                        case 1 -> {
                            plainRun[i] = straight.infer(req, true).roundTripMs();
                            packer[i] = viaGateway.infer(req, true).roundTripMs();
                            platform[i] = viaPlatform.infer(req, true).roundTripMs();
                        }
                        default -> {
                            packer[i] = viaGateway.infer(req, true).roundTripMs();
                            platform[i] = viaPlatform.infer(req, true).roundTripMs();
                            plainRun[i] = straight.infer(req, true).roundTripMs();
                        }
                    }
                }
                n.put("requests", requests);
                n.put("warm_platform_p50_ms", BenchCommand.round(BenchOverhead.percentile(platform, 0.5)));
                n.put("warm_platform_p99_ms", BenchCommand.round(BenchOverhead.percentile(platform, 0.99)));
                n.put("warm_direct_p50_ms", BenchCommand.round(BenchOverhead.percentile(plainRun, 0.5)));
                n.put("warm_direct_p99_ms", BenchCommand.round(BenchOverhead.percentile(plainRun, 0.99)));
                n.put("warm_gateway_p50_ms", BenchCommand.round(BenchOverhead.percentile(packer, 0.5)));
                n.put("warm_gateway_p99_ms", BenchCommand.round(BenchOverhead.percentile(packer, 0.99)));
                ArrayNode samplesPlatform = n.putArray("warm_platform_samples_ms"), samplesDirect = n.putArray("warm_direct_samples_ms");
                ArrayNode samplesGateway = n.putArray("warm_gateway_samples_ms");
                for (int i = 0; i < requests; i++) { // every measured round trip, for the latency CDF
                    samplesPlatform.add(BenchCommand.round(platform[i]));
                    samplesDirect.add(BenchCommand.round(plainRun[i]));
                    samplesGateway.add(BenchCommand.round(packer[i]));
                }
                n.put("platform_added_p50_ms", BenchCommand.round(BenchOverhead.percentile(platform, 0.5) - BenchOverhead.percentile(plainRun, 0.5)));
                n.put("gateway_added_p50_ms", BenchCommand.round(BenchOverhead.percentile(packer, 0.5) - BenchOverhead.percentile(platform, 0.5)));
                // The invoker's view of the same requests: /run time in the container (activation duration).
                List<JsonNode> acts = stack.platformClient.listActivations("warm", 0, Math.min(requests, 200), OptionalLong.empty(),
                        OptionalLong.empty(), true);
                double[] d = acts.stream().mapToDouble(a -> a.path("duration").asDouble()).toArray();
                n.put("warm_activation_duration_p50_ms", BenchCommand.round(BenchOverhead.percentile(d, 0.5)));
                // The warm container's resident memory now and at its peak (cold start, warm-up and every request above).
                warmPid.ifPresent(pid -> {
                    ProcessMemory.rssMb(pid).ifPresent(v -> n.put("rss_after_warm_mb", BenchCommand.round(v)));
                    ProcessMemory.peakMb(pid).ifPresent(v -> n.put("rss_peak_mb", BenchCommand.round(v)));
                });
            }

            // Naive runtime (no caches) through the platform.
            stack.createFunction("naive", 512, 8, Map.of(RuntimeSettings.TIMING, "true", RuntimeSettings.NAIVE, "true"));
            InferenceClient naive = stack.userClient("naive");
            progress("naive: a cold start, then %d requests", naiveRequests);
            naive.infer(req, true); // container cold start, not counted
            double[] nv = new double[naiveRequests];
            for (int i = 0; i < nv.length; i++) {
                nv[i] = naive.infer(req, true).roundTripMs();
            }
            n.put("naive_requests", naiveRequests);
            n.put("naive_platform_p50_ms", BenchCommand.round(BenchOverhead.percentile(nv, 0.5)));
            n.put("naive_platform_p99_ms", BenchCommand.round(BenchOverhead.percentile(nv, 0.99)));
        }
        ObjectNode c = (ObjectNode) n.path("cold_start_median_ms");
        w.printf("cold start (median of %d): container process %.0f ms, /init %.0f ms (TEE, attested KeyService connection),%n", coldStarts,
                c.path("wait_ms").asDouble(), c.path("init_ms").asDouble());
        w.printf("  first request in the runtime %.0f ms (key release %.0f, model fetch %.0f, decrypt %.0f, session %.0f, inference %.0f);%n",
                c.path("runtime_total_ms").asDouble(), c.path("key_fetch_ms").asDouble(), c.path("model_fetch_ms").asDouble(),
                c.path("decrypt_ms").asDouble(), c.path("session_ms").asDouble(), c.path("inference_ms").asDouble());
        w.printf("  user's round trip %.0f ms%n", c.path("round_trip_ms").asDouble());
        ObjectNode pc = (ObjectNode) n.path("plain_cold_start_median_ms");
        w.printf("INSECURE plaintext baseline, same job (median of %d): container process %.0f ms, /init %.0f ms, model read %.0f ms, session %.0f ms,%n",
                coldStarts, pc.path("wait_ms").asDouble(), pc.path("init_ms").asDouble(), pc.path("model_fetch_ms").asDouble(),
                pc.path("session_ms").asDouble());
        w.printf("  inference %.0f ms; round trip %.0f ms%n", pc.path("inference_ms").asDouble(), pc.path("round_trip_ms").asDouble());
        w.printf("secure_cold_ms %.0f, plain_cold_ms %.0f, cold_ratio %.2f; jvm_floor_ms %.0f (java -version with the runtime's options: %s)%n",
                n.path("secure_cold_ms").asDouble(), n.path("plain_cold_ms").asDouble(), n.path("cold_ratio").asDouble(),
                n.path("jvm_floor_ms").asDouble(), n.path("runtime_jvm").asText());
        for (JsonNode v : n.path("variants")) {
            JsonNode vc = v.path("cold_start_median_ms");
            w.printf("variant (runtime + %s): cold %.0f ms = %.2f x the default (container process %.0f, /init %.0f, first request %.0f ms; rss %.0f MB)%n",
                    v.path("jvm_options").asText(), v.path("cold_ms").asDouble(), v.path("ratio_to_default").asDouble(),
                    vc.path("wait_ms").asDouble(), vc.path("init_ms").asDouble(), vc.path("runtime_total_ms").asDouble(),
                    vc.path("rss_after_init_mb").asDouble(Double.NaN));
        }
        w.printf("memory of the runtime serving MiniLM (%d MB function): rss_after_init_mb %.0f (plaintext baseline %.0f), rss_peak_mb %.0f%n",
                memoryMb, n.path("rss_after_init_mb").asDouble(Double.NaN), pc.path("rss_after_init_mb").asDouble(Double.NaN),
                n.path("rss_peak_mb").asDouble(Double.NaN));
        w.printf("warm (%d requests each, interleaved): through the platform p50 %.2f ms (p99 %.2f), straight to /run p50 %.2f ms (p99 %.2f)%n",
                requests, n.path("warm_platform_p50_ms").asDouble(), n.path("warm_platform_p99_ms").asDouble(), n.path("warm_direct_p50_ms").asDouble(),
                n.path("warm_direct_p99_ms").asDouble());
        w.printf("  of which /run in the container (activation duration) p50 %.2f ms%n", n.path("warm_activation_duration_p50_ms").asDouble());
        w.printf("  through FnPacker's gateway p50 %.2f ms (p99 %.2f); platform_added_p50_ms %.2f, gateway_added_p50_ms %.2f%n",
                n.path("warm_gateway_p50_ms").asDouble(), n.path("warm_gateway_p99_ms").asDouble(), n.path("platform_added_p50_ms").asDouble(),
                n.path("gateway_added_p50_ms").asDouble());
        w.printf("naive runtime through the platform: p50 %.1f ms (p99 %.1f)%n", n.path("naive_platform_p50_ms").asDouble(),
                n.path("naive_platform_p99_ms").asDouble());
        BenchCommand.writeResult(w, m, n, out, "platform.json", BenchCharts::platform);
        return 0;
    }

    /** One cold start of each variant of the runtime image, in round {@code i}. */
    private static void variantColdStarts(ColdStarts cs, ArrayNode variants, int i) throws Exception {
        for (int v = 0; v < variants.size(); v++) {
            ((ArrayNode) variants.get(v).path("cold_starts")).add(cs.secure("variant" + v + "-cold-" + i, VARIANT_IMAGE + v));
        }
    }

    /** Per field, the median over the rows that have it (NaN when none has). */
    private static void medians(ObjectNode into, ArrayNode rows, List<String> fields) {
        for (String f : fields) {
            ArrayNode v = JSON_NODES.arrayNode();
            rows.forEach(r -> {
                if (r.has(f)) {
                    v.add(r.path(f).asDouble());
                }
            });
            into.put(f, v.isEmpty() ? Double.NaN : BenchCommand.round(median(v)));
        }
    }

    private static double median(ArrayNode values) {
        double[] v = new double[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i).asDouble();
        }
        return BenchOverhead.percentile(v, 0.5);
    }

    private static final com.fasterxml.jackson.databind.node.JsonNodeFactory JSON_NODES = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;

    /** One line on stderr: where a long bench is. */
    private void progress(String format, Object... args) {
        spec.commandLine().getErr().printf(format + "%n", args);
        spec.commandLine().getErr().flush();
    }

    private static PrintStream quiet() {
        return new PrintStream(java.io.OutputStream.nullOutputStream());
    }

    private static void init(int port, Map<String, String> env) throws Exception {
        String body = new ObjectMapper().writeValueAsString(Map.of("value", Map.of("name", "direct", "env", env)));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/init"))
                .timeout(Duration.ofMinutes(1)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new CliErrors.UserException("runtime /init failed with HTTP " + r.statusCode() + ": " + r.body());
        }
    }
}
