package org.sesemi.runtime.core.keys;

import org.sesemi.runtime.core.RefusedException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;

/**
 * Where the trusted core gets a request's keys: {@link KeyCache} in front of the {@link KeySource} (the runtime's),
 * or {@link UncachedKeys}, which asks the source every time (the benchmarks' naive baseline). Thread-safe.
 */
public interface KeyLookup {
    /**
     * The keys of (user, model) with model key {@code version} (0 = the newest).
     *
     * @throws RefusedException ({@code denied}, {@code unavailable}) as the
     *     source or the lookup's own bounds decide
     */
    KeyCache.Lookup get(PrincipalId user, ModelId model, int version);

    /** Number of {@link KeySource#release} calls so far (for metrics). */
    long fetches();

    /** Keys held now. */
    int size();
}
