package org.sesemi.packer.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sesemi.time.FakeClock;

class AffinityPolicyTest {
    private final FakeClock clock = new FakeClock();

    private AffinityPolicy policy(PolicyConfig config) {
        return new AffinityPolicy(config, clock);
    }

    private static Decision.Route route(PackingPolicy p, long id, String model) {
        Decision d = p.offer(id, model);
        assertThat(d).isInstanceOf(Decision.Route.class);
        return (Decision.Route) d;
    }

    @Test
    void aFreeInstanceThatHoldsTheModelWinsOverTheFirstFreeOne() {
        AffinityPolicy p = policy(PolicyConfig.builder().poolSize(2).build());
        p.completed(route(p, 1, "A"), TimeUnit.MILLISECONDS.toNanos(10)); // instance 0 holds A
        clock.advance(Duration.ofMillis(20));
        // A was seen 20 ms ago: evicting it would cost many reloads, so B starts the second container.
        Decision.Route b = route(p, 2, "B");
        assertThat(b.instance()).isEqualTo(1);
        assertThat(b.evicted()).isEmpty();
        p.completed(b, TimeUnit.MILLISECONDS.toNanos(10));
        clock.advance(Duration.ofMillis(20));
        for (int i = 0; i < 4; i++) {
            String model = i % 2 == 0 ? "A" : "B";
            Decision.Route r = route(p, 10 + i, model);
            assertThat(r.instance()).isEqualTo(model.equals("A") ? 0 : 1);
            assertThat(r.modelSwitch()).isFalse();
            p.completed(r, TimeUnit.MILLISECONDS.toNanos(10));
            clock.advance(Duration.ofMillis(20));
        }
    }

    @Test
    void aWarmInstanceIsPreferredToAColdStartAndAnEmptySlotToAnEviction() {
        AffinityPolicy p = policy(PolicyConfig.builder().poolSize(3).cacheSlots(2).build());
        Decision.Route a = route(p, 1, "A");
        assertThat(a.instance()).isZero();
        p.completed(a, TimeUnit.MILLISECONDS.toNanos(10));
        clock.advance(Duration.ofMillis(5));
        // Instance 0 has a free cache slot: loading B there costs a switch, a new container a cold start too.
        Decision.Route b = route(p, 2, "B");
        assertThat(b.instance()).isZero();
        assertThat(b.modelSwitch()).isTrue();
        assertThat(b.evicted()).isEmpty();
    }

