package org.sesemi.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sesemi.attestation.Measurement;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.client.text.WordPieceTokenizer;
import org.sesemi.crypto.ModelCipher;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.keyservice.KeyServiceServer;
import org.sesemi.models.RealModels;
import org.sesemi.platform.PlatformServer;
import org.sesemi.platform.invoker.ContainerPool;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.runtime.store.DirectoryModelStore;

/**
 * The whole system on loopback, as the demo and {@code sesemi bench platform} use it: a KeyService in the simulated
 * TEE, the embedded platform whose image {@value PlatformCommand#SEMIRT_IMAGE} runs this build's runtime in separate
 * processes, an owner who published the real pretrained all-MiniLM-L6-v2 encrypted to a directory model store and
 * granted it to a user for the runtime's measurement, the user's request key, and a stranger registered without a
 * grant. The servers are an {@link EmbeddedStack} in a temporary {@link #work} directory, deleted on close unless kept.
 */
final class LocalStack implements AutoCloseable {
    static final int MAX_TOKENS = 64;

    final Path work;
    final Path teeDir;
    /** Replaced by {@link #restartKeyService()}. */
    volatile KeyServiceServer ks;
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
    /** Runtime measurements the owner grants every model to (this build's in-process one, plus any trusted later). */
    private final List<Measurement> trustedRuntimes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<ModelId> published = new java.util.concurrent.CopyOnWriteArrayList<>();
    final DirectoryModelStore store;
    final OpenWhiskClient platformClient;
    final WordPieceTokenizer tokenizer;
    private final boolean keep;
    private final EmbeddedStack core;

    private LocalStack(EmbeddedStack core, boolean keep) throws Exception {
        this.core = core;
        this.work = core.dir;
        this.keep = keep;
        this.teeDir = core.teeDir;
        this.ks = core.ks;
        this.invoker = core.invoker;
        this.platform = core.platform;
        this.runtimeMeasurement = core.runtimeMeasurement;
        trustedRuntimes.add(runtimeMeasurement);
        this.store = core.store;
        this.endpoint = core.endpoint;
        this.platformClient = core.platformClient;
        this.onnx = RealModels.miniLmBytes();
        this.modelBytes = onnx.length;
        SimulatedKeyService.register(endpoint, owner, user, stranger);
        this.model = publish("all-minilm-l6-v2");
        try (KeyServiceClient s = KeyServiceClient.forPrincipal(endpoint, stranger)) {
            s.putRequestKey(model, runtimeMeasurement, RequestKey.generate());
        }
        try (InputStream tj = RealModels.class.getClassLoader().getResourceAsStream(RealModels.MINILM_TOKENIZER_RESOURCE)) {
            this.tokenizer = WordPieceTokenizer.fromJson(tj);
        }
    }

    /**
     * The owner publishes MiniLM once more under {@code name}, encrypted with a new model key, grants it to the user
     * for the runtime's measurement, and the user registers its request key for it: another model for the pool.
     */
    ModelId publish(String name) throws Exception {
        return publish(name, onnx);
    }

    /** As {@link #publish(String)}, for another ONNX model. */
    ModelId publish(String name, byte[] onnx) throws Exception {
        ModelId id = new ModelId(owner.id(), name);
        ModelKey modelKey = ModelKey.generate(1);
        ByteArrayOutputStream enc = new ByteArrayOutputStream(onnx.length + 4096);
        ModelCipher.encrypt(new ByteArrayInputStream(onnx), onnx.length, enc, id, modelKey, ModelCipher.DEFAULT_SEGMENT_SIZE, n -> {});
        Path encrypted = Files.write(work.resolve("upload-" + name + ".sesemi"), enc.toByteArray());
        store.put(id, encrypted);
        Files.delete(encrypted);
        SimulatedKeyService.share(endpoint, owner, user, id, Optional.of(modelKey), trustedRuntimes, requestKey);
        published.add(id);
        return id;
    }

    /**
     * The owner also grants {@link #model} to the user for runtimes measuring {@code measurement} (e.g. a runtime
     * started from the assembled {@code sesemi.jar}, whose class path measures differently), and the user registers
     * its request key for it.
     */
    void grantAlso(Measurement measurement) throws Exception {
        SimulatedKeyService.share(endpoint, owner, user, model, Optional.empty(), List.of(measurement), requestKey);
    }

    /**
     * The owner also grants every model, published so far and later, to the user for runtimes of measurement
     * {@code m} (e.g. runtimes started from the assembled {@code sesemi.jar}, whose simulated measurement differs from
     * this JVM's class path), and the user registers its request key for them.
     */
    void trustRuntime(Measurement m) throws Exception {
        if (trustedRuntimes.contains(m)) {
            return;
        }
        trustedRuntimes.add(m);
        for (ModelId id : published) {
            SimulatedKeyService.share(endpoint, owner, user, id, Optional.empty(), List.of(m), requestKey);
        }
    }

    /** Restarts the KeyService ({@link EmbeddedStack#restartKeyService()}). */
    void restartKeyService() throws InterruptedException {
        core.restartKeyService();
        ks = core.ks;
    }

