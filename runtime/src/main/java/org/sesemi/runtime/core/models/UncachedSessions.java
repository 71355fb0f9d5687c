package org.sesemi.runtime.core.models;

import org.sesemi.runtime.core.RefusedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.runtime.core.engine.ModelSession;

/**
 * Loads the model (fetch, decrypt, session creation) for every request and closes the session after it: the
 * benchmarks' naive baseline. Each load must fit the budget on its own; concurrent requests are not charged against
 * each other (admission bounds how many run at once).
 */
public final class UncachedSessions implements ModelSessions {
    private final ModelCache.Loader loader;
    private final long budgetBytes;
    private final AtomicLong loads = new AtomicLong();

    public UncachedSessions(ModelCache.Loader loader, long budgetBytes) {
        this.loader = loader;
        this.budgetBytes = budgetBytes;
    }

    @Override
    public SessionLease acquire(ModelId model, ModelKey key, LoadTimes times) {
        ModelSession s;
        try {
            s = loader.load(model, key, bytes -> {
                if (bytes > budgetBytes) {
                    throw RefusedException.modelTooLarge("model " + model + " needs " + bytes + " bytes, more than the budget");
                }
            }, times);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        loads.incrementAndGet();
        return new SessionLease() {
            private boolean closed;

            @Override
            public ModelSession session() {
                return s;
            }

            @Override
            public boolean loaded() {
                return true;
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    s.close(); // sole owner, no concurrent user
                }
            }
        };
    }

    @Override
    public void invalidate(ModelId model) {
        // nothing is kept
    }

    @Override
    public ModelCache.Stats stats() {
        return new ModelCache.Stats(0, 0, budgetBytes, loads.get(), 0);
    }

    @Override
    public void close() {
        // nothing is kept
    }
}
