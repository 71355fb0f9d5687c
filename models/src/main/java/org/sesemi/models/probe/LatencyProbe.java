package org.sesemi.models.probe;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.sesemi.models.SplitMix64;
import org.sesemi.models.zoo.ModelGraph;
import org.sesemi.time.SystemTime;

/**
 * Measures plain ONNX Runtime inference latency of one model: session creation, warm-up runs, then timed runs on
 * fixed pseudo-random inputs. Inputs are made from the session's own signature: floats uniform in [-1, 1];
 * {@code input_ids} uniform over a BERT vocabulary, {@code attention_mask} ones, other int64 inputs zeros. Dynamic
 * dimensions take the sizes given in {@link Config#shapes()} or, failing that, batch 1 and {@code seqLen}.
 *
 * <p>A measuring tool, not a test: results depend on the machine and its load.
 */
public final class LatencyProbe {
    /**
     * @param warmup untimed runs first (the first runs allocate arenas and pick kernels)
     * @param runs timed runs
     * @param intraOpThreads ONNX Runtime intra-op threads (0 = ONNX Runtime's default, one per physical core)
     * @param seqLen fills a dynamic sequence dimension
     * @param shapes full input shapes by input name, overriding the model's
     */
    public record Config(int warmup, int runs, int intraOpThreads, int seqLen, Map<String, long[]> shapes) {
        public Config {
            if (warmup < 0 || runs < 1 || intraOpThreads < 0 || seqLen < 1) {
                throw new IllegalArgumentException("warmup >= 0, runs >= 1, threads >= 0, seq-len >= 1");
            }
            shapes = Map.copyOf(shapes);
        }

        public static Config defaults() {
            return new Config(3, 20, 2, 128, Map.of());
        }
    }

    /** Latencies in milliseconds. */
    public record Result(String model, long modelBytes, double sessionCreateMs, int runs, double meanMs, double p50Ms,
            double p90Ms, double minMs, double maxMs, List<String> inputShapes) {}

    private LatencyProbe() {}

    /** Measures a model held in a direct buffer (how the runtime loads decrypted models: never from disk). */
    public static Result measure(String name, ByteBuffer directModel, Config config) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = options(config)) {
            long t0 = SystemTime.ticker().read();
            try (OrtSession s = env.createSession(directModel, so)) {
                long created = SystemTime.ticker().read() - t0;
                return time(name, directModel.capacity(), created, env, s, config);
            }
        }
    }

    public static Result measure(String name, byte[] model, Config config) throws OrtException {
        ByteBuffer direct = ByteBuffer.allocateDirect(model.length);
        direct.put(model).flip();
        return measure(name, direct, config);
    }

    /** Writes a generated zoo model straight into a direct buffer of its exact size: no disk, no heap copy. */
    public static ByteBuffer materialize(ModelGraph graph) throws IOException {
        long size = graph.fileSize();
        if (size > Integer.MAX_VALUE) {
            throw new IOException("model of " + size + " bytes is beyond one buffer");
        }
        ByteBuffer buf = ByteBuffer.allocateDirect((int) size);
        graph.writeTo(new OutputStream() {
            @Override
            public void write(int b) {
                buf.put((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buf.put(b, off, len);
            }
        });
        return buf.flip();
    }

    private static OrtSession.SessionOptions options(Config config) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setIntraOpNumThreads(config.intraOpThreads());
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return so;
    }

    private static Result time(String name, long bytes, long createdNanos, OrtEnvironment env, OrtSession s,
            Config config) throws OrtException {
        Map<String, OnnxTensor> inputs = new HashMap<>();
        List<String> shapes = new ArrayList<>();
        try {
            SplitMix64 rng = new SplitMix64(2024);
            for (Map.Entry<String, NodeInfo> e : s.getInputInfo().entrySet()) {
                TensorInfo info = (TensorInfo) e.getValue().getInfo();
                long[] shape = config.shapes().getOrDefault(e.getKey(), resolve(info.getShape(), config.seqLen()));
                shapes.add(e.getKey() + Arrays.toString(shape));
                inputs.put(e.getKey(), tensor(env, e.getKey(), info.type, shape, rng));
            }
            for (int i = 0; i < config.warmup(); i++) {
                s.run(inputs).close();
            }
            double[] ms = new double[config.runs()];
            for (int i = 0; i < ms.length; i++) {
                long t0 = SystemTime.ticker().read();
                s.run(inputs).close();
                ms[i] = (SystemTime.ticker().read() - t0) / 1e6;
            }
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            return new Result(name, bytes, createdNanos / 1e6, ms.length, Arrays.stream(ms).average().orElseThrow(),
                    percentile(sorted, 0.5), percentile(sorted, 0.9), sorted[0], sorted[sorted.length - 1], shapes);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    private static long[] resolve(long[] shape, int seqLen) {
        long[] out = shape.clone();
        for (int i = 0; i < out.length; i++) {
            if (out[i] < 0) {
                out[i] = i == 0 ? 1 : seqLen;
            }
        }
        return out;
    }

    private static OnnxTensor tensor(OrtEnvironment env, String name, OnnxJavaType type, long[] shape, SplitMix64 rng)
            throws OrtException {
        int n = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
        return switch (type) {
            case FLOAT -> {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = 2 * rng.nextFloat() - 1;
                }
                yield OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
            }
            case INT64 -> {
                long[] v = new long[n];
                if (name.equals("attention_mask")) {
                    Arrays.fill(v, 1);
                } else if (name.equals("input_ids")) {
                    for (int i = 0; i < n; i++) {
                        // Skip BERT's special tokens (ids below 1000 in the uncased vocabulary).
                        v[i] = 1000 + rng.nextInt(29_000);
                    }
                }
                yield OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape);
            }
            default -> throw new IllegalArgumentException("input " + name + " has unsupported type " + type);
        };
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
