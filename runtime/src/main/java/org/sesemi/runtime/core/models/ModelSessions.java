package org.sesemi.runtime.core.models;

import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;

/**
 * Where the trusted core gets a model's ONNX Runtime session for one request: {@link ModelCache} (the runtime's,
 * sessions shared within a memory budget) or {@link UncachedSessions} (a fresh load per request, the benchmarks'
 * naive baseline). Thread-safe.
 */
public interface ModelSessions extends AutoCloseable {
    /** A session in use by one request. Close exactly once when the request is done. */
    interface SessionLease extends AutoCloseable {
        org.sesemi.runtime.core.engine.ModelSession session();

        /** True if this request loaded the model (a cold model path). */
        boolean loaded();

        @Override
        void close();
    }

    /**
     * A lease on the model's session for {@code key}, loading it when needed.
     *
     * @param times filled in when this call loads the model
     */
    SessionLease acquire(ModelId model, ModelKey key, LoadTimes times);

    /** Drops the model's sessions (all key versions); sessions in use close when their last lease ends. */
    void invalidate(ModelId model);

    /** Statistics (non-secret). */
    ModelCache.Stats stats();

    /** Closes idle sessions now and in-use ones when their last lease ends. */
    @Override
    void close();
}
