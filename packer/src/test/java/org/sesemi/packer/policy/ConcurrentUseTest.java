package org.sesemi.packer.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gateway calls a policy from many request threads at once: counts must add up and no instance may be given
 * more than its capacity, whatever the interleaving.
 */
class ConcurrentUseTest {
    /** Counts a route as in flight from the moment the policy hands it out. */
    private static Decision.Route admit(AtomicIntegerArray inFlight, Decision.Route r, int capacity) {
        assertThat(inFlight.incrementAndGet(r.instance())).isLessThanOrEqualTo(capacity);
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"affinity", "dedicated"})
    void manyThreadsOfferAndCompleteWithoutLosingOrOverfillingAnything(String name) throws Exception {
        int capacity = 2;
        PolicyConfig config = PolicyConfig.builder().poolSize(4).capacity(capacity).build();
        PackingPolicy policy = Policies.create(name, config, System::nanoTime);
        AtomicIntegerArray inFlight = new AtomicIntegerArray(64);
        AtomicLong ids = new AtomicLong();
        int threads = 4;
        int perThread = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    List<Long> stillQueued = new ArrayList<>();
                    Deque<Decision.Route> toComplete = new ArrayDeque<>();
                    for (int i = 0; i < perThread; i++) {
                        String model = "m" + ((i * 7 + seed) % 10);
                        Decision d = policy.offer(ids.getAndIncrement(), model);
                        switch (d) {
                            case Decision.Route r -> toComplete.add(admit(inFlight, r, capacity));
                            case Decision.Queued q -> stillQueued.add(q.requestId());
                            case Decision.Rejected rej -> { }
                        }
                        while (!toComplete.isEmpty()) {
                            Decision.Route r = toComplete.poll();
                            inFlight.decrementAndGet(r.instance());
                            for (Decision.Route released : policy.completed(r, 1_000)) {
                                toComplete.add(admit(inFlight, released, capacity));
                            }
                        }
                    }
                    return stillQueued;
                }));
            }
            long queuedAtEnd = 0;
            for (Future<List<Long>> f : futures) {
                for (long id : f.get(60, TimeUnit.SECONDS)) {
                    queuedAtEnd += policy.cancel(id) ? 1 : 0;
                }
            }
            PolicyStats s = policy.stats();
            assertThat(s.offered()).isEqualTo((long) threads * perThread);
            assertThat(s.completed()).isEqualTo(s.routed());
            // Every request was routed, rejected at once, or withdrawn from the queue at the end.
            assertThat(s.routed() + s.rejected()).isEqualTo(s.offered());
            assertThat(s.rejected()).isGreaterThanOrEqualTo(queuedAtEnd);
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
