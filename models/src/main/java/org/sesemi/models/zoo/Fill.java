package org.sesemi.models.zoo;

/** How an initializer's values are produced when the model is written. */
sealed interface Fill {
    /** Uniform in [-limit, limit] from the tensor's own pseudo-random stream. */
    record Uniform(float limit) implements Fill {}

    /** Every element the same value (BatchNorm/LayerNorm scales and shifts, biases, running statistics). */
    record Constant(float value) implements Fill {}

    /** Small int64 constants that are part of the graph's logic (shapes, axes), not parameters. */
    record Int64s(long[] values) implements Fill {}
}
