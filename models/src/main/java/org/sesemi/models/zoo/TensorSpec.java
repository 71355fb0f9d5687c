package org.sesemi.models.zoo;

import java.util.List;
import java.util.stream.Collectors;

/** One graph input or output: name, element type and (static) shape. */
public record TensorSpec(String name, ElementType type, List<Long> shape) {
    public TensorSpec {
        shape = List.copyOf(shape);
    }

    static TensorSpec of(String name, ElementType type, long... shape) {
        return new TensorSpec(name, type, java.util.Arrays.stream(shape).boxed().toList());
    }

    public long[] shapeArray() {
        return shape.stream().mapToLong(Long::longValue).toArray();
    }

    public long elementCount() {
        return shape.stream().mapToLong(Long::longValue).reduce(1, Math::multiplyExact);
    }

    /** E.g. {@code input_ids int64[1,128]}. */
    @Override
    public String toString() {
        return name + " " + type.name().toLowerCase() + shape.stream().map(String::valueOf)
                .collect(Collectors.joining(",", "[", "]"));
    }
}