    @Test
    void stealsTheInstanceWhoseModelIsLeastLikelyToBeNeeded() {
        AffinityPolicy p = policy(PolicyConfig.builder().poolSize(2).build());
        // Warm both instances with A and B at the same time (concurrent, so the second cold-starts instance 1).
        Decision.Route a = route(p, 1, "A");
        Decision.Route b = route(p, 2, "B");
        assertThat(a.instance()).isZero();
        assertThat(b.instance()).isEqualTo(1);
        p.completed(a, TimeUnit.MILLISECONDS.toNanos(10));
        p.completed(b, TimeUnit.MILLISECONDS.toNanos(10));
        // A is popular (every 100 ms); B is not seen again.
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofMillis(100));
            Decision.Route r = route(p, 10 + i, "A");
            assertThat(r.instance()).isZero();
            assertThat(r.modelSwitch()).isFalse();
            p.completed(r, TimeUnit.MILLISECONDS.toNanos(10));
        }
        // B was last seen 2.1 s ago (about 5 returns in the 10 s horizon), A every 100 ms (about 100): C evicts B.
        clock.advance(Duration.ofMillis(100));
        Decision.Route c = route(p, 99, "C");
        assertThat(c.instance()).isEqualTo(1);
        assertThat(c.evicted()).contains("B");
        // And the other way round: when B is the popular one, A is evicted, whatever the instance order.
        p.completed(c, TimeUnit.MILLISECONDS.toNanos(10));
        AffinityPolicy q = policy(PolicyConfig.builder().poolSize(2).build());
        clock.advance(Duration.ofMillis(1_000));
        Decision.Route qa = route(q, 1, "A");
        Decision.Route qb = route(q, 2, "B");
        q.completed(qb, TimeUnit.MILLISECONDS.toNanos(10));
        for (int i = 0; i < 5; i++) { // B is popular, on instance 1
            clock.advance(Duration.ofMillis(100));
            q.completed(route(q, 10 + i, "B"), TimeUnit.MILLISECONDS.toNanos(10));
        }
        q.completed(qa, TimeUnit.MILLISECONDS.toNanos(10));
        clock.advance(Duration.ofMillis(100));
        Decision.Route qc = route(q, 99, "C");
        assertThat(qc.evicted()).contains("A");
        assertThat(qc.instance()).isZero();
    }

    @Test
    void anInstanceServingTheModelAbsorbsConcurrencyUpToItsCapacity() {
        AffinityPolicy p = policy(PolicyConfig.builder().poolSize(3).capacity(2).build());
        Decision.Route a1 = route(p, 1, "A");
        Decision.Route a2 = route(p, 2, "A");
        assertThat(a2.instance()).isEqualTo(a1.instance());
        assertThat(a2.modelSwitch()).isFalse();
        // Beyond the capacity of 2, waiting for A's instance beats a cold start of another one.
        assertThat(p.offer(3, "A")).isInstanceOf(Decision.Queued.class);
        assertThat(p.completed(a1, TimeUnit.MILLISECONDS.toNanos(10))).singleElement().satisfies(r -> {
            assertThat(r.instance()).isEqualTo(a1.instance());
            assertThat(r.modelSwitch()).isFalse();
        });
    }

    @Test
    void waitsForTheModelsOwnInstanceWhenThatIsCheaperThanLoadingItElsewhere() {
        AffinityPolicy p = policy(PolicyConfig.builder().poolSize(2).build());
        Decision.Route a = route(p, 1, "A");
        Decision.Route b = route(p, 2, "B");
        p.completed(b, TimeUnit.MILLISECONDS.toNanos(10));
        p.completed(a, TimeUnit.MILLISECONDS.toNanos(10)); // A's mean execution time is now known: 10 ms
        clock.advance(Duration.ofMillis(1));
        Decision.Route a2 = route(p, 3, "A");
        assertThat(a2.instance()).isZero();
        // A's instance is full; waiting ~10 ms beats loading A on instance 1 (130 ms + B's eviction).
        Decision d = p.offer(4, "A");
        assertThat(d).isInstanceOf(Decision.Queued.class);
        clock.advance(Duration.ofMillis(10));
        var released = p.completed(a2, TimeUnit.MILLISECONDS.toNanos(10));
        assertThat(released).singleElement().satisfies(r -> {
            assertThat(r.requestId()).isEqualTo(4);
            assertThat(r.instance()).isZero();
            assertThat(r.modelSwitch()).isFalse();
        });
    }

    @Test
    void queuesWithADeadlineInsteadOfFailingWhenAllAreBusy() {
        AffinityPolicy p = policy(PolicyConfig.builder().poolSize(1).queueTimeout(Duration.ofSeconds(3)).build());
        clock.advance(Duration.ofMillis(7));
        Decision.Route a = route(p, 1, "A");
        Decision b = p.offer(2, "B");
        Decision c = p.offer(3, "C");
        assertThat(b).isEqualTo(new Decision.Queued(2, "B", TimeUnit.MILLISECONDS.toNanos(3_007)));
        assertThat(c).isInstanceOf(Decision.Queued.class);
        // The caller's deadline for B passes: cancel says it was still queued, so the caller rejects it.
        clock.advance(Duration.ofMillis(3_000));
        assertThat(p.cancel(2)).isTrue();
        assertThat(p.cancel(2)).isFalse();
        // A completes: C, still queued, gets the instance (a model switch that evicts A).
        var released = p.completed(a, TimeUnit.MILLISECONDS.toNanos(10));
        assertThat(released).singleElement().satisfies(r -> {
            assertThat(r.requestId()).isEqualTo(3);
            assertThat(r.evicted()).contains("A");
        });
        assertThat(p.cancel(3)).isFalse();
        assertThat(p.stats()).isEqualTo(new PolicyStats(3, 2, 2, 1, 1, 1, 1));
    }

    @Test
    void rejectsOnlyWhenTheQueueIsFull() {
        AffinityPolicy p = policy(PolicyConfig.builder().poolSize(1).maxQueued(1).build());
        route(p, 1, "A");
        assertThat(p.offer(2, "B")).isInstanceOf(Decision.Queued.class);
        assertThat(p.offer(3, "C")).isEqualTo(new Decision.Rejected(3, "C", AffinityPolicy.QUEUE_FULL));
    }

    @Test
    void aContainerIdleBeyondTheKeepAliveIsBelievedCold() {
        AffinityPolicy p = policy(PolicyConfig.builder().poolSize(2).build());
        Decision.Route a = route(p, 1, "A");
        Decision.Route b = route(p, 2, "B");
        p.completed(a, TimeUnit.MILLISECONDS.toNanos(10));
        clock.advance(Duration.ofMinutes(11));
        p.completed(b, TimeUnit.MILLISECONDS.toNanos(10));
        clock.advance(Duration.ofMillis(1));
        // Instance 0 (holding A) is gone; A is loaded on the live instance 1 rather than cold-starting 0.
        Decision.Route a2 = route(p, 3, "A");
        assertThat(a2.instance()).isEqualTo(1);
        assertThat(a2.modelSwitch()).isTrue();
    }
}
