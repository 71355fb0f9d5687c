package org.sesemi.cli;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelCipher;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestCipher;
import org.sesemi.crypto.RequestEnvelope;
import org.sesemi.crypto.RequestKey;
import org.sesemi.runtime.core.CachePolicy;
import org.sesemi.runtime.core.CoreConfig;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.Outcome;
import org.sesemi.runtime.core.engine.EngineConfig;
import org.sesemi.runtime.core.keys.KeySource;
import org.sesemi.runtime.core.keys.ReleasedKeys;
import org.sesemi.runtime.store.DirectoryModelStore;

/**
 * The measurement behind {@code sesemi bench overhead} and {@code sesemi bench concurrency}: plain ONNX Runtime vs the
 * full secure warm path (request envelope bytes → trusted core → response envelope bytes, JSON or binary form) on the
 * same random inputs, in
 * one process, interleaved. Keys come from an in-process key source (the warm path never calls the KeyService; its
 * cost is in the cold path, which is not measured here).
 */
final class BenchOverhead {
    /** Crypto/codec warm-up volume before measuring (see {@link #warmCrypto}). */
    private final byte[] onnx;
    private final EngineConfig engine;
    private final boolean binary;
    private final boolean binaryEnvelope;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession plain;
    private final OrtSession.SessionOptions plainOptions;
    private final Path tmp;
    private final PrincipalIdentity owner = PrincipalIdentity.generate();
    private final PrincipalIdentity user = PrincipalIdentity.generate();
    private final RequestKey requestKey = RequestKey.generate();
    private final ModelKey modelKey = ModelKey.generate(1);
    final ModelId modelId;
    private final DirectoryModelStore store;
    final List<Tensor> inputs;

    BenchOverhead(byte[] onnx, Map<String, long[]> shapes, EngineConfig engine, boolean binary, boolean binaryEnvelope) throws Exception {
        this.binaryEnvelope = binaryEnvelope;
        this.onnx = onnx;
        this.engine = engine;
        this.binary = binary;
        this.plainOptions = new OrtSession.SessionOptions();
        // Same options as the runtime's engine, so the comparison is about the secure path only.
        plainOptions.setIntraOpNumThreads(engine.intraOpThreads());
        plainOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        plainOptions.addConfigEntry("session.intra_op.allow_spinning", engine.allowSpinning() ? "1" : "0");
        plainOptions.setCPUArenaAllocator(engine.cpuArena());
        plainOptions.setMemoryPatternOptimization(engine.memoryPattern());
        this.plain = env.createSession(onnx, plainOptions);
        this.tmp = Files.createTempDirectory("sesemi-bench");
        this.store = new DirectoryModelStore(tmp.resolve("store"));
        this.modelId = new ModelId(owner.id(), "bench");
        ByteArrayOutputStream enc = new ByteArrayOutputStream(onnx.length + 4096);
        ModelCipher.encrypt(new ByteArrayInputStream(onnx), onnx.length, enc, modelId, modelKey, ModelCipher.DEFAULT_SEGMENT_SIZE, n -> {});
        Path f = Files.write(tmp.resolve("bench.smodel"), enc.toByteArray());
        store.put(modelId, f);
        Files.delete(f);
        try (EnclaveRuntime probe = core(CoreConfig.defaults())) {
            var md = OipCodec.parseMetadata(open(probe.handle(envelope(new InferenceRequest(Optional.empty(),
                    InferenceRequest.Operation.METADATA, List.of(), List.of(), false)))));
            this.inputs = BenchInputs.generate(md, shapes, 42);
        }
    }

    EnclaveRuntime core(CoreConfig base) {
        return core(base, CachePolicy.caching());
    }

    EnclaveRuntime core(CoreConfig base, CachePolicy caching) {
        KeySource keys = (u, m, v) -> new ReleasedKeys(modelKey, requestKey, Instant.now().plus(Duration.ofDays(1)));
        return EnclaveRuntime.create(base.toBuilder().engine(engine).build(), keys, store, Clock.systemUTC(), List.of(), caching);
    }

    byte[] envelope(InferenceRequest r) {
        RequestEnvelope e = new RequestCipher(requestKey).sealRequest(modelId, user.id(), UUID.randomUUID().toString(),
                OipCodec.writeRequest(r, binary));
        return binaryEnvelope ? org.sesemi.protocol.envelope.BinaryEnvelope.write(e) : EnvelopeJson.write(e);
    }

    byte[] open(Outcome o) {
        if (!(o instanceof Outcome.Sealed s)) {
            throw new CliErrors.UserException("the secure path refused the request: " + o);
        }
        return new RequestCipher(requestKey).openResponse(s.envelope());
    }

