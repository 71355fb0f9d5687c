package org.sesemi.runtime.core.engine;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.InferenceResponse;
import org.sesemi.protocol.oip.ModelMetadata;
import org.sesemi.protocol.oip.OipException;
import org.sesemi.protocol.oip.Tensor;

/**
 * One model loaded in ONNX Runtime, shared by all concurrent requests ({@code OrtSession.run} is thread-safe).
 * {@link #close()} must only be called when no request uses the session any more — the model cache's reference
 * counting guarantees that; closing during a run crashes the JVM.
 */
public final class ModelSession implements AutoCloseable {
    private final String name;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final OrtSession.SessionOptions options;
    private final long modelBytes;
    private final Map<String, TensorInfo> inputs = new LinkedHashMap<>();
    private final ModelMetadata metadata;
    private final PlaintextBuffers buffers = new PlaintextBuffers(true);
    private boolean closed;

    ModelSession(String name, OrtEnvironment env, OrtSession session, OrtSession.SessionOptions options, long modelBytes)
            throws OrtException {
        this.name = name;
        this.env = env;
        this.session = session;
        this.options = options;
        this.modelBytes = modelBytes;
        List<ModelMetadata.TensorSpec> in = new ArrayList<>(), out = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
            in.add(spec(e.getKey(), e.getValue()));
            if (e.getValue().getInfo() instanceof TensorInfo ti) {
                inputs.put(e.getKey(), ti);
            }
        }
        for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
            out.add(spec(e.getKey(), e.getValue()));
        }
        this.metadata = new ModelMetadata(name, "onnx_onnxv1", in, out);
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    /** Plaintext model size in bytes (what the model cache charges against its budget). */
    public long modelBytes() {
        return modelBytes;
    }

    /**
     * Runs one inference.
     *
     * @throws OipException when the request does not fit the model (names, datatypes, shapes)
     * @throws EngineException when ONNX Runtime fails on a well-formed request
     */
    public InferenceResponse run(InferenceRequest request) {
        Map<String, OnnxTensor> feed = new HashMap<>();
        List<ByteBuffer> direct = new ArrayList<>(request.inputs().size());
        try {
            for (Tensor t : request.inputs()) {
                TensorInfo info = inputs.get(t.name());
                if (info == null) {
                    throw new OipException("the model has no input '" + OipException.safe(t.name()) + "' (inputs: " + inputs.keySet() + ")");
                }
                check(t, info);
                feed.put(t.name(), toOrt(t, direct));
            }
            for (String required : inputs.keySet()) {
                if (!feed.containsKey(required)) {
                    throw new OipException("input '" + required + "' is missing");
                }
            }
            List<String> names = new ArrayList<>();
            List<Boolean> binary = new ArrayList<>();
            if (request.outputs().isEmpty()) {
                for (ModelMetadata.TensorSpec s : metadata.outputs()) {
                    names.add(s.name());
                    binary.add(request.binaryOutputs());
                }
            } else {
                for (InferenceRequest.RequestedOutput o : request.outputs()) {
                    if (metadata.outputs().stream().noneMatch(s -> s.name().equals(o.name()))) {
                        throw new OipException("the model has no output '" + OipException.safe(o.name()) + "'");
                    }
                    names.add(o.name());
                    binary.add(o.binary(request.binaryOutputs()));
                }
            }
            try (OrtSession.Result result = session.run(feed, new java.util.LinkedHashSet<>(names))) {
                List<Tensor> outs = new ArrayList<>(names.size());
                for (String n : names) {
                    outs.add(fromOrt(n, result.get(n).orElseThrow(() -> new EngineException(EngineException.Code.RUN_FAILED, "ONNX Runtime returned no output " + n))));
                }
                return new InferenceResponse(name, request.id(), outs, binary);
            }
        } catch (OrtException e) {
            throw EngineException.running(e);
        } finally {
            feed.values().forEach(OnnxTensor::close);
            direct.forEach(buffers::release); // after close: ONNX Runtime no longer reads them
        }
    }

    private static void check(Tensor t, TensorInfo info) {
        Optional<DataType> want = dataType(info.onnxType);
        if (want.isEmpty()) {
            throw new OipException("input '" + t.name() + "' has ONNX type " + info.onnxType + ", which the runtime cannot feed");
        }
        if (want.get() != t.type()) {
            throw new OipException("input '" + t.name() + "' expects " + want.get() + ", got " + t.type());
        }
        long[] decl = info.getShape();
        long[] got = t.shape();
        boolean ok = decl.length == got.length;
        for (int i = 0; ok && i < decl.length; i++) {
            ok = decl[i] < 0 || decl[i] == got[i];
        }
        if (!ok) {
            throw new OipException("input '" + t.name() + "' expects shape " + Arrays.toString(decl) + " (-1 = any), got " + Arrays.toString(got));
        }
    }

    private OnnxTensor toOrt(Tensor t, List<ByteBuffer> direct) throws OrtException {
        long[] shape = t.shape();
        if (t.type() == DataType.BYTES) {
            byte[][] e = t.bytesElements();
            String[] s = new String[e.length];
            for (int i = 0; i < e.length; i++) {
                s[i] = new String(e[i], StandardCharsets.UTF_8);
            }
            return OnnxTensor.createTensor(env, s, shape);
        }
        OnnxJavaType jt = switch (t.type()) {
            case BOOL -> OnnxJavaType.BOOL;
            case UINT8 -> OnnxJavaType.UINT8;
            case INT8 -> OnnxJavaType.INT8;
            case INT16 -> OnnxJavaType.INT16;
            case INT32 -> OnnxJavaType.INT32;
            case INT64 -> OnnxJavaType.INT64;
            case FP16 -> OnnxJavaType.FLOAT16;
            case FP32 -> OnnxJavaType.FLOAT;
            case FP64 -> OnnxJavaType.DOUBLE;
            default -> throw new OipException("datatype " + t.type() + " is not supported by the ONNX Runtime Java API");
        };
        // A direct buffer is used by ONNX Runtime in place (heap buffers would need the typed view per type).
        // Pooled, wiped on release (see PlaintextBuffers): no per-request multi-megabyte allocation.
        ByteBuffer src = t.data();
        ByteBuffer buf = buffers.take(src.remaining());
        direct.add(buf);
        buf.put(src).flip();
        return OnnxTensor.createTensor(env, buf.slice().order(java.nio.ByteOrder.nativeOrder()), shape, jt);
    }

    private static Tensor fromOrt(String name, OnnxValue v) throws OrtException {
        if (!(v instanceof OnnxTensor t)) {
            throw new EngineException(EngineException.Code.UNSUPPORTED_OUTPUT, "output " + name + " is a " + v.getType() + ", only tensors can be returned");
        }
        TensorInfo info = t.getInfo();
        DataType dt = dataType(info.onnxType)
                .orElseThrow(() -> new EngineException(EngineException.Code.UNSUPPORTED_OUTPUT, "output " + name + " has ONNX type " + info.onnxType + ", which the runtime cannot return"));
        long[] shape = info.getShape();
        if (dt == DataType.BYTES) {
            List<String> flat = new ArrayList<>();
            flatten(t.getValue(), flat);
            return Tensor.ofStrings(name, shape, flat.toArray(String[]::new));
        }
        ByteBuffer b = t.getByteBuffer();
        return new Tensor(name, dt, shape, b);
    }

    private static void flatten(Object o, List<String> out) {
        if (o instanceof String s) {
            out.add(s);
        } else if (o != null && o.getClass().isArray()) {
            for (int i = 0, n = Array.getLength(o); i < n; i++) {
                flatten(Array.get(o, i), out);
            }
        }
    }

    /** ONNX element type to OIP datatype; empty for types OIP cannot carry. */
    public static Optional<DataType> dataType(TensorInfo.OnnxTensorType t) {
        return Optional.ofNullable(switch (t) {
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL -> DataType.BOOL;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8 -> DataType.UINT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8 -> DataType.INT8;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16 -> DataType.UINT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16 -> DataType.INT16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32 -> DataType.UINT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 -> DataType.INT32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64 -> DataType.UINT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 -> DataType.INT64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 -> DataType.FP16;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT -> DataType.FP32;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE -> DataType.FP64;
            case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING -> DataType.BYTES;
            default -> null;
        });
    }

    private static ModelMetadata.TensorSpec spec(String name, NodeInfo n) {
        if (n.getInfo() instanceof TensorInfo ti) {
            return new ModelMetadata.TensorSpec(name, dataType(ti.onnxType), ti.getShape(), ti.onnxType.name());
        }
        return new ModelMetadata.TensorSpec(name, Optional.empty(), new long[0], n.getInfo().getClass().getSimpleName());
    }

    /** Closes the native session. Only the model cache (at reference count zero) or a sole owner may call this. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                session.close();
            } catch (OrtException e) {
                // Nothing to recover: the native memory is gone or leaked either way.
            } finally {
                options.close();
            }
        }
    }

    @Override
    public String toString() {
        return "ModelSession[" + name + ", " + modelBytes + " bytes]";
    }
}
