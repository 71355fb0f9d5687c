package org.sesemi.runtime.core;

import java.time.Clock;
import org.sesemi.runtime.core.keys.KeyCache;
import org.sesemi.runtime.core.keys.KeyLookup;
import org.sesemi.runtime.core.keys.KeySource;
import org.sesemi.runtime.core.keys.UncachedKeys;
import org.sesemi.runtime.core.models.ModelCache;
import org.sesemi.runtime.core.models.ModelSessions;
import org.sesemi.runtime.core.models.UncachedSessions;

/**
 * How the trusted core keeps released keys and model sessions between requests. The core takes what this gives it
 * and never asks which policy it runs under; whoever builds the core chooses ({@link RuntimeSettings#NAIVE}).
 */
public interface CachePolicy {
    /** The key lookup in front of {@code source}. */
    KeyLookup keys(KeySource source, CoreConfig config, Clock clock);

    /** The sessions of models that {@code loader} loads. */
    ModelSessions sessions(ModelCache.Loader loader, CoreConfig config);

    /** The runtime's: keys cached until shortly before they expire, sessions shared within the model budget. */
    static CachePolicy caching() {
        return Caching.CACHING;
    }

    /**
     * The benchmarks' naive baseline: every request repeats key release, model fetch, decryption and session
     * creation. Shows what the caches save; never for serving.
     */
    static CachePolicy none() {
        return Caching.NONE;
    }

    /** The two policies. */
    enum Caching implements CachePolicy {
        CACHING {
            @Override
            public KeyLookup keys(KeySource source, CoreConfig config, Clock clock) {
                return new KeyCache(source, config.keyCacheEntries(), clock, config.keySafetyMargin());
            }

            @Override
            public ModelSessions sessions(ModelCache.Loader loader, CoreConfig config) {
                return new ModelCache(loader, config.modelBudgetBytes(), config.maxWait());
            }
        },
        NONE {
            @Override
            public KeyLookup keys(KeySource source, CoreConfig config, Clock clock) {
                return new UncachedKeys(source);
            }

            @Override
            public ModelSessions sessions(ModelCache.Loader loader, CoreConfig config) {
                return new UncachedSessions(loader, config.modelBudgetBytes());
            }
        }
    }
}
