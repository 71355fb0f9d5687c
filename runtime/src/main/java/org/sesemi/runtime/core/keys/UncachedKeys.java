package org.sesemi.runtime.core.keys;

import java.util.concurrent.atomic.AtomicLong;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;

/**
 * Asks the key source for every request and keeps nothing: the benchmarks' naive baseline (what a runtime without
 * SeSeMI's caches pays per request). Not for serving: it has none of {@link KeyCache}'s bounds on fetches.
 */
public final class UncachedKeys implements KeyLookup {
    private final KeySource source;
    private final AtomicLong fetches = new AtomicLong();

    public UncachedKeys(KeySource source) {
        this.source = source;
    }

    @Override
    public KeyCache.Lookup get(PrincipalId user, ModelId model, int version) {
        fetches.incrementAndGet();
        return new KeyCache.Lookup(source.release(user, model, version), true);
    }

    @Override
    public long fetches() {
        return fetches.get();
    }

    @Override
    public int size() {
        return 0;
    }
}
