package org.sesemi.protocol.oip;

import java.util.List;
import java.util.Optional;

/**
 * A decoded OIP inference (or metadata) request.
 *
 * @param id optional request id, echoed in the response
 * @param operation {@code infer} (default) or {@code metadata} (request-level parameter {@code "operation"})
 * @param inputs the input tensors (empty for metadata)
 * @param outputs requested outputs; empty = all outputs, each as JSON unless {@code binaryOutputs}
 * @param binaryOutputs request-level {@code binary_data_output}: outputs in the binary extension unless an output says
 *     otherwise with its own {@code binary_data}
 */
public record InferenceRequest(Optional<String> id, Operation operation, List<Tensor> inputs, List<RequestedOutput> outputs,
        boolean binaryOutputs) {
    public InferenceRequest {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** {@code INFER} runs the model; {@code METADATA} asks for its inputs and outputs ({@link ModelMetadata}). */
    public enum Operation { INFER, METADATA }

    /**
     * One entry of {@code "outputs"}: a name and, if the request said so, its own {@code binary_data} parameter, which
     * overrides the request-level {@code binary_data_output} either way.
     */
    public record RequestedOutput(String name, Optional<Boolean> binaryData) {
        /** An output with an explicit {@code binary_data} parameter. */
        public RequestedOutput(String name, boolean binaryData) {
            this(name, Optional.of(binaryData));
        }

        /** An output without its own {@code binary_data}: it follows the request-level setting. */
        public static RequestedOutput named(String name) {
            return new RequestedOutput(name, Optional.empty());
        }

        /** Whether this output travels as binary data, given the request-level {@code binary_data_output}. */
        public boolean binary(boolean binaryDataOutput) {
            return binaryData.orElse(binaryDataOutput);
        }
    }
}
