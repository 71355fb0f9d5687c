package org.sesemi.runtime.core.models;

import org.sesemi.runtime.core.RefusedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.runtime.core.engine.ModelSession;
import org.sesemi.time.SystemTime;

/**
 * Loaded models (engine sessions) keyed by (model id, key version), bounded by a memory budget in bytes.
 *
 * <ul>
 *   <li>Single-flight: concurrent misses for one model wait for one load; a failed load is shared with its waiters
 *       and not cached.</li>
 *   <li>Reference counting: {@link #acquire} returns a {@link Lease}; a session is closed only when it is out of the
 *       cache and no lease holds it (closing an ONNX Runtime session during a run crashes the JVM).</li>
 *   <li>Budget: a load reserves its charge (reported by the loader, before it allocates the plaintext) and evicts
 *       least-recently-used idle models until it fits. If only in-use models stand in the way it waits up to
 *       {@code maxWait} for leases to be released, then fails as {@link RefusedException#busy busy}. A model larger than the
 *       whole budget fails at once as {@link RefusedException#modelTooLarge model_too_large}.</li>
 *   <li>A model is only served to a request holding the same model key it was decrypted with.</li>
 * </ul>
 * Thread-safe.
 */
public final class ModelCache implements ModelSessions {

    /** Loads one model. Must call {@code reserve} with its charge in bytes before allocating the plaintext. */
    @FunctionalInterface
    public interface Loader {
        ModelSession load(ModelId model, ModelKey key, LongConsumer reserve, LoadTimes times) throws IOException;
    }

    private record CacheKey(ModelId model, int keyVersion) {}

    private static final class Entry {
        final CacheKey key;
        final ModelKey modelKey;
        final CompletableFuture<ModelSession> ready = new CompletableFuture<>();
        ModelSession session;
        long charge;
        int refs;
        boolean retired;

        Entry(CacheKey key, ModelKey modelKey) {
            this.key = key;
            this.modelKey = modelKey;
        }
    }

    /** A model in use by one request. Close exactly once when the request is done. */
    public final class Lease implements SessionLease {
        private final Entry entry;
        private final boolean loaded;
        private boolean closed;

        private Lease(Entry entry, boolean loaded) {
            this.entry = entry;
            this.loaded = loaded;
        }

        @Override
        public ModelSession session() {
            return entry.session;
        }

