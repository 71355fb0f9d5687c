package org.sesemi.packer.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.sesemi.time.Ticker;

/**
 * One function per model, created on the model's first request: the deployment the paper's packing is meant to
 * beat. It never switches models, so each instance keeps its model warm, but the number of instances — and with it
 * cold starts and memory kept alive — grows with the number of models, not with the load.
 *
 * <p>A request goes to its model's instance while that has fewer than {@link PolicyConfig#capacity()} requests in
 * flight; otherwise it is queued (FIFO) with a deadline of {@link PolicyConfig#queueTimeout()} and routed when one
 * of its model's requests completes. Only if {@link PolicyConfig#maxQueued()} requests are already queued is it
 * rejected. {@link PolicyConfig#poolSize()} is ignored.
 *
 * <p>Thread-safe: every public method is synchronized.
 */
public final class DedicatedPolicy implements PackingPolicy {
    public static final String NAME = "dedicated";
    public static final String QUEUE_FULL = "queue full";

    private final PolicyConfig config;
    private final Ticker clock;
    private final Map<String, Integer> instanceOf = new HashMap<>();
    private final List<Integer> inFlight = new ArrayList<>();
    /** Instances of forgotten models, reused (lowest first) before the pool grows. */
    private final java.util.TreeSet<Integer> free = new java.util.TreeSet<>();
    private final RequestQueue queue;
    private long offered, routed, queued, rejected, completed;

    public DedicatedPolicy(PolicyConfig config, Ticker clock) {
        this.config = config;
        this.clock = clock;
        this.queue = new RequestQueue(config.maxQueued());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized Decision offer(long requestId, String model) {
        Objects.requireNonNull(model, "model");
        offered++;
        int i = instanceOf.computeIfAbsent(model, k -> {
            if (!free.isEmpty()) {
                return free.pollFirst();
            }
            inFlight.add(0);
            return inFlight.size() - 1;
        });
        if (inFlight.get(i) < config.capacity() && queue.queuedFor(model) == 0) {
            return route(requestId, model, i);
        }
        if (queue.full()) {
            rejected++;
            return new Decision.Rejected(requestId, model, QUEUE_FULL);
        }
        queued++;
        return queue.add(requestId, model, clock.read() + config.queueTimeout().toNanos());
    }

    private Decision.Route route(long requestId, String model, int i) {
        routed++;
        inFlight.set(i, inFlight.get(i) + 1);
        return new Decision.Route(requestId, model, i, false, Optional.empty());
    }

    @Override
    public synchronized List<Decision.Route> completed(Decision.Route route, long executionNanos) {
        int i = route.instance();
        if (i >= inFlight.size() || inFlight.get(i) == 0) {
            throw new IllegalStateException("completion of a request that is not in flight: " + route);
        }
        completed++;
        inFlight.set(i, inFlight.get(i) - 1);
        if (queue.queuedFor(route.model()) == 0) {
            return List.of();
        }
        for (Iterator<Decision.Queued> it = queue.iterator(); it.hasNext(); ) {
            Decision.Queued q = it.next();
            if (q.model().equals(route.model())) {
                it.remove();
                return List.of(route(q.requestId(), q.model(), i));
            }
        }
        throw new IllegalStateException("queue count out of step");
    }

    @Override
    public synchronized boolean cancel(long requestId) {
        boolean removed = queue.remove(requestId);
        if (removed) {
            rejected++;
        }
        return removed;
    }

    @Override
    public synchronized boolean forget(String model) {
        Integer i = instanceOf.get(model);
        if (i == null) {
            return true;
        }
        if (inFlight.get(i) > 0 || queue.queuedFor(model) > 0) {
            return false;
        }
        instanceOf.remove(model);
        free.add(i);
        return true;
    }

    @Override
    public synchronized PolicyStats stats() {
        return new PolicyStats(offered, routed, queued, rejected, 0, completed, inFlight.size());
    }
}