    /** Starts everything in a fresh temporary directory; {@code keep} leaves it on disk after close. */
    static LocalStack start(String prefix, int userMemoryMb, boolean keep) throws Exception {
        return start(prefix, userMemoryMb, keep, Optional.empty());
    }

    /** As above; with {@code containers} (podman or docker) the runtimes run in containers of the built image. */
    static LocalStack start(String prefix, int userMemoryMb, boolean keep, Optional<String> containers) throws Exception {
        return start(prefix, userMemoryMb, keep, containers, false);
    }

    /** As above; with {@code openWhiskLimits} the platform has a stock OpenWhisk's limits and invoker behaviour. */
    static LocalStack start(String prefix, int userMemoryMb, boolean keep, Optional<String> containers, boolean openWhiskLimits)
            throws Exception {
        return start(prefix, userMemoryMb, keep, containers, openWhiskLimits, Map.of());
    }

    /** As above, with {@code extraImages} beside the runtime image ({@link EmbeddedStack#start}). */
    static LocalStack start(String prefix, int userMemoryMb, boolean keep, Optional<String> containers, boolean openWhiskLimits,
            Map<String, org.sesemi.platform.invoker.ImageRegistry.Image> extraImages) throws Exception {
        Path work = Files.createTempDirectory(prefix);
        EmbeddedStack core = null;
        try {
            core = EmbeddedStack.start(work, 0, 0, userMemoryMb, containers, openWhiskLimits, extraImages);
            return new LocalStack(core, keep);
        } catch (Exception | Error e) {
            // Nothing may outlive a failed start (the directory under these servers' databases is deleted).
            if (core != null) {
                core.close();
            }
            deleteTree(work);
            throw e;
        }
    }

    /**
     * Input limits for every model of this stack (all are MiniLM): a batch of at most {@value #MAX_BATCH} sequences and
     * {@value #MAX_ELEMENTS} tokens per input (16 × 512, about 0.4 GiB of engine memory above the runtime's baseline).
     * Sentences such as the demo's pass; the 3 MiB attack of 256 × 512 tokens (several GiB) is refused before the engine
     * sees it. The runtime's own defaults cannot bound it: they do not know the model (docs/runtime.md, "Input limits").
     */
    static final int MAX_BATCH = 16;
    static final int MAX_ELEMENTS = 16 * 512;

    /** The runtime's {@code /init} parameters ({@link EmbeddedStack#initParameters}) with MiniLM's input limits; {@code extra} wins. */
    Map<String, String> initParameters(Map<String, String> extra) {
        Map<String, String> m = new java.util.HashMap<>(Map.of(RuntimeSettings.MAX_BATCH, Integer.toString(MAX_BATCH),
                RuntimeSettings.MAX_INPUT_ELEMENTS, Integer.toString(MAX_ELEMENTS)));
        m.putAll(extra);
        return core.initParameters(m);
    }

    /** Creates (or replaces) a blackbox action running the runtime image. */
    void createFunction(String name, int memoryMb, int concurrency, Map<String, String> extraInit) throws Exception {
        createFunction(name, PlatformCommand.SEMIRT_IMAGE, memoryMb, concurrency, extraInit);
    }

    /** As above, running {@code image} (a variant of the runtime image). */
    void createFunction(String name, String image, int memoryMb, int concurrency, Map<String, String> extraInit) throws Exception {
        // The runtime learns its memory and concurrency as FnPacker's functions do (FunctionSizing).
        Map<String, String> init = new java.util.HashMap<>(Map.of(RuntimeSettings.ACTION_MEMORY, Integer.toString(memoryMb),
                RuntimeSettings.ACTION_CONCURRENCY, Integer.toString(concurrency)));
        init.putAll(extraInit);
        platformClient.putAction(name, OpenWhiskClient.BlackboxAction.of(image).withMemoryMb(memoryMb)
                .withConcurrency(concurrency).withInitParameters(initParameters(init)), true);
    }

    /** An FnPacker gateway in front of this stack's platform ({@link EmbeddedStack#startGateway}). */
    org.sesemi.packer.gateway.PackerGateway startGateway(String group, int poolSize, int functionMemoryMb) throws Exception {
        return core.startGateway(0, group, poolSize, functionMemoryMb);
    }

    /**
     * Puts MiniLM's ONNX file in clear into the model store under {@code name} (INSECURE: for the bench's plaintext
     * baseline only, {@link org.sesemi.runtime.insecure.InsecurePlainFunction}); returns its id.
     */
    ModelId putPlaintextModel(String name) throws java.io.IOException {
        ModelId id = new ModelId(owner.id(), name);
        Path plain = Files.write(work.resolve("upload-" + name + ".onnx"), onnx);
        store.put(id, plain);
        Files.delete(plain);
        return id;
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
            core.close();
        } finally {
            if (!keep) {
                deleteTree(work);
            }
        }
    }

    static void deleteTree(Path root) throws java.io.IOException {
        try (var files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
