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
import org.sesemi.runtime.core.keys.KeyDeniedException;
import org.sesemi.runtime.core.keys.KeySource;
import org.sesemi.runtime.core.keys.ReleasedKeys;

/**
 * A real, in-process key holder for tests of the core: model keys per model, request keys and grants per
 * (user, model), releases with a TTL, revocation, and a call counter. Not a mock of the KeyService; the
 * end-to-end tests use the real one.
 */
public final class InMemoryKeySource implements KeySource {
    private final Map<ModelId, ModelKey> modelKeys = new ConcurrentHashMap<>();
    private final Map<String, RequestKey> grants = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration ttl;
    public final AtomicInteger calls = new AtomicInteger();
    /** Set to make every release wait (single-flight tests). */
    public volatile java.util.concurrent.CountDownLatch gate;

    public InMemoryKeySource(Clock clock, Duration ttl) {
        this.clock = clock;
        this.ttl = ttl;
    }

    public void putModelKey(ModelId model, ModelKey key) {
        modelKeys.put(model, key);
    }

    public void grant(PrincipalId user, ModelId model, RequestKey key) {
        grants.put(user + "|" + model, key);
    }

    public void revoke(PrincipalId user, ModelId model) {
        grants.remove(user + "|" + model);
    }

    @Override
    public ReleasedKeys release(PrincipalId user, ModelId model) {
        calls.incrementAndGet();
        var g = gate;
        if (g != null) {
            try {
                g.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ModelKey mk = modelKeys.get(model);
        if (mk == null) {
            throw new KeyDeniedException("unknown_model", "no model key for " + model);
        }
        RequestKey rk = grants.get(user + "|" + model);
        if (rk == null) {
            throw new KeyDeniedException("no_grant", "user " + user + " has no grant for " + model);
        }
        return new ReleasedKeys(mk, rk, clock.instant().plus(ttl));
    }
}
