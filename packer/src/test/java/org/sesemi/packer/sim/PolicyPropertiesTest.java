package org.sesemi.packer.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.sesemi.models.workload.Arrival;
import org.sesemi.packer.policy.AffinityPolicy;
import org.sesemi.packer.policy.Decision;
import org.sesemi.packer.policy.DedicatedPolicy;
import org.sesemi.packer.policy.PackingPolicy;
import org.sesemi.packer.policy.Policies;
import org.sesemi.packer.policy.PolicyStats;
import org.sesemi.time.Ticker;

/** Invariants of every policy under random workloads, pool sizes, capacities and cache sizes. */
class PolicyPropertiesTest {

    record Step(int gapMs, int model) {}

    @Provide
    Arbitrary<List<Arrival>> workloads() {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.frequency(net.jqwik.api.Tuple.of(6, 0), net.jqwik.api.Tuple.of(3, 1),
                        net.jqwik.api.Tuple.of(1, 2)).flatMap(kind -> switch (kind) {
                            case 0 -> Arbitraries.integers().between(0, 20);      // bursts
                            case 1 -> Arbitraries.integers().between(20, 2_000);  // steady
                            default -> Arbitraries.integers().between(2_000, 900_000); // past the keep-alive
                        }),
                Arbitraries.integers().between(0, 7)).as(Step::new);
        return step.list().ofMaxSize(120).map(steps -> {
            List<Arrival> out = new ArrayList<>();
            long t = 0;
            for (Step s : steps) {
                t += s.gapMs() * 1_000_000L;
                out.add(new Arrival(t, "m" + s.model(), "prop"));
            }
            return out;
        });
    }

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of(Policies.NAMES);
    }

    /** Wraps a policy and checks, on every decision, that no instance holds more than {@code capacity} requests. */
    static final class CapacityChecker implements PackingPolicy {
        private final PackingPolicy inner;
        private final int capacity;
        private final Map<Integer, Integer> inFlight = new HashMap<>();
        int maxSeen;

        CapacityChecker(PackingPolicy inner, int capacity) {
            this.inner = inner;
            this.capacity = capacity;
        }

        private void routed(Decision.Route r) {
            int n = inFlight.merge(r.instance(), 1, Integer::sum);
            maxSeen = Math.max(maxSeen, n);
            assertThat(n).as("requests in flight on instance %d", r.instance()).isLessThanOrEqualTo(capacity);
        }

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public Decision offer(long requestId, String model) {
            Decision d = inner.offer(requestId, model);
            if (d instanceof Decision.Route r) {
                routed(r);
            }
            return d;
        }

        @Override
        public List<Decision.Route> completed(Decision.Route route, long executionNanos) {
            inFlight.merge(route.instance(), -1, Integer::sum);
            List<Decision.Route> released = inner.completed(route, executionNanos);
            released.forEach(this::routed);
            return released;
        }

        @Override
        public boolean cancel(long requestId) {
            return inner.cancel(requestId);
        }

        @Override
        public boolean forget(String model) {
            return inner.forget(model);
        }

        @Override
        public PolicyStats stats() {
            return inner.stats();
        }
    }

    @Property(tries = 200)
    void affinityAndDedicatedNeverRouteBeyondAnInstancesCapacity(@ForAll("workloads") List<Arrival> arrivals,
            @ForAll @IntRange(min = 1, max = 4) int pool, @ForAll @IntRange(min = 1, max = 3) int capacity,
            @ForAll @IntRange(min = 1, max = 3) int slots, @ForAll boolean dedicated) {
        CostModel cost = CostModel.builder().capacity(capacity).cacheSlots(slots).build();
        String name = dedicated ? DedicatedPolicy.NAME : AffinityPolicy.NAME;
        CapacityChecker[] checker = new CapacityChecker[1];
        SimulationResult r = Simulator.run(arrivals.stream(), (Ticker clock) -> {
            checker[0] = new CapacityChecker(Policies.create(name, cost.policyConfig(pool), clock), capacity);
            return checker[0];
        }, cost);
        assertThat(checker[0].maxSeen).isLessThanOrEqualTo(capacity);
        assertThat(r.instanceQueued()).isZero();
    }

    /** With one cache slot, an instance never runs two models at once: both packing rules keep this. */
    @Property(tries = 200)
    void withOneCacheSlotAnInstanceRunsOneModelAtATime(@ForAll("workloads") List<Arrival> arrivals,
            @ForAll @IntRange(min = 1, max = 4) int pool, @ForAll @IntRange(min = 1, max = 3) int capacity,
            @ForAll boolean paper) {
        CostModel cost = CostModel.builder().capacity(capacity).build();
        String name = paper ? org.sesemi.packer.policy.PaperPolicy.NAME : AffinityPolicy.NAME;
        Map<Integer, Map<String, Integer>> running = new HashMap<>();
        Simulator.run(arrivals.stream(), (Ticker clock) -> new PackingPolicy() {
            private final PackingPolicy inner = Policies.create(name, cost.policyConfig(pool), clock);

            private void routed(Decision.Route r) {
                Map<String, Integer> models = running.computeIfAbsent(r.instance(), k -> new HashMap<>());
                models.merge(r.model(), 1, Integer::sum);
                assertThat(models.keySet()).as("models in flight on instance %d", r.instance()).hasSize(1);
            }

            @Override
            public String name() {
                return inner.name();
            }

            @Override
            public Decision offer(long requestId, String model) {
                Decision d = inner.offer(requestId, model);
                if (d instanceof Decision.Route r) {
                    routed(r);
                }
                return d;
            }

            @Override
            public List<Decision.Route> completed(Decision.Route route, long executionNanos) {
                running.get(route.instance()).computeIfPresent(route.model(), (k, n) -> n == 1 ? null : n - 1);
                List<Decision.Route> released = inner.completed(route, executionNanos);
                released.forEach(this::routed);
                return released;
            }

            @Override
            public boolean cancel(long requestId) {
                return inner.cancel(requestId);
            }

            @Override
            public boolean forget(String model) {
                return inner.forget(model);
            }

            @Override
            public PolicyStats stats() {
                return inner.stats();
            }
        }, cost);
    }

    @Property(tries = 200)
    void everyRequestEndsCompletedOrRejectedAndEveryRoutedOneCompletes(@ForAll("workloads") List<Arrival> arrivals,
            @ForAll("policies") String policy, @ForAll @IntRange(min = 1, max = 4) int pool,
            @ForAll @IntRange(min = 1, max = 3) int capacity, @ForAll @IntRange(min = 1, max = 3) int slots) {
        CostModel cost = CostModel.builder().capacity(capacity).cacheSlots(slots).build();
        PackingPolicy[] p = new PackingPolicy[1];
        SimulationResult r = Simulator.run(arrivals.stream(), clock -> {
            p[0] = Policies.create(policy, cost.policyConfig(pool), clock);
            return p[0];
        }, cost);
        PolicyStats s = p[0].stats();
        assertThat(r.requests()).isEqualTo(arrivals.size());
        assertThat(r.completed() + r.rejected()).isEqualTo(r.requests());
        assertThat(s.completed()).isEqualTo(s.routed()).isEqualTo(r.completed());
        assertThat(s.rejected()).isEqualTo(r.rejected());
        assertThat(r.perModel().values().stream().mapToLong(SimulationResult.ModelCounts::requests).sum())
                .isEqualTo(r.requests());
        if (!policy.equals(DedicatedPolicy.NAME)) {
            assertThat(r.instancesUsed()).isLessThanOrEqualTo(pool);
        }
        // Nothing is faster than a warm execution.
        if (r.completed() > 0) {
            assertThat(r.latencyP50Ms()).isGreaterThanOrEqualTo(10.0);
        }
    }

    @Property(tries = 50)
    void aRunIsDeterministicForItsInputsAndSeed(@ForAll("workloads") List<Arrival> arrivals,
            @ForAll("policies") String policy, @ForAll @IntRange(min = 1, max = 4) int pool,
            @ForAll long seed) {
        CostModel cost = CostModel.builder().jitter(0.3, seed).build();
        SimulationResult a = Simulator.run(arrivals.stream(), policy, pool, cost);
        SimulationResult b = Simulator.run(arrivals.stream(), policy, pool, cost);
        assertThat(a).isEqualTo(b);
    }
}