    InferenceRequest request() {
        return new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER, inputs, List.of(), binary);
    }

    /** One plain ONNX Runtime inference: Java buffers → tensors → run → outputs copied back to Java. */
    double plainOnce() throws OrtException {
        long t0 = System.nanoTime();
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            for (Tensor t : inputs) {
                feed.put(t.name(), plainTensor(t));
            }
            try (OrtSession.Result r = plain.run(feed)) {
                for (Map.Entry<String, OnnxValue> e : r) {
                    if (e.getValue() instanceof OnnxTensor ot) {
                        if (ot.getInfo().type == OnnxJavaType.STRING) {
                            ot.getValue();
                        } else {
                            ot.getByteBuffer();
                        }
                    }
                }
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static final ThreadLocal<Map<String, ByteBuffer>> PLAIN_BUFFERS = ThreadLocal.withInitial(HashMap::new);

    private OnnxTensor plainTensor(Tensor t) throws OrtException {
        if (t.type() == DataType.BYTES) {
            byte[][] e = t.bytesElements();
            String[] s = new String[e.length];
            for (int i = 0; i < e.length; i++) {
                s[i] = new String(e[i], StandardCharsets.UTF_8);
            }
            return OnnxTensor.createTensor(env, s, t.shape());
        }
        // Reused per thread and input, like the runtime's pooled input buffers: the baseline must not pay an allocation
        // the secure path no longer pays, or the ratio would flatter the secure path.
        Map<String, ByteBuffer> mine = PLAIN_BUFFERS.get();
        ByteBuffer d = mine.get(t.name());
        if (d == null || d.capacity() != t.byteLength()) {
            d = ByteBuffer.allocateDirect(t.byteLength()).order(ByteOrder.nativeOrder());
            mine.put(t.name(), d);
        }
        d.clear();
        d.put(t.data()).flip();
        OnnxJavaType jt = switch (t.type()) {
            case FP32 -> OnnxJavaType.FLOAT;
            case FP64 -> OnnxJavaType.DOUBLE;
            case FP16 -> OnnxJavaType.FLOAT16;
            case INT64 -> OnnxJavaType.INT64;
            case INT32 -> OnnxJavaType.INT32;
            case INT16 -> OnnxJavaType.INT16;
            case INT8 -> OnnxJavaType.INT8;
            case UINT8 -> OnnxJavaType.UINT8;
            case BOOL -> OnnxJavaType.BOOL;
            default -> throw new CliErrors.UserException("datatype " + t.type() + " is not supported by the ONNX Runtime Java API");
        };
        return OnnxTensor.createTensor(env, d, t.shape(), jt);
    }

    /** One secure warm request: only {@code core.handle} is timed (sealing and opening are the user's side). */
    double secureOnce(EnclaveRuntime core) {
        return secureTimed(core)[0];
    }

    /**
     * As {@link #secureOnce}, returning {total ms, added ms}: added = everything the secure path does besides running
     * the model (envelope parsing, keys, decryption, OIP decoding, sealing, response encoding), from the core's own
     * timing metadata — a measure of the overhead that CPU contention on the model run does not blur.
     */
    double[] secureTimed(EnclaveRuntime core) {
        byte[] e = envelope(request());
        long t0 = System.nanoTime();
        Outcome o = core.handle(e);
        long t1 = System.nanoTime();
        if (o instanceof Outcome.Sealed s) {
            s.envelopeBytes(); // encoding the response envelope is part of the secure path
        }
        long t2 = System.nanoTime();
        double ms = (t2 - t0) / 1e6;
        double inference = o.timing().map(t -> t.inferenceMs()).orElse(0.0);
        double added = (t1 - t0) / 1e6 - inference + (t2 - t1) / 1e6;
        OipCodec.parseResponse(open(o)); // throws with the runtime's message if inference failed
        return new double[] {ms, added};
    }

    record Overhead(double[] plain, double[] secure, double[] added) {}

    /**
     * Brings the envelope codecs and the JDK's AES-GCM to compiled speed before measuring. The JDK runs AES-GCM at
     * 0.1–0.2 GB/s until its intrinsics are compiled, which takes on the order of a gigabyte of traffic; a few warm-up
     * requests of a 5 MB model input are far from that, while a long-running runtime is past it after minutes of
     * traffic. This processes about {@code targetBytes} through the same code (seal, encode, parse, open) without
     * running the model.
     */
    void warmCrypto(long targetBytes) {
        byte[] pt = OipCodec.writeRequest(request(), binary);
        RequestCipher c = new RequestCipher(requestKey);
        long done = 0;
        for (int i = 0; done < targetBytes && i < 100_000; i++) {
            RequestEnvelope e = c.sealRequest(modelId, user.id(), "warm-" + i, pt);
            byte[] wire = binaryEnvelope ? org.sesemi.protocol.envelope.BinaryEnvelope.write(e) : EnvelopeJson.write(e);
            RequestEnvelope back = binaryEnvelope ? org.sesemi.protocol.envelope.BinaryEnvelope.parse(wire, Integer.MAX_VALUE)
                    : org.sesemi.protocol.envelope.FastEnvelopeJson.parse(wire, Integer.MAX_VALUE);
            c.openRequest(back);
            done += 2L * pt.length;
        }
    }

    /** Iterations of {@link #warmPath}: enough for the JIT to compile the core's own code (C2 needs thousands of calls). */
    static final int WARM_PATH_ITERATIONS = 3000;

    /**
     * Brings the secure path's own Java code — envelope parsing, admission, key cache, payload decryption, OIP decoding
     * and encoding, sealing — to compiled speed without running the model {@code iterations} times, as minutes of
     * traffic would in a long-running runtime: requests whose inputs are renamed, which the core decrypts and decodes
     * in full and then answers with an (encrypted) OIP error before inference; and encoding an answer shaped like the
     * model's real outputs. Without this, a model of 60 ms per inference reaches only a few dozen warm-up requests and
     * the JIT still interprets the codecs while the benchmark measures them.
     */
    void warmPath(EnclaveRuntime core, int iterations) {
        var real = OipCodec.parseResponse(open(core.handle(envelope(request()))));
        List<Tensor> renamed = inputs.stream().map(t -> new Tensor(t.name() + "#warm-up", t.type(), t.shape(), t.data())).toList();
        byte[] refused = envelope(new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER, renamed, List.of(), binary));
        for (int i = 0; i < iterations; i++) {
            try {
                OipCodec.parseResponse(open(core.handle(refused)));
                throw new IllegalStateException("the core ran a warm-up request that names no model input");
            } catch (org.sesemi.protocol.oip.InferenceFailedException expected) {
                // the encrypted OIP error the warm-up request is meant to produce
            }
            OipCodec.writeResponseParts(real);
        }
    }

    /** {@code requests} pairs over {@code concurrency} threads; each thread alternates which path goes first. */
    Overhead overhead(int requests, int concurrency, int warmup, boolean naive, long cryptoWarmupBytes) throws Exception {
        try (EnclaveRuntime core = core(CoreConfig.builder().concurrency(Math.max(concurrency, 1), 1024, Duration.ofMinutes(5))
                .timing(true).build(), naive ? CachePolicy.none() : CachePolicy.caching())) {
            warmCrypto(cryptoWarmupBytes);
            warmPath(core, naive ? 0 : WARM_PATH_ITERATIONS);
            for (int i = 0; i < warmup; i++) {
                plainOnce();
                secureOnce(core);
            }
            double[] p = new double[requests];
            double[] s = new double[requests];
            double[] a = new double[requests];
            ExecutorService ex = Executors.newFixedThreadPool(concurrency);
            try {
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < concurrency; t++) {
                    int tt = t;
                    fs.add(ex.submit(() -> {
                        for (int i = tt; i < requests; i += concurrency) {
                            double[] st;
                            if ((i & 1) == 0) {
                                p[i] = plainOnce();
                                st = secureTimed(core);
                            } else {
                                st = secureTimed(core);
                                p[i] = plainOnce();
                            }
                            s[i] = st[0];
                            a[i] = st[1];
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
            } finally {
                ex.shutdown();
            }
            return new Overhead(p, s, a);
        }
    }

    /**
     * Secure throughput (requests/s) with {@code streams} client threads for {@code requestsPerStream} requests each:
     * either all streams share one core (one session), or each stream has its own core and session.
     */
    double throughput(int streams, int requestsPerStream, boolean shared) throws Exception {
        List<EnclaveRuntime> cores = new ArrayList<>();
        try {
            int n = shared ? 1 : streams;
            for (int i = 0; i < n; i++) {
                EnclaveRuntime c = core(CoreConfig.builder().concurrency(streams, 1024, Duration.ofMinutes(5)).build());
                secureOnce(c); // cold load outside the measurement
                cores.add(c);
            }
            ExecutorService ex = Executors.newFixedThreadPool(streams);
            try {
                long t0 = System.nanoTime();
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < streams; t++) {
                    EnclaveRuntime c = cores.get(shared ? 0 : t);
                    fs.add(ex.submit(() -> {
                        for (int i = 0; i < requestsPerStream; i++) {
                            secureOnce(c);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
                return streams * (double) requestsPerStream / ((System.nanoTime() - t0) / 1e9);
            } finally {
                ex.shutdown();
            }
        } finally {
            cores.forEach(EnclaveRuntime::close);
        }
    }

    static double percentile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        int idx = (int) Math.ceil(q * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, idx))];
    }

    void cleanup() throws IOException {
        try {
            plain.close();
        } catch (OrtException e) {
            // best effort
        }
        plainOptions.close();
        try (var walk = Files.walk(tmp)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    byte[] modelBytes() {
        return onnx;
    }
}
