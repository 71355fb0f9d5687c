package org.sesemi.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.SimulatedTee;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.client.inference.DataType;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.InferenceRequest;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.client.inference.Tensor;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.client.text.WordPieceTokenizer;
import org.sesemi.crypto.ModelCipher;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.keyservice.KeyServiceConfig;
import org.sesemi.keyservice.KeyServiceServer;
import org.sesemi.models.RealModels;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.runtime.host.HostConfig;
import org.sesemi.runtime.host.RuntimeServer;
import org.sesemi.runtime.store.DirectoryModelStore;
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

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        Path work = Files.createTempDirectory("sesemi-demo-");
        Path teeDir = work.resolve("simulated-tee");
        out.println("== SeSeMI demo: secure serverless inference on a cloud nobody trusts ==");
        out.println("!! TEE: SIMULATED. Quotes are signed by a local simulated root, not by Intel hardware: this shows the");
        out.println("!! protocol and the code paths, it gives NO hardware protection. Use --tee gramine-sgx|tdx on real TEEs.");
        out.println("working directory: " + work);
        try (KeyServiceServer ks = KeyServiceServer.start(KeyServiceConfig.defaults().withHost("127.0.0.1").withPort(0)
                        .withDatabase(work.resolve("keyservice.db")).withTee(TeeConfig.simulated(teeDir, "keyservice")));
                RuntimeServer runtime = RuntimeServer.start(HostConfig.openWhisk(0).withBind("127.0.0.1"), EnclaveRuntime::fromSettings,
                        Map.of(), quiet(), quiet())) {
            Measurement runtimeM = SimulatedTee.open(teeDir, "runtime").measurement();
            out.printf("%n[1] KeyService on %s, simulated TEE, measurement %s%n", ks.uri(), ks.measurement().value());
            out.printf("[2] SeMIRT runtime on http://127.0.0.1:%d (OpenWhisk action protocol), measurement %s%n", runtime.port(), runtimeM.value());

            KeyServiceEndpoint endpoint = new KeyServiceEndpoint(ks.uri(),
                    VerificationPolicy.simulated(SimulatedTee.open(teeDir, "keyservice")).toBuilder().expectMeasurement(ks.measurement()).build());
            PrincipalIdentity owner = PrincipalIdentity.generate();
            PrincipalIdentity user = PrincipalIdentity.generate();
            PrincipalIdentity stranger = PrincipalIdentity.generate();
            out.printf("[3] owner %s..., user %s..., stranger %s... (EC P-256 identities)%n",
                    owner.id().hex().substring(0, 12), user.id().hex().substring(0, 12), stranger.id().hex().substring(0, 12));

            // The owner encrypts a real pretrained model and publishes it to untrusted storage.
            byte[] onnx = RealModels.miniLmBytes();
            ModelId model = new ModelId(owner.id(), "all-minilm-l6-v2");
            ModelKey modelKey = ModelKey.generate(1);
            ByteArrayOutputStream enc = new ByteArrayOutputStream(onnx.length + 4096);
            ModelCipher.encrypt(new ByteArrayInputStream(onnx), onnx.length, enc, model, modelKey, ModelCipher.DEFAULT_SEGMENT_SIZE, n -> {});
            DirectoryModelStore store = new DirectoryModelStore(work.resolve("model-store"));
            Path encrypted = Files.write(work.resolve("upload.sesemi"), enc.toByteArray());
            store.put(model, encrypted);
            Files.delete(encrypted);
            out.printf("[4] owner encrypted all-MiniLM-L6-v2 (real pretrained sentence encoder, %.1f MB, from Maven Central)%n", onnx.length / 1e6);
            out.println("    and put the ciphertext into the untrusted model store: " + store.root());

            RequestKey requestKey = RequestKey.generate();
            try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner);
                    KeyServiceClient u = KeyServiceClient.forPrincipal(endpoint, user);
                    KeyServiceClient s = KeyServiceClient.forPrincipal(endpoint, stranger)) {
                o.register();
                u.register();
                s.register();
                o.putModelKey(model, modelKey);
                o.addGrant(model, user.id(), runtimeM);
                u.putRequestKey(model, runtimeM, requestKey);
                s.putRequestKey(model, runtimeM, RequestKey.generate());
            }
            out.println("[5] owner and user verified the KeyService's RA-TLS evidence (simulated root + pinned measurement), then:");
            out.println("    owner stored the model key and granted (model, user, runtime measurement);");
            out.println("    user registered a request key for (model, runtime measurement). The stranger registered one too, but has no grant.");

            // The platform initialises the function; it passes only addresses and public measurements.
            init(runtime.port(), Map.of(
                    RuntimeSettings.KS_URL, ks.uri().toString(),
                    RuntimeSettings.KS_MEASUREMENT, ks.measurement().value(),
                    RuntimeSettings.TEE, "simulated",
                    RuntimeSettings.TEE_DIR, teeDir.toString(),
                    RuntimeSettings.MODEL_STORE, store.root().toString(),
                    RuntimeSettings.MODEL_BUDGET, "512m",
                    RuntimeSettings.TIMING, "true"));

            URI run = URI.create("http://127.0.0.1:" + runtime.port() + "/run");
            InferenceClient client = new InferenceClient(run, InferenceClient.Protocol.OPENWHISK_RUN, user.id(), model, requestKey);
            WordPieceTokenizer tokenizer;
            try (InputStream tj = RealModels.class.getClassLoader().getResourceAsStream(RealModels.MINILM_TOKENIZER_RESOURCE)) {
                tokenizer = WordPieceTokenizer.fromJson(tj);
            }
            out.println("[6] user's private semantic search, every sentence sent as an encrypted request:");
            List<String> texts = new ArrayList<>();
            texts.add(QUERY);
            texts.addAll(DOCUMENTS);
            List<float[]> embeddings = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                InferenceClient.Result r = client.infer(request(tokenizer.encode(texts.get(i), MAX_TOKENS)), true);
                embeddings.add(meanPool(r.response().outputs().get(0)));
                out.printf("    request %d %-5s %7.1f ms round trip%s%n", i + 1, coldOrWarm(r.timing()), r.roundTripMs(), phases(r.timing()));
            }
            out.println("    predictions, decrypted by the user only (cosine similarity to the query \"" + QUERY + "\"):");
            List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3));
            order.sort(Comparator.comparingDouble(i -> -cosine(embeddings.get(0), embeddings.get(i + 1))));
            for (int i : order) {
                out.printf("      %.3f  %s%n", cosine(embeddings.get(0), embeddings.get(i + 1)), DOCUMENTS.get(i));
            }

            try {
                new InferenceClient(run, InferenceClient.Protocol.OPENWHISK_RUN, stranger.id(), model, RequestKey.generate())
                        .infer(request(tokenizer.encode(QUERY, MAX_TOKENS)), true);
                out.println("[7] UNEXPECTED: the stranger was served");
                return 1;
            } catch (RuntimeRejectedException e) {
                out.printf("[7] the stranger (no grant) is refused by the runtime: %s (%s); the user keeps being served.%n", e.code(), e.reason());
            }

            out.println();
            out.println("who saw what in clear:");
            out.println("  owner        : the model (plaintext), its key");
            out.println("  user         : its sentences and the embeddings; its request key");
            out.println("  KeyService   : keys only (sealed at rest in " + work.resolve("keyservice.db").getFileName() + "), never model or data");
            out.println("  runtime (TEE): model, sentences, embeddings — in enclave memory only");
            out.println("  cloud/host   : ciphertext, model id, user id, request ids, sizes and timing; no plaintext, no key");
            out.printf("%ndemo finished in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            return 0;
        } finally {
            if (keep) {
                out.println("kept " + work);
            } else {
                deleteTree(work);
            }
        }
    }

    private static InferenceRequest request(long[] ids) {
        long[] shape = {1, ids.length};
        long[] mask = new long[ids.length];
        java.util.Arrays.fill(mask, 1);
        return new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER,
                List.of(int64("input_ids", ids, shape), int64("attention_mask", mask, shape), int64("token_type_ids", new long[ids.length], shape)),
                List.of(), false);
    }

    private static Tensor int64(String name, long[] v, long[] shape) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return new Tensor(name, DataType.INT64, shape, b.flip());
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

    private static void init(int port, Map<String, String> env) throws Exception {
        String body = new ObjectMapper().writeValueAsString(Map.of("value", Map.of("name", "semirt", "env", env)));
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/init")).timeout(Duration.ofMinutes(1))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new CliErrors.UserException("runtime /init failed with HTTP " + r.statusCode() + ": " + r.body());
        }
    }

    /** The runtime's activation log stream (OpenWhisk sentinels) is not part of the demo's story. */
    private static PrintStream quiet() {
        return new PrintStream(java.io.OutputStream.nullOutputStream());
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
