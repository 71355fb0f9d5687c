package org.sesemi.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.SimulatedTee;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.client.inference.DataType;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.InferenceRequest;
import org.sesemi.client.inference.Tensor;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.client.text.WordPieceTokenizer;
import org.sesemi.crypto.ModelCipher;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.keyservice.KeyServiceConfig;
import org.sesemi.keyservice.KeyServiceServer;
import org.sesemi.models.RealModels;
import org.sesemi.platform.PlatformConfig;
import org.sesemi.platform.PlatformServer;
import org.sesemi.platform.invoker.ContainerPool;
import org.sesemi.platform.invoker.InvokerConfig;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.runtime.store.DirectoryModelStore;

/**
 * The whole system on loopback, as the demo and {@code sesemi bench platform} use it: a KeyService in the simulated
 * TEE, the embedded platform whose image {@value PlatformCommand#SEMIRT_IMAGE} runs this build's runtime in separate
 * processes, an owner who published the real pretrained all-MiniLM-L6-v2 encrypted to a directory model store and
 * granted it to a user for the runtime's measurement, the user's request key, and a stranger registered without a
 * grant. Everything lives under {@link #work}, deleted on close unless kept.
 */
final class LocalStack implements AutoCloseable {
    static final int MAX_TOKENS = 64;

    final Path work;
    final Path teeDir;
    final KeyServiceServer ks;
    final ContainerPool invoker;
    final PlatformServer platform;
    /** What {@code sesemi measure} prints for this build: the measurement the owner grants. */
    final Measurement runtimeMeasurement;
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final PrincipalIdentity user = PrincipalIdentity.generate();
    final PrincipalIdentity stranger = PrincipalIdentity.generate();
    final ModelId model;
    final int modelBytes;
    private final byte[] onnx;
    private final KeyServiceEndpoint endpoint;
    final RequestKey requestKey = RequestKey.generate();
    final DirectoryModelStore store;
    final OpenWhiskClient platformClient;
    final WordPieceTokenizer tokenizer;
    private final boolean keep;

