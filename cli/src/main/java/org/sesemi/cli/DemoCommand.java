package org.sesemi.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.RequestKey;
import org.sesemi.packer.gateway.GatewayConfig;
import org.sesemi.packer.gateway.PackerGateway;
import org.sesemi.packer.sim.CostModel;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.time.SystemTime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sesemi demo}: the README's first command. Tells the secure-inference story end to end on loopback: a
 * KeyService and a SeMIRT runtime in the simulated TEE, an owner who publishes a real pretrained model (all-MiniLM,
 * from Maven Central) encrypted, a user who sends encrypted requests (a private semantic search), and a stranger
 * who is refused.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the end-to-end secure inference demonstration on this machine (simulated TEE, loopback servers).")
final class DemoCommand implements Callable<Integer> {
    private static final int MAX_TOKENS = 64;
    private static final String QUERY = "Someone used my credit card without permission";
    private static final List<String> DOCUMENTS = List.of(
            "How to report a stolen or misused bank card",
            "Opening hours of our branches during the holidays",
            "Recipe for a quick vegetable soup",
            "Your card was charged for a purchase you did not make");

    @Spec CommandSpec spec;

    @Option(names = "--keep", description = "Keep the demo's working directory (encrypted model, KeyService database) instead of deleting it.")
    boolean keep;

    @Option(names = "--containers", description = "Run the runtime in podman or docker containers of the image sesemi/semirt "
            + "(built by deploy/images/build) instead of local processes.")
    String containers;

