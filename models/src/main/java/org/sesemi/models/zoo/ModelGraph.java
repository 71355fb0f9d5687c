package org.sesemi.models.zoo;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sesemi.models.SplitMix64;

/**
 * A zoo model's architecture with its weights still undrawn: parameter and MAC counts, signature and the exact
 * file size are known without touching a single weight. {@link #writeTo} then streams the ONNX file tensor by
 * tensor, so memory use is one small buffer whatever the model's size.
 *
 * <p>The stream is an ordinary {@code ModelProto}: protobuf lets fields come in any order, so the writer emits the
 * model header, then the graph's nodes and signature, then each initializer with its {@code raw_data} generated on
 * the fly. Parsing the file gives exactly {@link #toModelProto()}; a test checks that.
 *
 * <p>Immutable and thread-safe.
 */
public final class ModelGraph {
    /** ONNX IR version 8 (ONNX 1.10+) and default-domain opset 17: well inside what ONNX Runtime 1.2x runs. */
    public static final int IR_VERSION = 8;
    public static final int OPSET = 17;
    /** Stable producer string: no build version in it, so the same seed gives the same bytes across releases. */
    public static final String PRODUCER = "sesemi-models-zoo";
    public static final String META_TRAINED = "sesemi.trained";

    private static final int CHUNK = 1 << 16;

    private final ZooModel model;
    private final ZooOptions options;
    private final GraphProto skeleton;
    private final List<Initializer> initializers;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;
    private final long macs;
    private final long parameters;

    ModelGraph(ZooModel model, ZooOptions options, GraphProto skeleton, List<Initializer> initializers,
            List<TensorSpec> inputs, List<TensorSpec> outputs, long macs) {
        this.model = model;
        this.options = options;
        this.skeleton = skeleton;
        this.initializers = List.copyOf(initializers);
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.macs = macs;
        this.parameters = this.initializers.stream().filter(Initializer::trainable)
                .mapToLong(Initializer::elementCount).sum();
    }

    public ZooModel model() {
        return model;
    }

    public ZooOptions options() {
        return options;
    }

    public List<TensorSpec> inputs() {
        return inputs;
    }

    public List<TensorSpec> outputs() {
        return outputs;
    }

    /** Trainable parameters, counted the way the papers and torchvision/Hugging Face count them. */
    public long parameterCount() {
        return parameters;
    }

    /** Multiply-accumulates of one inference (convolutions and matrix products) at the chosen batch/sequence. */
    public long macs() {
        return macs;
    }

    public int nodeCount() {
        return skeleton.getNodeCount();
    }