    private LocalStack(Path work, int userMemoryMb, boolean keep, Optional<String> containers) throws Exception {
        this.work = work;
        this.keep = keep;
        this.teeDir = work.resolve("simulated-tee");
        KeyServiceServer k = null;
        ContainerPool pool = null;
        PlatformServer p = null;
        try {
            k = KeyServiceServer.start(KeyServiceConfig.defaults().withHost("127.0.0.1").withPort(0).withDatabase(work.resolve("keyservice.db"))
                    .withTee(TeeConfig.simulated(teeDir, "keyservice")));
            InvokerConfig invokerConfig = InvokerConfig.defaults().withUserMemoryMb(userMemoryMb);
            pool = containers.isPresent()
                    // The runtime's init parameters name paths under work/ (model store, simulated TEE): mount it.
                    ? new ContainerPool(invokerConfig, Containers.images(containers.get()), Containers.launcher(containers.get(), List.of(work), Map.of()))
                    : new ContainerPool(invokerConfig, PlatformCommand.images(Map.of()));
            p = PlatformServer.start(PlatformConfig.defaults(work.resolve("platform.db")).withPort(0), pool);
        } catch (Exception | Error e) {
            if (p != null) {
                p.close();
            }
            if (pool != null) {
                pool.close();
            }
            if (k != null) {
                k.close();
            }
            throw e;
        }
        this.ks = k;
        this.invoker = pool;
        this.platform = p;
        try {
            this.runtimeMeasurement = SimulatedTee.open(teeDir, "runtime").measurement();
            this.platformClient = new OpenWhiskClient(platform.apiHost(), PlatformServer.GUEST_API_KEY, "_");

            this.onnx = RealModels.miniLmBytes();
            this.modelBytes = onnx.length;
            this.store = new DirectoryModelStore(work.resolve("model-store"));
            this.endpoint = new KeyServiceEndpoint(ks.uri(),
                    VerificationPolicy.simulated(SimulatedTee.open(teeDir, "keyservice")).toBuilder().expectMeasurement(ks.measurement()).build());
            try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner);
                    KeyServiceClient u = KeyServiceClient.forPrincipal(endpoint, user);
                    KeyServiceClient s = KeyServiceClient.forPrincipal(endpoint, stranger)) {
                o.register();
                u.register();
                s.register();
            }
            this.model = publish("all-minilm-l6-v2");
            try (KeyServiceClient s = KeyServiceClient.forPrincipal(endpoint, stranger)) {
                s.putRequestKey(model, runtimeMeasurement, RequestKey.generate());
            }
            try (InputStream tj = RealModels.class.getClassLoader().getResourceAsStream(RealModels.MINILM_TOKENIZER_RESOURCE)) {
                this.tokenizer = WordPieceTokenizer.fromJson(tj);
            }
        } catch (Exception | Error e) {
            // Nothing may outlive a failed start (start() deletes the directory under these servers' databases).
            platform.close();
            invoker.close();
            ks.close();
            throw e;
        }
    }

    /**
     * The owner publishes MiniLM once more under {@code name}, encrypted with a new model key, grants it to the user
     * for the runtime's measurement, and the user registers its request key for it: another model for the pool.
     */
    ModelId publish(String name) throws Exception {
        ModelId id = new ModelId(owner.id(), name);
        ModelKey modelKey = ModelKey.generate(1);
        ByteArrayOutputStream enc = new ByteArrayOutputStream(onnx.length + 4096);
        ModelCipher.encrypt(new ByteArrayInputStream(onnx), onnx.length, enc, id, modelKey, ModelCipher.DEFAULT_SEGMENT_SIZE, n -> {});
        Path encrypted = Files.write(work.resolve("upload-" + name + ".sesemi"), enc.toByteArray());
        store.put(id, encrypted);
        Files.delete(encrypted);
        try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner);
                KeyServiceClient u = KeyServiceClient.forPrincipal(endpoint, user)) {
            o.putModelKey(id, modelKey);
            o.addGrant(id, user.id(), runtimeMeasurement);
            u.putRequestKey(id, runtimeMeasurement, requestKey);
        }
        return id;
    }

    /** Starts everything in a fresh temporary directory; {@code keep} leaves it on disk after close. */
    static LocalStack start(String prefix, int userMemoryMb, boolean keep) throws Exception {
        return start(prefix, userMemoryMb, keep, Optional.empty());
    }

    /** As above; with {@code containers} (podman or docker) the runtimes run in containers of the built image. */
    static LocalStack start(String prefix, int userMemoryMb, boolean keep, Optional<String> containers) throws Exception {
        Path work = Files.createTempDirectory(prefix);
        try {
            return new LocalStack(work, userMemoryMb, keep, containers);
        } catch (Exception | Error e) {
            deleteTree(work);
            throw e;
        }
    }

    /**
     * The runtime's {@code /init} parameters: only addresses and public measurements (what a platform operator may
     * see), plus {@code extra} settings.
     */
    Map<String, String> initParameters(Map<String, String> extra) {
        Map<String, String> m = new HashMap<>(Map.of(
                RuntimeSettings.KS_URL, ks.uri().toString(),
                RuntimeSettings.KS_MEASUREMENT, ks.measurement().value(),
                RuntimeSettings.TEE, "simulated",
                RuntimeSettings.TEE_DIR, teeDir.toString(),
                RuntimeSettings.MODEL_STORE, store.root().toString(),
                RuntimeSettings.MODEL_BUDGET, "512m"));
        m.putAll(extra);
        return m;
    }

    /** Creates (or replaces) a blackbox action running the runtime image. */
    void createFunction(String name, int memoryMb, int concurrency, Map<String, String> extraInit) throws Exception {
        platformClient.putAction(name, OpenWhiskClient.BlackboxAction.of(PlatformCommand.SEMIRT_IMAGE).withMemoryMb(memoryMb)
                .withConcurrency(concurrency).withInitParameters(initParameters(extraInit)), true);
    }

    /** The user's client for {@code action}, through the platform's REST API. */
    InferenceClient userClient(String action) {
        return InferenceClient.viaOpenWhisk(platform.apiHost(), PlatformServer.GUEST_API_KEY, action, user.id(), model, requestKey);
    }

    /** A MiniLM request for one sentence (input ids, attention mask, token types). */
    InferenceRequest sentence(String text) {
        long[] ids = tokenizer.encode(text, MAX_TOKENS);
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

    /** Stops the platform (and every runtime process), the invoker and the KeyService; deletes the work directory unless kept. */
    @Override
    public void close() throws java.io.IOException {
        try {
            platform.close();
        } finally {
            try {
                invoker.close();
            } finally {
                try {
                    ks.close();
                } finally {
                    if (!keep) {
                        deleteTree(work);
                    }
                }
            }
        }
    }

    static void deleteTree(Path root) throws java.io.IOException {
        try (var files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
