package org.sesemi.protocol.oip;

import java.util.List;

/** OIP model metadata: name, platform and the input/output tensors with datatypes and shapes (-1 = dynamic). */
public record ModelMetadata(String name, String platform, List<TensorSpec> inputs, List<TensorSpec> outputs) {
    public ModelMetadata {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** A declared tensor; {@code type} is empty for non-tensor values (sequences, maps) the runtime cannot serve. */
    public record TensorSpec(String name, java.util.Optional<DataType> type, long[] shape, String onnxType) {
        public TensorSpec {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }
}
