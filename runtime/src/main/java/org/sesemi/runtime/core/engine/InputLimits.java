package org.sesemi.runtime.core.engine;

import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.OipException;
import org.sesemi.protocol.oip.Tensor;

/**
 * Bounds on one request's inputs, checked before ONNX Runtime sees the request: the engine's working memory grows
 * with the inputs (for attention models with the square of the sequence length), so a valid 3 MiB MiniLM request of
 * 256 × 512 tokens needed several gigabytes. A request above a limit gets an error in its sealed response and the
 * runtime allocates nothing for it.
 *
 * @param maxElementsPerInput largest element count (product of the shape) of any one input
 * @param maxInputBytes largest sum of all inputs' tensor bytes (BYTES tensors: their UTF-8 bytes)
 * @param maxBatch largest first dimension of any input of rank ≥ 1 (the batch, by the usual convention)
 */
public record InputLimits(long maxElementsPerInput, long maxInputBytes, long maxBatch) {
    /** As large as any envelope can carry: 16 Mi elements, 64 MiB, no batch bound. */
    public static final InputLimits DEFAULTS = new InputLimits(16L << 20, 64L << 20, Long.MAX_VALUE);

    public InputLimits {
        if (maxElementsPerInput < 1 || maxInputBytes < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("input limits must be >= 1");
        }
    }

    /**
     * Throws if {@code request} exceeds a limit.
     *
     * @throws OipException naming the input, its size and the limit (the message travels in the sealed response)
     */
    public void check(InferenceRequest request) {
        long total = 0;
        for (Tensor t : request.inputs()) {
            long n = t.elementCount();
            if (n > maxElementsPerInput) {
                throw new OipException("input_too_large: input '" + OipException.safe(t.name()) + "' has " + n
                        + " elements, more than this model's limit of " + maxElementsPerInput);
            }
            long[] shape = t.shape();
            if (shape.length > 0 && shape[0] > maxBatch) {
                throw new OipException("input_too_large: input '" + OipException.safe(t.name()) + "' has a batch (first dimension) of "
                        + shape[0] + ", more than this model's limit of " + maxBatch);
            }
            total += t.byteLength();
            if (total > maxInputBytes) {
                throw new OipException("input_too_large: the inputs have more than " + maxInputBytes + " bytes, this model's limit");
            }
        }
    }
}