    /** The model's metadata_props, in file order. States plainly that the weights are not trained. */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(META_TRAINED, "false");
        m.put("sesemi.zoo.model", model.cliName());
        m.put("sesemi.zoo.seed", Long.toString(options.seed()));
        m.put("sesemi.zoo.batch", Integer.toString(options.batch()));
        if (model.isTransformer()) {
            m.put("sesemi.zoo.seq_len", Integer.toString(options.seqLen()));
        }
        m.put("sesemi.zoo.parameters", Long.toString(parameters));
        m.put("sesemi.zoo.macs", Long.toString(macs));
        m.put("sesemi.zoo.weights", "UNTRAINED: pseudo-random uniform (SplitMix64) with init-scale variance; "
                + "outputs are meaningless, for timing/memory/size experiments only");
        return m;
    }

    public String docString() {
        return "UNTRAINED " + model.displayName() + ": the published architecture layer for layer, with pseudo-random "
                + "weights from seed " + options.seed() + ". Not a trained model; its predictions mean nothing.";
    }

    private ModelProto header() {
        ModelProto.Builder b = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName(PRODUCER)
                .setProducerVersion("1")
                .setDomain("org.sesemi.models.zoo")
                .setModelVersion(1)
                .setDocString(docString());
        metadata().forEach((k, v) -> b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return b.build();
    }

    /** The exact number of bytes {@link #writeTo} produces. */
    public long fileSize() {
        return header().getSerializedSize() + CodedOutputStream.computeTagSize(ModelProto.GRAPH_FIELD_NUMBER)
                + CodedOutputStream.computeUInt64SizeNoTag(graphSize()) + graphSize();
    }

    private long graphSize() {
        long size = skeleton.getSerializedSize();
        for (Initializer init : initializers) {
            long t = tensorSize(init);
            size += CodedOutputStream.computeTagSize(GraphProto.INITIALIZER_FIELD_NUMBER)
                    + CodedOutputStream.computeUInt64SizeNoTag(t) + t;
        }
        return size;
    }

    private static long tensorSize(Initializer init) {
        long raw = init.rawBytes();
        return init.header().getSerializedSize() + CodedOutputStream.computeTagSize(TensorProto.RAW_DATA_FIELD_NUMBER)
                + CodedOutputStream.computeUInt64SizeNoTag(raw) + raw;
    }

    /** Streams the ONNX model. Same seed, same options, same bytes. Does not close {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        CodedOutputStream cos = CodedOutputStream.newInstance(out, CHUNK);
        header().writeTo(cos);
        cos.writeTag(ModelProto.GRAPH_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        cos.writeUInt64NoTag(graphSize());
        skeleton.writeTo(cos);
        byte[] chunk = new byte[CHUNK];
        for (Initializer init : initializers) {
            cos.writeTag(GraphProto.INITIALIZER_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            cos.writeUInt64NoTag(tensorSize(init));
            init.header().writeTo(cos);
            cos.writeTag(TensorProto.RAW_DATA_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            cos.writeUInt64NoTag(init.rawBytes());
            new Values(init, options.seed()).drain(chunk, (buf, n) -> cos.writeRawBytes(buf, 0, n));
        }
        cos.flush();
    }

    /** The model file's bytes, for small models that other modules encrypt or load in tests. */
    public byte[] toByteArray() throws IOException {
        long size = fileSize();
        if (size > Integer.MAX_VALUE - 8) {
            throw new IOException(model.cliName() + " is " + size + " bytes, too large for one array; use writeTo");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) size);
        writeTo(out);
        return out.toByteArray();
    }

    /** Writes the model file atomically (temporary sibling, then rename), replacing {@code file} if present. */
    public void writeTo(java.nio.file.Path file) throws IOException {
        java.nio.file.Path abs = file.toAbsolutePath();
        java.nio.file.Path tmp = abs.resolveSibling(abs.getFileName() + ".partial");
        try (OutputStream out = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(tmp), CHUNK)) {
            writeTo(out);
        } catch (IOException | RuntimeException e) {
            java.nio.file.Files.deleteIfExists(tmp);
            throw e;
        }
        java.nio.file.Files.move(tmp, abs, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The whole model as one protobuf message, weights included: for tests and small models only (BERT-base needs
     * about 440 MB of heap this way; {@link #writeTo} needs 64 KB).
     */
    public ModelProto toModelProto() throws IOException {
        GraphProto.Builder g = skeleton.toBuilder();
        byte[] chunk = new byte[CHUNK];
        for (Initializer init : initializers) {
            ByteArrayOutputStream data = new ByteArrayOutputStream(Math.toIntExact(init.rawBytes()));
            new Values(init, options.seed()).drain(chunk, (buf, n) -> data.write(buf, 0, n));
            g.addInitializer(init.header().toBuilder().setRawData(ByteString.copyFrom(data.toByteArray())));
        }
        return header().toBuilder().setGraph(g).build();
    }

    private interface Sink {
        void accept(byte[] buf, int n) throws IOException;
    }

    /** Produces one initializer's little-endian values chunk by chunk. */
    private static final class Values {
        private final Initializer init;
        private final SplitMix64 rng;

        Values(Initializer init, long seed) {
            this.init = init;
            // One stream per tensor name: a tensor's values do not depend on the order or presence of the others.
            this.rng = SplitMix64.forStream(seed, init.name());
        }

        void drain(byte[] chunk, Sink sink) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
            long remaining = init.elementCount();
            long index = 0;
            int per = chunk.length / init.type().bytes();
            while (remaining > 0) {
                int n = (int) Math.min(per, remaining);
                buf.clear();
                switch (init.fill()) {
                    case Fill.Uniform u -> {
                        float limit = u.limit();
                        for (int i = 0; i < n; i++) {
                            buf.putFloat((2f * rng.nextFloat() - 1f) * limit);
                        }
                    }
                    case Fill.Constant c -> {
                        for (int i = 0; i < n; i++) {
                            buf.putFloat(c.value());
                        }
                    }
                    case Fill.Int64s v -> {
                        for (int i = 0; i < n; i++) {
                            buf.putLong(v.values()[(int) (index + i)]);
                        }
                    }
                }
                sink.accept(chunk, n * init.type().bytes());
                remaining -= n;
                index += n;
            }
        }
    }
}
