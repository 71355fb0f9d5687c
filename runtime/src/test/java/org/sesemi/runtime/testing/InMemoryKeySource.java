package org.sesemi.runtime.testing;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestKey;
import org.sesemi.runtime.core.RefusedException;
import org.sesemi.runtime.core.keys.KeySource;
import org.sesemi.runtime.core.keys.ReleasedKeys;

/**
 * A real, in-process key holder for tests of the core: model keys per model, request keys and grants per
 * (user, model), releases with a TTL, revocation, and a call counter. Not a mock of the KeyService; the
 * end-to-end tests use the real one.
 */
public final class InMemoryKeySource implements KeySource {
    private final Map<ModelId, java.util.concurrent.ConcurrentSkipListMap<Integer, ModelKey>> modelKeys = new ConcurrentHashMap<>();
    private final Map<String, RequestKey> grants = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration ttl;
    public final AtomicInteger calls = new AtomicInteger();
    /** The model key version of every release asked for, in order (0 = the newest). */
    public final java.util.List<Integer> versionsAsked = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Set to make every release wait (single-flight tests). */
    public volatile java.util.concurrent.CountDownLatch gate;

    public InMemoryKeySource(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    /** Stores a model key version (several versions of a model are kept, like the KeyService does). */
    public void putModelKey(ModelId model, ModelKey key) {
        modelKeys.computeIfAbsent(model, m -> new java.util.concurrent.ConcurrentSkipListMap<>()).put(key.version(), key);
    }

    /** Deletes a model key version; releases of it are refused with {@code key_retired}. */
    public void retire(ModelId model, int version) {
        modelKeys.getOrDefault(model, new java.util.concurrent.ConcurrentSkipListMap<>()).remove(version);
    }

    public void grant(PrincipalId user, ModelId model, RequestKey key) {
        grants.put(user + "|" + model, key);
    }

    public void revoke(PrincipalId user, ModelId model) {
        grants.remove(user + "|" + model);
    }

    @Override
    public ReleasedKeys release(PrincipalId user, ModelId model, int version) {
        calls.incrementAndGet();
        versionsAsked.add(version);
        var g = gate;
        if (g != null) {
            try {
                g.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        var versions = modelKeys.get(model);
        if (versions == null || versions.isEmpty()) {
            throw RefusedException.denied("unknown_model", "no model key for " + model);
        }
        ModelKey mk = version == 0 ? versions.lastEntry().getValue() : versions.get(version);
        if (mk == null) {
            throw RefusedException.denied(version < versions.lastKey() ? "key_retired" : "no_model_key", "no key version " + version);
        }
        RequestKey rk = grants.get(user + "|" + model);
        if (rk == null) {
            throw RefusedException.denied("no_grant", "user " + user + " has no grant for " + model);
        }
        return new ReleasedKeys(mk, rk, clock.instant().plus(ttl));
    }
}