    @Option(names = "--limits", defaultValue = "sesemi", description = "sesemi (default) or openwhisk: the platform has a stock Apache "
            + "OpenWhisk's limits and invoker (memory up to 512 MB, concurrency 1, 60 invocations per minute, 1 MB payloads; a 503 "
            + "destroys the container), as `sesemi platform serve --limits openwhisk`; FnPacker fits its functions to them.")
    String limits;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long t0 = SystemTime.ticker().read();
        out.println("== SeSeMI demo: secure serverless inference on a cloud nobody trusts ==");
        out.println("!! TEE: SIMULATED. Quotes are signed by a local simulated root, not by Intel hardware: this shows the");
        out.println("!! protocol and the code paths, it gives NO hardware protection. Use --tee gramine-sgx|tdx on real TEEs.");
        boolean openWhiskLimits = switch (limits) {
            case "sesemi" -> false;
            case "openwhisk" -> true;
            default -> throw new CliErrors.UserException("--limits must be sesemi or openwhisk, not '" + limits + "'");
        };
        try (LocalStack stack = LocalStack.start("sesemi-demo-", 2048, keep, java.util.Optional.ofNullable(containers), openWhiskLimits)) {
            out.println("working directory: " + stack.work + (keep ? " (kept)" : ""));
            out.printf("%n[1] KeyService on %s, simulated TEE, measurement %s%n", stack.ks.uri(), stack.ks.measurement().value());
            out.printf("[2] serverless platform on %s (OpenWhisk REST API, embedded): action containers are %s;%n",
                    stack.platform.apiHost(), containers == null ? "separate processes" : containers + " containers of " + Containers.semirtReference(containers));
            out.printf("    image %s = this build's SeMIRT runtime, measurement %s%n", PlatformCommand.SEMIRT_IMAGE,
                    stack.runtimeMeasurement.value());
            OpenWhiskClient.NamespaceLimits platformLimits = stack.platformClient.limits();
            out.printf("    limits: %s — action memory up to %d MB, concurrency up to %d, invoke body up to %d bytes%n",
                    openWhiskLimits ? "a stock OpenWhisk's (a 503 destroys the container; /init and /run each get the timeout)" : "SeSeMI's",
                    platformLimits.maxActionMemoryMb().orElse(0), platformLimits.maxActionConcurrency().orElse(0),
                    platformLimits.maxPayloadBytes().orElse(0));
            out.printf("[3] owner %s..., user %s..., stranger %s... (EC P-256 identities)%n", stack.owner.id().hex().substring(0, 12),
                    stack.user.id().hex().substring(0, 12), stack.stranger.id().hex().substring(0, 12));
            ModelId support = stack.publish("minilm-support"), legal = stack.publish("minilm-legal");
            out.printf("[4] owner encrypted all-MiniLM-L6-v2 (real pretrained sentence encoder, %.1f MB, from Maven Central) and published it%n",
                    stack.modelBytes / 1e6);
            out.println("    as three models under three keys (standing in for three models of the owner): " + names(stack.model, support, legal));
            out.println("    ciphertext only, in the untrusted model store: " + stack.store.root());
            out.println("[5] owner and user verified the KeyService's RA-TLS evidence (simulated root + pinned measurement), then:");
            out.println("    owner stored the model keys and granted (model, user, runtime measurement) for each;");
            out.println("    user registered its request key for them. The stranger registered one too, but has no grant.");

            // FnPacker owns a pool of two functions on the platform; each runs the runtime image. Their init parameters
            // (sent to /init when a container starts) are only addresses and public measurements.
            GatewayConfig packer = GatewayConfig.builder().group("demo")
                    .function(OpenWhiskClient.BlackboxAction.of(PlatformCommand.SEMIRT_IMAGE).withMemoryMb(1024).withConcurrency(8)
                            .withInitParameters(stack.initParameters(Map.of(RuntimeSettings.TIMING, "true"))))
                    .policy("affinity", CostModel.builder().capacity(8).cacheSlots(4).build().policyConfig(2)).maxModels(16).build();
            try (PackerGateway gateway = PackerGateway.start(packer, stack.platformClient)) {
                URI invoke = gateway.uri().resolve("/v1/invoke");
                out.printf("[6] FnPacker gateway on %s packs the models onto 2 functions %s (affinity policy;%n", invoke, gateway.functions());
                int fnConcurrency = gateway.function().concurrency().orElse(1);
                out.printf("    each %s, %d MB, %s, a cache for %d models; sized by FnPacker within the platform's limits)%n",
                        PlatformCommand.SEMIRT_IMAGE, gateway.function().memoryMb().orElse(256),
                        fnConcurrency == 1 ? "one request at a time" : fnConcurrency + " concurrent requests", gateway.policyConfig().cacheSlots());

                InferenceClient client = new InferenceClient(invoke, InferenceClient.Protocol.ENVELOPE, stack.user.id(), stack.model, stack.requestKey);
                out.println("[7] user's private semantic search with " + stack.model.name() + ", every sentence an encrypted request:");
                List<String> texts = new ArrayList<>();
                texts.add(QUERY);
                texts.addAll(DOCUMENTS);
                List<float[]> embeddings = new ArrayList<>();
                for (int i = 0; i < texts.size(); i++) {
                    InferenceClient.Result r = client.infer(stack.sentence(texts.get(i)), true);
                    embeddings.add(meanPool(r.response().outputs().get(0)));
                    out.printf("    request %d %-5s %7.1f ms round trip%s%n", i + 1, coldOrWarm(r.timing()), r.roundTripMs(), phases(r.timing()));
                }
                out.println("    predictions, decrypted by the user only (cosine similarity to the query \"" + QUERY + "\"):");
                List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
                order.sort(Comparator.comparingDouble(i -> -cosine(embeddings.get(0), embeddings.get(i + 1))));
                for (int i : order) {
                    out.printf("      %.3f  %s%n", cosine(embeddings.get(0), embeddings.get(i + 1)), DOCUMENTS.get(i));
                }

                out.println("[8] requests for the other two models share the same pool:");
                for (ModelId m : List.of(support, legal, support, legal)) {
                    InferenceClient.Result r = new InferenceClient(invoke, InferenceClient.Protocol.ENVELOPE, stack.user.id(), m, stack.requestKey)
                            .infer(stack.sentence(DOCUMENTS.get(0)), true);
                    out.printf("    %-15s %-5s %7.1f ms round trip%s%n", m.name(), coldOrWarm(r.timing()), r.roundTripMs(), phases(r.timing()));
                }

                try {
                    new InferenceClient(invoke, InferenceClient.Protocol.ENVELOPE, stack.stranger.id(), stack.model, RequestKey.generate())
                            .infer(stack.sentence(QUERY), true);
                    out.println("[9] UNEXPECTED: the stranger was served");
                    return 1;
                } catch (RuntimeRejectedException e) {
                    out.printf("[9] the stranger (no grant) is refused by the runtime: %s (%s); the user keeps being served.%n", e.code(), e.reason());
                }
                platformView(out, stack.platformClient, gateway);
            }

            out.println();
            out.println("who saw what in clear:");
            out.println("  owner        : the model (plaintext), its key");
            out.println("  user         : its sentences and the embeddings; its request key");
            out.println("  KeyService   : keys only (sealed at rest in keyservice.db), never model or data");
            out.println("  runtime (TEE): model, sentences, embeddings — in enclave memory only");
            out.println("  platform/host: ciphertext, model id, user id, request ids, sizes and timing; no plaintext, no key");
            out.println("  FnPacker     : the same as the platform (it routes by model id)");
            out.printf("%ndemo finished in %.1f s%n", (SystemTime.ticker().read() - t0) / 1e9);
            return 0;
        }
    }

    /** Sentence embedding: mean of the token vectors of last_hidden_state [1, S, H] (all tokens are real here). */
    private static float[] meanPool(Tensor hidden) {
        long[] shape = hidden.shape();
        int s = (int) shape[1];
        int h = (int) shape[2];
        FloatBuffer f = hidden.data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] mean = new float[h];
        for (int t = 0; t < s; t++) {
            for (int j = 0; j < h; j++) {
                mean[j] += f.get(t * h + j) / s;
            }
        }
        return mean;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static String coldOrWarm(Optional<Map<String, Double>> timing) {
        return timing.map(t -> t.getOrDefault("cold", 0.0) > 0 ? "cold" : "warm").orElse("");
    }

    private static String phases(Optional<Map<String, Double>> timing) {
        if (timing.isEmpty()) {
            return "";
        }
        Map<String, Double> t = timing.get();
        if (t.getOrDefault("cold", 0.0) > 0) {
            return String.format("  (in the TEE: key release %.0f ms, model fetch %.0f, decrypt %.0f, session %.0f, inference %.0f)",
                    t.getOrDefault("keyFetchMs", 0.0), t.getOrDefault("modelFetchMs", 0.0), t.getOrDefault("decryptMs", 0.0),
                    t.getOrDefault("sessionMs", 0.0), t.getOrDefault("inferenceMs", 0.0));
        }
        return String.format("  (in the TEE: inference %.1f ms; keys and model cached)", t.getOrDefault("inferenceMs", 0.0));
    }

    /** What the platform recorded (one activation per request, cold or warm, billed) and where FnPacker sent what. */
    private static void platformView(PrintWriter out, OpenWhiskClient ow, PackerGateway gateway) throws Exception {
        List<com.fasterxml.jackson.databind.JsonNode> acts = new ArrayList<>();
        for (String fn : gateway.functions()) {
            acts.addAll(ow.listActivations(fn, 0, 100, java.util.OptionalLong.empty(), java.util.OptionalLong.empty(), true));
        }
        acts.sort(Comparator.comparingLong(a -> a.path("start").asLong()));
        int cold = 0;
        double gbs = 0;
        for (var a : acts) {
            cold += OpenWhiskClient.annotation(a, "initTime").isPresent() ? 1 : 0;
            gbs += OpenWhiskClient.annotation(a, "limits").map(l -> l.path("memory").asDouble()).orElse(0.0) / 1024 * a.path("duration").asDouble() / 1000;
        }
        out.printf("[10] the platform's records: %d activations, %d container cold start%s (initTime); %.3f GB-s billed%n", acts.size(),
                cold, cold == 1 ? "" : "s", gbs);
        out.println("     where each request ran (the demo sends them one after another, so in this order):");
        for (int i = 0; i < acts.size(); i++) {
            var a = acts.get(i);
            out.printf("       request %2d -> %s, activation %s, %s container, %s, %d ms%n", i + 1, a.path("name").asText(),
                    a.path("activationId").asText(), OpenWhiskClient.annotation(a, "initTime").isPresent() ? "new" : "warm",
                    a.at("/response/status").asText(), a.path("duration").asLong());
        }
        var first = acts.getFirst();
        out.printf("     the first cold start: waited %d ms for its container (process start), /init %d ms, %d ms in all%n",
                OpenWhiskClient.annotation(first, "waitTime").map(com.fasterxml.jackson.databind.JsonNode::asLong).orElse(0L),
                OpenWhiskClient.annotation(first, "initTime").map(com.fasterxml.jackson.databind.JsonNode::asLong).orElse(0L),
                first.path("duration").asLong());
        Map<String, Map<String, Long>> routes = gateway.routes();
        for (String fn : gateway.functions()) {
            Map<String, Long> byModel = routes.getOrDefault(fn, Map.of());
            StringBuilder b = new StringBuilder();
            byModel.forEach((model, n) -> b.append(b.isEmpty() ? "" : ", ").append(ModelId.parse(model).name()).append(" ×").append(n));
            out.printf("     FnPacker sent to %s: %s%n", fn, byModel.isEmpty() ? "nothing (no container started, nothing billed)" : b);
        }
        out.println("     a model new to a warm runtime costs a model load (about 0.1 s above), not a container cold start (about 1.7 s)");
    }

    private static String names(ModelId... ids) {
        return String.join(", ", java.util.Arrays.stream(ids).map(ModelId::name).toList());
    }
}