        @Override
        public boolean loaded() {
            return loaded;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(entry);
            }
        }
    }

    private final Loader loader;
    private final long budgetBytes;
    private final Duration maxWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private final LinkedHashMap<CacheKey, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long used;
    private final java.util.concurrent.atomic.AtomicLong loads = new java.util.concurrent.atomic.AtomicLong();
    private long evictions;
    private boolean closed;

    public ModelCache(Loader loader, long budgetBytes, Duration maxWait) {
        if (budgetBytes < 1) {
            throw new IllegalArgumentException("budget must be positive");
        }
        this.loader = loader;
        this.budgetBytes = budgetBytes;
        this.maxWait = maxWait;
    }

    /**
     * Returns a lease on the model, loading it on a miss.
     *
     * @param times filled in when this call loads the model
     * @throws CryptoException if the model does not decrypt under {@code key} (or was cached under another key)
     * @throws RefusedException (model_too_large, busy), {@link UncheckedIOException} (store), or engine failures
     */
    @Override
    public Lease acquire(ModelId model, ModelKey key, LoadTimes times) {
        CacheKey ck = new CacheKey(model, key.version());
        while (true) {
            Entry e;
            CompletableFuture<ModelSession> pending = null;
            lock.lock();
            try {
                if (closed) {
                    throw new IllegalStateException("model cache closed");
                }
                e = entries.get(ck);
                if (e != null && e.session != null) {
                    if (!e.modelKey.equals(key)) {
                        throw new CryptoException(CryptoException.Reason.WRONG_KEY,
                                "the model key released for this request does not match the loaded model " + model);
                    }
                    e.refs++;
                    return new Lease(e, false);
                }
                if (e != null) {
                    pending = e.ready;
                } else {
                    e = new Entry(ck, key);
                    entries.put(ck, e);
                }
            } finally {
                lock.unlock();
            }
            if (pending != null) {
                try {
                    pending.join();
                } catch (CompletionException ex) {
                    throw ex.getCause() instanceof RuntimeException re ? re : ex;
                }
                continue; // loaded: take a reference under the lock
            }
            return load(e, times);
        }
    }

    private Lease load(Entry e, LoadTimes times) {
        ModelSession s;
        try {
            loads.incrementAndGet();
            s = loader.load(e.key.model, e.modelKey, bytes -> reserve(e, bytes), times);
        } catch (IOException | RuntimeException | Error ex) {
            lock.lock();
            try {
                entries.remove(e.key, e);
                used -= e.charge;
                e.charge = 0;
                freed.signalAll();
            } finally {
                lock.unlock();
            }
            RuntimeException re = ex instanceof IOException io ? new UncheckedIOException(io) : ex instanceof RuntimeException r ? r : null;
            e.ready.completeExceptionally(re != null ? re : ex);
            if (re != null) {
                throw re;
            }
            throw (Error) ex;
        }
        lock.lock();
        try {
            e.session = s;
            e.refs = 1;
            if (closed) {
                e.retired = true;
            }
        } finally {
            lock.unlock();
        }
        e.ready.complete(s);
        return new Lease(e, true);
    }

    private void reserve(Entry e, long bytes) {
        if (bytes > budgetBytes) {
            throw RefusedException.modelTooLarge("model " + e.key.model + " needs " + bytes + " bytes, more than the whole model budget of "
                    + budgetBytes + " bytes");
        }
        List<ModelSession> toClose = new ArrayList<>();
        lock.lock();
        try {
            long deadline = SystemTime.ticker().read() + maxWait.toNanos();
            while (used + bytes > budgetBytes) {
                Entry victim = lruIdle();
                if (victim != null) {
                    entries.remove(victim.key);
                    used -= victim.charge;
                    evictions++;
                    toClose.add(victim.session);
                    continue;
                }
                long left = deadline - SystemTime.ticker().read();
                if (left <= 0) {
                    throw RefusedException.busy("model budget full: " + used + " of " + budgetBytes
                            + " bytes held by models in use; cannot load " + e.key.model + " now");
                }
                freed.awaitNanos(left);
            }
            used += bytes;
            e.charge = bytes;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw RefusedException.busy("interrupted while waiting for model budget");
        } finally {
            lock.unlock();
            toClose.forEach(ModelSession::close); // idle: no lease holds them
        }
    }

    private Entry lruIdle() {
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry c = it.next();
            if (c.session != null && c.refs == 0) {
                return c;
            }
        }
        return null;
    }

    private void release(Entry e) {
        ModelSession close = null;
        lock.lock();
        try {
            e.refs--;
            if (e.retired && e.refs == 0) {
                used -= e.charge;
                close = e.session;
            }
            freed.signalAll();
        } finally {
            lock.unlock();
        }
        if (close != null) {
            close.close();
        }
    }

    /** Drops a model (all key versions) from the cache; in-use sessions close when their last lease ends. */
    @Override
    public void invalidate(ModelId model) {
        List<ModelSession> toClose = new ArrayList<>();
        lock.lock();
        try {
            for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
                Entry c = it.next();
                if (c.key.model.equals(model) && c.session != null) {
                    it.remove();
                    retire(c, toClose);
                }
            }
        } finally {
            lock.unlock();
        }
        toClose.forEach(ModelSession::close);
    }

    private void retire(Entry c, List<ModelSession> toClose) {
        c.retired = true;
        if (c.refs == 0) {
            used -= c.charge;
            toClose.add(c.session);
        }
    }

    /** Statistics (non-secret). */
    public record Stats(int models, long usedBytes, long budgetBytes, long loads, long evictions) {}

    @Override
    public Stats stats() {
        lock.lock();
        try {
            return new Stats((int) entries.values().stream().filter(x -> x.session != null).count(), used, budgetBytes, loads.get(), evictions);
        } finally {
            lock.unlock();
        }
    }

    /** Closes idle sessions now and in-use ones when their last lease ends. */
    @Override
    public void close() {
        List<ModelSession> toClose = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            for (Entry c : entries.values()) {
                if (c.session != null) {
                    retire(c, toClose);
                }
            }
            entries.clear();
        } finally {
            lock.unlock();
        }
        toClose.forEach(ModelSession::close);
    }

}
