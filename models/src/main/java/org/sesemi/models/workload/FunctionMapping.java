package org.sesemi.models.workload;

import java.util.List;
import java.util.Map;
import org.sesemi.models.SplitMix64;

/** Which model serves a trace function's invocations. */
public sealed interface FunctionMapping {
    String modelFor(TraceFunction f);

    /** Every function is its own model, named {@code prefix + key} (the "thousands of models" set-up). */
    record PerFunction(String prefix) implements FunctionMapping {
        @Override
        public String modelFor(TraceFunction f) {
            return prefix + f.key();
        }
    }

    /**
     * Functions spread over a fixed model list by a seeded hash of their key: stable under sampling and windowing,
     * since a function's model does not depend on which other functions are present.
     */
    record Hashed(List<String> models, long seed) implements FunctionMapping {
        public Hashed {
            models = List.copyOf(models);
            if (models.isEmpty()) {
                throw new IllegalArgumentException("no models to map functions to");
            }
        }

        @Override
        public String modelFor(TraceFunction f) {
            long h = SplitMix64.forStream(seed, f.key()).nextLong();
            return models.get((int) Math.floorMod(h, (long) models.size()));
        }
    }

    /** An explicit table from function key (or bare function hash) to model; unmapped functions are an error. */
    record Explicit(Map<String, String> byFunction) implements FunctionMapping {
        public Explicit {
            byFunction = Map.copyOf(byFunction);
        }

        @Override
        public String modelFor(TraceFunction f) {
            String m = byFunction.getOrDefault(f.key(), byFunction.get(f.function()));
            if (m == null) {
                throw new IllegalArgumentException("no model mapped for function " + f.key());
            }
            return m;
        }
    }
}
