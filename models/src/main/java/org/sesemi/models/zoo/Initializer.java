package org.sesemi.models.zoo;

import ai.onnx.proto.OnnxMl.TensorProto;

/**
 * An initializer described without its data: enough to count parameters, predict the file size and write the
 * values later, one tensor at a time.
 *
 * @param trainable whether the published parameter counts include it (BatchNorm running statistics and graph
 *     constants are not parameters)
 */
record Initializer(String name, ElementType type, long[] dims, Fill fill, boolean trainable) {

    long elementCount() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    long rawBytes() {
        return Math.multiplyExact(elementCount(), type.bytes());
    }

    /** The tensor's header: everything but {@code raw_data}. */
    TensorProto header() {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(type.onnx().getNumber());
        for (long d : dims) {
            b.addDims(d);
        }
        return b.build();
    }
}
