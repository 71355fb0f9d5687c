package org.sesemi.cli;

import ai.onnx.proto.OnnxMl;
import java.util.List;

/**
 * A tiny real ONNX model with inputs of three types, built with the ONNX protobuf classes (IR 8, opset 17):
 * {@code x} FP32 [1,3], {@code n} INT64 scalar (shape []), {@code flag} BOOL [1,3]. Outputs:
 * {@code y} FP32 [1,3] = where(flag, x * n, 0), {@code n2} INT64 [] = n + n, {@code off} BOOL [1,3] = not(flag).
 */
final class MixedInputsModel {
    private static final int FLOAT = OnnxMl.TensorProto.DataType.FLOAT.getNumber();
    private static final int INT64 = OnnxMl.TensorProto.DataType.INT64.getNumber();
    private static final int BOOL = OnnxMl.TensorProto.DataType.BOOL.getNumber();

    private MixedInputsModel() {}

    static byte[] onnx() {
        var zero = OnnxMl.TensorProto.newBuilder().setName("zero").setDataType(FLOAT).addFloatData(0f).build();
        var g = OnnxMl.GraphProto.newBuilder().setName("mixed")
                .addInput(value("x", FLOAT, 1, 3)).addInput(value("n", INT64)).addInput(value("flag", BOOL, 1, 3))
                .addOutput(value("y", FLOAT, 1, 3)).addOutput(value("n2", INT64)).addOutput(value("off", BOOL, 1, 3))
                .addInitializer(zero)
                .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Cast").setName("cast_n").addInput("n").addOutput("nf")
                        .addAttribute(OnnxMl.AttributeProto.newBuilder().setName("to").setType(OnnxMl.AttributeProto.AttributeType.INT).setI(FLOAT)))
                .addNode(node("Mul", List.of("x", "nf"), "xn"))
                .addNode(node("Where", List.of("flag", "xn", "zero"), "y"))
                .addNode(node("Add", List.of("n", "n"), "n2"))
                .addNode(node("Not", List.of("flag"), "off"));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setProducerName("sesemi-cli-tests")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17)).setGraph(g).build().toByteArray();
    }

    /** A request body for {@link #onnx()}: x = [1.5, 2, -3], n = 4, flag = [true, false, true]. */
    static final String REQUEST = """
            {"inputs": [
              {"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1.5, 2, -3]},
              {"name": "n", "shape": [], "datatype": "INT64", "data": [4]},
              {"name": "flag", "shape": [1, 3], "datatype": "BOOL", "data": [true, false, true]}
            ]}
            """;

    private static OnnxMl.NodeProto.Builder node(String op, List<String> in, String out) {
        return OnnxMl.NodeProto.newBuilder().setOpType(op).setName(op + "_" + out).addAllInput(in).addOutput(out);
    }

    private static OnnxMl.ValueInfoProto value(String name, int type, long... dims) {
        var shape = OnnxMl.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(name)
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(type).setShape(shape)))
                .build();
    }
}
