package org.sesemi.packer.policy;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway-side FIFO of requests a policy holds instead of failing them. Not thread-safe: owned by one policy,
 * which synchronizes. Deadlines are only recorded here; the caller enforces them through
 * {@link PackingPolicy#cancel}, so the policy needs no timer.
 */
final class RequestQueue implements Iterable<Decision.Queued> {
    private final LinkedHashMap<Long, Decision.Queued> byId = new LinkedHashMap<>();
    private final Map<String, Integer> perModel = new java.util.HashMap<>();
    private final int max;

    RequestQueue(int max) {
        this.max = max;
    }

    boolean full() {
        return byId.size() >= max;
    }

    boolean isEmpty() {
        return byId.isEmpty();
    }

    int size() {
        return byId.size();
    }

    int queuedFor(String model) {
        return perModel.getOrDefault(model, 0);
    }

    Decision.Queued add(long requestId, String model, long deadline) {
        Decision.Queued q = new Decision.Queued(requestId, model, deadline);
        if (byId.putIfAbsent(requestId, q) != null) {
            throw new IllegalArgumentException("request " + requestId + " is already queued");
        }
        perModel.merge(model, 1, Integer::sum);
        return q;
    }

    boolean remove(long requestId) {
        Decision.Queued q = byId.remove(requestId);
        if (q == null) {
            return false;
        }
        forget(q.model());
        return true;
    }

    private void forget(String model) {
        perModel.computeIfPresent(model, (k, n) -> n == 1 ? null : n - 1);
    }

    /** In FIFO order; {@link Iterator#remove()} keeps the per-model counts right. */
    @Override
    public Iterator<Decision.Queued> iterator() {
        Iterator<Decision.Queued> it = byId.values().iterator();
        return new Iterator<>() {
            private Decision.Queued last;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Decision.Queued next() {
                last = it.next();
                return last;
            }

            @Override
            public void remove() {
                it.remove();
                forget(last.model());
            }
        };
    }
}
