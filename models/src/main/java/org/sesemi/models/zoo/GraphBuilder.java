package org.sesemi.models.zoo;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds a graph skeleton (nodes, inputs, outputs) with the ONNX protobuf builders, and records initializers as
 * {@link Initializer} descriptions instead of data, so a 110 M-parameter model costs a few kilobytes until it is
 * written. Tracks static shapes by hand for the few operators the zoo uses, which gives MAC counts for free.
 *
 * <p>Layer helpers follow the torchvision / Hugging Face layer definitions and initializer names.
 */
final class GraphBuilder {
    /** A value flowing through the graph, with its static shape. */
    record Value(String name, ElementType type, long[] shape) {
        long dim(int i) {
            return shape[i < 0 ? shape.length + i : i];
        }
    }

    private final GraphProto.Builder graph;
    private final List<Initializer> initializers = new ArrayList<>();
    private final List<TensorSpec> inputs = new ArrayList<>();
    private final List<TensorSpec> outputs = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private long macs;
    private int nodes;
    private Value zero;
    private Value six;

    GraphBuilder(String graphName) {
        this.graph = GraphProto.newBuilder().setName(graphName);
    }

    // ---- graph plumbing ----------------------------------------------------------------------------------------

    Value input(String name, ElementType type, long... shape) {
        claim(name);
        graph.addInput(valueInfo(name, type, shape));
        inputs.add(TensorSpec.of(name, type, shape));
        return new Value(name, type, shape.clone());
    }

    /** Names a value as a graph output (through Identity, which ONNX Runtime removes at load time). */
    void output(Value v, String name) {
        op("Identity", name, v.type(), v.shape(), List.of(v));
        graph.addOutput(valueInfo(name, v.type(), v.shape()));
        outputs.add(TensorSpec.of(name, v.type(), v.shape()));
    }

    Value weight(String name, Fill fill, boolean trainable, long... dims) {
        claim(name);
        initializers.add(new Initializer(name, ElementType.FLOAT, dims.clone(), fill, trainable));
        return new Value(name, ElementType.FLOAT, dims.clone());
    }

    Value int64s(String name, long... values) {
        claim(name);
        initializers.add(new Initializer(name, ElementType.INT64, new long[] {values.length},
                new Fill.Int64s(values.clone()), false));
        return new Value(name, ElementType.INT64, new long[] {values.length});
    }

    Value int64Scalar(String name, long value) {
        claim(name);
        initializers.add(new Initializer(name, ElementType.INT64, new long[0], new Fill.Int64s(new long[] {value}), false));
        return new Value(name, ElementType.INT64, new long[0]);
    }

    Value floatScalar(String name, float value) {
        claim(name);
        initializers.add(new Initializer(name, ElementType.FLOAT, new long[0], new Fill.Constant(value), false));
        return new Value(name, ElementType.FLOAT, new long[0]);
    }

    Value op(String opType, String outName, ElementType type, long[] outShape, List<Value> in,
            AttributeProto... attributes) {
        claim(outName);
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(opType + "_" + nodes++)
                .addOutput(outName);
        for (Value v : in) {
            n.addInput(v.name());
        }
        n.addAllAttribute(Arrays.asList(attributes));
        graph.addNode(n);
        return new Value(outName, type, outShape.clone());
    }

    void addMacs(long m) {
        macs = Math.addExact(macs, m);
    }

    ModelGraph build(ZooModel model, ZooOptions options) {
        return new ModelGraph(model, options, graph.build(), initializers, inputs, outputs, macs);
    }

    private String fresh(String hint) {
        return hint + "#" + nodes;
    }

    private void claim(String name) {
        if (!names.add(name)) {
            throw new IllegalStateException("duplicate graph name " + name);
        }
    }

