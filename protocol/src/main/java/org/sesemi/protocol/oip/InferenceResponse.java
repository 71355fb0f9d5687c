package org.sesemi.protocol.oip;

import java.util.List;
import java.util.Optional;

/**
 * An OIP inference response.
 *
 * @param binary for each output, whether it travels in the binary extension (same order as outputs)
 */
public record InferenceResponse(String modelName, Optional<String> id, List<Tensor> outputs, List<Boolean> binary) {
    public InferenceResponse {
        outputs = List.copyOf(outputs);
        binary = List.copyOf(binary);
        if (binary.size() != outputs.size()) {
            throw new IllegalArgumentException("one binary flag per output");
        }
    }
}
