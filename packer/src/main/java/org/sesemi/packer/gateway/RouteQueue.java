package org.sesemi.packer.gateway;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sesemi.packer.policy.Decision;
import org.sesemi.packer.policy.PackingPolicy;
import org.sesemi.time.Ticker;

/**
 * Requests the policy queued, waiting for a completion to route them. The handover goes through a future per request,
 * created by whichever side comes first (the waiting request or the completion handing its route over) and removed by
 * the waiter. Thread-safe.
 */
final class RouteQueue {
    /** A completion hands a routed request over right after the policy routed it; this bound only catches a bug. */
    private static final long HANDOVER_WAIT_MS = 10_000;

    private final PackingPolicy policy;
    private final Ticker ticker;
    private final Map<Long, CompletableFuture<Decision.Route>> waiting = new ConcurrentHashMap<>();

    RouteQueue(PackingPolicy policy, Ticker ticker) {
        this.policy = policy;
        this.ticker = ticker;
    }

    /**
     * Waits until a completion routes the queued request, or withdraws it from the policy at its deadline (null). If the
     * policy routed it just as the deadline passed, the route is still taken.
     */
    Decision.Route await(Decision.Queued q) {
        CompletableFuture<Decision.Route> f = waiting.computeIfAbsent(q.requestId(), k -> new CompletableFuture<>());
        try {
            return f.get(Math.max(0, q.deadlineNanos() - ticker.read()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // Not routed yet: withdraw it; if the policy already routed it, the completion is handing it over now.
            if (policy.cancel(q.requestId())) {
                return null;
            }
            try {
                return f.get(HANDOVER_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | InterruptedException | ExecutionException late) {
                throw new IllegalStateException("a routed request was not handed over within " + HANDOVER_WAIT_MS + " ms", late);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            waiting.remove(q.requestId());
        }
    }

    /** Hands a route the policy made on a completion to its waiting request. */
    void handOver(Decision.Route next) {
        waiting.computeIfAbsent(next.requestId(), k -> new CompletableFuture<>()).complete(next);
    }

    /** Requests waiting now. */
    int size() {
        return waiting.size();
    }

    /** Wakes every waiting request with a cancellation (the gateway is closing). */
    void cancelAll() {
        waiting.values().forEach(f -> f.cancel(true));
    }
}