    private static ValueInfoProto valueInfo(String name, ElementType type, long[] shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : shape) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.onnx().getNumber()).setShape(s)))
                .build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    // ---- CNN layers ----------------------------------------------------------------------------------------------

    /** Conv2d, He-uniform weights (variance 2/fan_in keeps ReLU activations at a steady scale). */
    Value conv(String name, Value x, int outChannels, int kernel, int stride, int pad, int group, boolean bias) {
        long batch = x.dim(0);
        long inChannels = x.dim(1);
        if (inChannels % group != 0 || outChannels % group != 0) {
            throw new IllegalArgumentException(name + ": channels not divisible by group");
        }
        long outH = (x.dim(2) + 2L * pad - kernel) / stride + 1;
        long outW = (x.dim(3) + 2L * pad - kernel) / stride + 1;
        long fanIn = inChannels / group * kernel * kernel;
        Value w = weight(name + ".weight", new Fill.Uniform((float) Math.sqrt(6.0 / fanIn)), true,
                outChannels, inChannels / group, kernel, kernel);
        List<Value> in = new ArrayList<>(List.of(x, w));
        if (bias) {
            in.add(weight(name + ".bias", new Fill.Constant(0f), true, outChannels));
        }
        addMacs(batch * outChannels * outH * outW * fanIn);
        return op("Conv", name + ".out", ElementType.FLOAT, new long[] {batch, outChannels, outH, outW}, in,
                ints("kernel_shape", kernel, kernel), ints("strides", stride, stride),
                ints("pads", pad, pad, pad, pad), ints("dilations", 1, 1), intAttr("group", group));
    }

    /**
     * BatchNormalization in inference form. Scale {@code gamma} (trained models learn it; we pick it so that
     * residual sums do not blow up), shift 0, running mean 0 and variance 1.
     */
    Value batchNorm(String name, Value x, float gamma) {
        long c = x.dim(1);
        Value scale = weight(name + ".weight", new Fill.Constant(gamma), true, c);
        Value shift = weight(name + ".bias", new Fill.Constant(0f), true, c);
        Value mean = weight(name + ".running_mean", new Fill.Constant(0f), false, c);
        Value var = weight(name + ".running_var", new Fill.Constant(1f), false, c);
        return op("BatchNormalization", name + ".out", ElementType.FLOAT, x.shape(), List.of(x, scale, shift, mean, var),
                floatAttr("epsilon", 1e-5f));
    }

    Value relu(Value x) {
        return op("Relu", fresh(x.name() + ".relu"), x.type(), x.shape(), List.of(x));
    }

    Value relu6(Value x) {
        if (zero == null) {
            zero = floatScalar("const.zero", 0f);
            six = floatScalar("const.six", 6f);
        }
        return op("Clip", fresh(x.name() + ".relu6"), x.type(), x.shape(), List.of(x, zero, six));
    }

    Value maxPool(Value x, int kernel, int stride, int pad) {
        return pool("MaxPool", x, kernel, stride, pad);
    }

    Value avgPool(Value x, int kernel, int stride, int pad) {
        return pool("AveragePool", x, kernel, stride, pad);
    }

    private Value pool(String op, Value x, int kernel, int stride, int pad) {
        long outH = (x.dim(2) + 2L * pad - kernel) / stride + 1;
        long outW = (x.dim(3) + 2L * pad - kernel) / stride + 1;
        return op(op, fresh(x.name() + "." + op), x.type(), new long[] {x.dim(0), x.dim(1), outH, outW}, List.of(x),
                ints("kernel_shape", kernel, kernel), ints("strides", stride, stride), ints("pads", pad, pad, pad, pad));
    }

    Value globalAvgPool(Value x) {
        return op("GlobalAveragePool", fresh("gap"), x.type(), new long[] {x.dim(0), x.dim(1), 1, 1}, List.of(x));
    }

    Value flatten(Value x) {
        long rest = 1;
        for (int i = 1; i < x.shape().length; i++) {
            rest *= x.shape()[i];
        }
        return op("Flatten", fresh("flatten"), x.type(), new long[] {x.dim(0), rest}, List.of(x), intAttr("axis", 1));
    }

    /** Fully connected layer as Gemm with a [out, in] weight (PyTorch layout), LeCun-uniform so logits stay O(1). */
    Value gemm(String name, Value x, int outFeatures) {
        long in = x.dim(1);
        Value w = weight(name + ".weight", new Fill.Uniform((float) Math.sqrt(3.0 / in)), true, outFeatures, in);
        Value b = weight(name + ".bias", new Fill.Constant(0f), true, outFeatures);
        addMacs(x.dim(0) * in * outFeatures);
        return op("Gemm", name + ".out", x.type(), new long[] {x.dim(0), outFeatures}, List.of(x, w, b),
                intAttr("transB", 1));
    }

    Value add(Value a, Value b) {
        return op("Add", fresh("add"), a.type(), a.shape().length >= b.shape().length ? a.shape() : b.shape(),
                List.of(a, b));
    }

    Value concatChannels(Value a, Value b) {
        long[] shape = a.shape().clone();
        shape[1] += b.dim(1);
        return op("Concat", fresh("concat"), a.type(), shape, List.of(a, b), intAttr("axis", 1));
    }

    // ---- transformer layers ------------------------------------------------------------------------------------------

    /** x[..., in] @ W[in, out] + b, weights uniform with the given standard deviation. */
    Value linear(String name, Value x, int outFeatures, float std) {
        long in = x.dim(-1);
        Value w = weight(name + ".weight", new Fill.Uniform((float) (std * Math.sqrt(3.0))), true, in, outFeatures);
        Value b = weight(name + ".bias", new Fill.Constant(0f), true, outFeatures);
        long rows = 1;
        for (int i = 0; i < x.shape().length - 1; i++) {
            rows *= x.shape()[i];
        }
        addMacs(rows * in * outFeatures);
        long[] shape = x.shape().clone();
        shape[shape.length - 1] = outFeatures;
        Value mm = op("MatMul", name + ".matmul", x.type(), shape, List.of(x, w));
        return op("Add", name + ".out", x.type(), shape, List.of(mm, b));
    }

    Value layerNorm(String name, Value x, float epsilon) {
        long h = x.dim(-1);
        Value gamma = weight(name + ".weight", new Fill.Constant(1f), true, h);
        Value beta = weight(name + ".bias", new Fill.Constant(0f), true, h);
        return op("LayerNormalization", name + ".out", x.type(), x.shape(), List.of(x, gamma, beta),
                intAttr("axis", -1), floatAttr("epsilon", epsilon));
    }
}
