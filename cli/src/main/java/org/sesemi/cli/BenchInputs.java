package org.sesemi.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.protocol.oip.ModelMetadata;
import org.sesemi.protocol.oip.Tensor;

/**
 * Random inputs generated from a model's metadata, for any ONNX model: every declared input gets a tensor of its
 * type; dynamic dimensions take the user's {@code --shape} or 1. Floats in [0,1); integers in [0,100) (valid token
 * ids for typical embedding tables), except inputs named like masks (all 1) or token types/segments (all 0);
 * random booleans; short ASCII strings.
 */
final class BenchInputs {
    private BenchInputs() {}

    static List<Tensor> generate(ModelMetadata md, Map<String, long[]> shapes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Tensor> out = new ArrayList<>();
        for (ModelMetadata.TensorSpec s : md.inputs()) {
            DataType t = s.type().orElseThrow(() -> new CliErrors.UserException(
                    "input '" + s.name() + "' is a " + s.onnxType() + ", which cannot be generated (only tensors)"));
            long[] shape = shapes.containsKey(s.name()) ? shapes.get(s.name()) : s.shape();
            if (shapes.containsKey(s.name()) && shape.length != s.shape().length) {
                throw new CliErrors.UserException("--shape " + s.name() + " has rank " + shape.length + " but the model declares "
                        + Arrays.toString(s.shape()));
            }
            shape = shape.clone();
            for (int i = 0; i < shape.length; i++) {
                if (s.shape()[i] >= 0 && shape[i] != s.shape()[i]) {
                    throw new CliErrors.UserException("--shape " + s.name() + " " + Arrays.toString(shape) + " does not match the model's fixed "
                            + "dimensions " + Arrays.toString(s.shape()) + " (-1 = free)");
                }
                if (shape[i] < 0) {
                    shape[i] = 1;
                }
            }
            long n = Tensor.elementCount(shape);
            if (n > 256L << 20) {
                throw new CliErrors.UserException("input '" + s.name() + "' would have " + n + " elements; pass a smaller --shape");
            }
            int count = (int) n;
            if (t == DataType.BYTES) {
                String[] words = new String[count];
                for (int i = 0; i < count; i++) {
                    words[i] = "w" + r.nextInt(100_000);
                }
                out.add(Tensor.ofStrings(s.name(), shape, words));
                continue;
            }
            ByteBuffer b = ByteBuffer.allocate(count * t.size()).order(ByteOrder.LITTLE_ENDIAN);
            // Integer inputs are usually indices: masks are 1, token types/segments 0, anything else a small id.
            String lower = s.name().toLowerCase(java.util.Locale.ROOT);
            int bound = lower.contains("mask") || lower.contains("type") || lower.contains("segment") ? 0 : 100;
            int fill = lower.contains("mask") ? 1 : 0;
            for (int i = 0; i < count; i++) {
                long iv = bound == 0 ? fill : r.nextInt(bound);
                switch (t) {
                    case FP32 -> b.putFloat((float) r.nextDouble());
                    case FP64 -> b.putDouble(r.nextDouble());
                    case FP16 -> b.putShort(Float.floatToFloat16((float) r.nextDouble()));
                    case INT64, UINT64 -> b.putLong(iv);
                    case INT32, UINT32 -> b.putInt((int) iv);
                    case INT16, UINT16 -> b.putShort((short) iv);
                    case INT8, UINT8 -> b.put((byte) iv);
                    case BOOL -> b.put((byte) (r.nextBoolean() ? 1 : 0));
                    case BYTES -> throw new AssertionError();
                }
            }
            out.add(new Tensor(s.name(), t, shape, b.flip()));
        }
        return out;
    }

    /** Parses {@code NAME=d1,d2,...}. */
    static Map.Entry<String, long[]> parseShape(String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) {
            throw new CliErrors.UserException("--shape must be INPUT=d1,d2,... (got '" + spec + "')");
        }
        try {
            long[] dims = Arrays.stream(spec.substring(eq + 1).split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
            for (long d : dims) {
                if (d < 1) {
                    throw new NumberFormatException();
                }
            }
            return Map.entry(spec.substring(0, eq), dims);
        } catch (NumberFormatException e) {
            throw new CliErrors.UserException("--shape dimensions must be positive integers (got '" + spec + "')");
        }
    }
}
