package org.sesemi.models.zoo;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;

/** The tensor element types the zoo uses. */
public enum ElementType {
    FLOAT(DataType.FLOAT, 4),
    INT64(DataType.INT64, 8);

    private final DataType onnx;
    private final int bytes;

    ElementType(DataType onnx, int bytes) {
        this.onnx = onnx;
        this.bytes = bytes;
    }

    DataType onnx() {
        return onnx;
    }

    public int bytes() {
        return bytes;
    }
}
