package org.sesemi.runtime.testing;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Small real ONNX models built by the tests themselves with the ONNX protobuf classes (IR 8, opset 17).
 * They run in real ONNX Runtime; nothing is downloaded.
 */
public final class TestModels {
    private TestModels() {}

    static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT.getNumber();
    static final int INT64 = OnnxMl.TensorProto.DataType.INT64.getNumber();
    static final int BOOL = OnnxMl.TensorProto.DataType.BOOL.getNumber();
    static final int STRING = OnnxMl.TensorProto.DataType.STRING.getNumber();
    static final int FLOAT16 = OnnxMl.TensorProto.DataType.FLOAT16.getNumber();
    static final int UINT8 = OnnxMl.TensorProto.DataType.UINT8.getNumber();

    /**
     * {@code y = x · W + b} with x FP32 [-1, 4], y FP32 [-1, 3]; weights derived from {@code seed}, plus
     * {@code padFloats} unused extra weights to make the model as large as a test needs (budget tests).
     */
    public static byte[] affine(int seed, int padFloats) {
        float[] w = new float[12];
        float[] b = new float[3];
        for (int i = 0; i < w.length; i++) {
            w[i] = ((i * 7 + seed * 13) % 11 - 5) / 4f;
        }
        for (int i = 0; i < 3; i++) {
            b[i] = (seed + i) / 2f;
        }
        var g = OnnxMl.GraphProto.newBuilder().setName("affine" + seed)
                .addInput(value("x", FLOAT, -1, 4))
                .addOutput(value("y", FLOAT, -1, 3))
                .addInitializer(floats("W", w, 4, 3))
                .addInitializer(floats("B", b, 3))
                .addNode(node("MatMul", List.of("x", "W"), List.of("xw")))
                .addNode(node("Add", List.of("xw", "B"), List.of("y")));
        if (padFloats > 0) {
            g.addInitializer(floats("pad", new float[padFloats], padFloats));
        }
        return model(g);
    }

    /**
     * An embedding lookup like a language model's first layer: ids INT64 [-1, -1] → emb FP32 [-1, -1, 2] from a table
     * of {@code vocab} rows, in a Gather node named {@value #SECRET_NODE}. An id outside the table makes ONNX Runtime
     * fail with a message quoting the id and the node name.
     */
    public static byte[] embedding(int vocab) {
        float[] table = new float[vocab * 2];
        for (int i = 0; i < table.length; i++) {
            table[i] = i / 10f;
        }
        var g = OnnxMl.GraphProto.newBuilder().setName("embedding")
                .addInput(value("ids", INT64, -1, -1))
                .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("emb").setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(FLOAT))).build())
                .addInitializer(floats("table", table, vocab, 2))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Gather").addInput("table").addInput("ids").addOutput("emb").setName(SECRET_NODE));
        return model(g);
    }

    /** A node name that must never appear in host-visible output. */
    public static final String SECRET_NODE = "/secret_encoder/layer.7/Gather";

    /** A well-formed model ONNX Runtime cannot load: an operator that does not exist, in a node named {@value #SECRET_NODE}. */
    public static byte[] unknownOperator() {
        var g = OnnxMl.GraphProto.newBuilder().setName("unknown")
                .addInput(value("x", FLOAT, -1, 4))
                .addOutput(value("y", FLOAT, -1, 4))
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("SecretOperatorThatDoesNotExist").addInput("x").addOutput("y").setName(SECRET_NODE));
        return model(g);
    }

    /** Reference result of {@link #affine} computed in plain Java. */
    public static float[] affineExpected(int seed, float[] x, int rows) {
        float[] out = new float[rows * 3];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < 3; j++) {
                float s = (seed + j) / 2f;
                for (int k = 0; k < 4; k++) {
                    s += x[r * 4 + k] * (((k * 3 + j) * 7 + seed * 13) % 11 - 5) / 4f;
                }
                out[r * 3 + j] = s;
            }
        }
        return out;
    }

    /**
     * Several inputs of different types: a FP32 [-1,3], ids INT64 [-1,3], mask BOOL [-1,3], half FP16 [-1,3],
     * px UINT8 [-1,3], words STRING [-1]. Outputs: sum FP32 = where(mask, a + float(ids) + float(half) + float(px), 0),
     * twice INT64 = ids + ids, words_out STRING = words, notmask BOOL = not(mask).
     */
    public static byte[] multiType() {
        var g = OnnxMl.GraphProto.newBuilder().setName("multitype")
                .addInput(value("a", FLOAT, -1, 3))
                .addInput(value("ids", INT64, -1, 3))
                .addInput(value("mask", BOOL, -1, 3))
                .addInput(value("half", FLOAT16, -1, 3))
                .addInput(value("px", UINT8, -1, 3))
                .addInput(value("words", STRING, -1))
                .addOutput(value("sum", FLOAT, -1, 3))
                .addOutput(value("twice", INT64, -1, 3))
                .addOutput(value("words_out", STRING, -1))
                .addOutput(value("notmask", BOOL, -1, 3))
                .addInitializer(floats("zero", new float[] {0f}, 1))
                .addNode(cast("ids", "idsf", FLOAT))
                .addNode(cast("half", "halff", FLOAT))
                .addNode(cast("px", "pxf", FLOAT))
                .addNode(node("Add", List.of("a", "idsf"), List.of("s1")))
                .addNode(node("Add", List.of("s1", "halff"), List.of("s2")))
                .addNode(node("Add", List.of("s2", "pxf"), List.of("s3")))
                .addNode(node("Where", List.of("mask", "s3", "zero"), List.of("sum")))
                .addNode(node("Add", List.of("ids", "ids"), List.of("twice")))
                .addNode(node("Identity", List.of("words"), List.of("words_out")))
                .addNode(node("Not", List.of("mask"), List.of("notmask")));
        return model(g);
    }

    private static byte[] model(OnnxMl.GraphProto.Builder g) {
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("sesemi-runtime-tests")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g)
                .build().toByteArray();
    }

    private static OnnxMl.NodeProto node(String op, List<String> in, List<String> out) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).addAllInput(in).addAllOutput(out).setName(op + "_" + out.get(0)).build();
    }

    private static OnnxMl.NodeProto cast(String in, String out, int to) {
        return OnnxMl.NodeProto.newBuilder().setOpType("Cast").addInput(in).addOutput(out).setName("cast_" + out)
                .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("to").setType(OnnxMl.AttributeProto.AttributeType.INT).setI(to))
                .build();
    }

    private static OnnxMl.ValueInfoProto value(String name, int elemType, long... dims) {
        var shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(
                        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)))
                .build();
    }

    private static OnnxMl.TensorProto floats(String name, float[] v, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        var t = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(FLOAT).setRawData(ByteString.copyFrom(b.array()));
        for (long d : dims) {
            t.addDims(d);
        }
        return t.build();
    }
}
