package org.sesemi.client.inference;

import java.util.List;
import java.util.Optional;

/**
 * A decoded OIP inference (or metadata) request.
 *
 * @param id optional request id, echoed in the response
 * @param operation {@code infer} (default) or {@code metadata} (request-level parameter {@code "operation"})
 * @param inputs the input tensors (empty for metadata)
 * @param outputs requested outputs; empty = all outputs, each as JSON unless {@code binaryOutputs}
 * @param binaryOutputs request-level {@code binary_data_output}: all outputs in the binary extension
 */
public record InferenceRequest(Optional<String> id, Operation operation, List<Tensor> inputs, List<RequestedOutput> outputs,
        boolean binaryOutputs) {
    public InferenceRequest {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** {@code INFER} runs the model; {@code METADATA} asks for its inputs and outputs ({@link ModelMetadata}). */
    public enum Operation { INFER, METADATA }

    /** One entry of {@code "outputs"}: a name and whether it should travel as binary data. */
    public record RequestedOutput(String name, boolean binary) {}
}
