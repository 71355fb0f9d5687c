package org.sesemi.packer.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sesemi.time.FakeClock;

/** {@link PackingPolicy#forget}: busy models are kept, idle ones dropped with all their state. */
class ForgetTest {
    final FakeClock clock = new FakeClock();

    @Test
    void dedicatedReusesAForgottenModelsInstanceInsteadOfGrowing() {
        DedicatedPolicy p = new DedicatedPolicy(PolicyConfig.builder().capacity(1).build(), clock);
        Decision.Route a = (Decision.Route) p.offer(1, "a");
        assertThat(p.forget("a")).isFalse(); // in flight
        p.completed(a, TimeUnit.MILLISECONDS.toNanos(10));
        assertThat(p.forget("a")).isTrue();
        Decision.Route b = (Decision.Route) p.offer(2, "b");
        assertThat(b.instance()).isEqualTo(a.instance());
        assertThat(p.stats().instances()).isEqualTo(1);
        assertThat(p.forget("never-seen")).isTrue();
    }

    @Test
    void paperDropsTheClaimOfAForgottenModel() {
        PaperPolicy p = new PaperPolicy(PolicyConfig.builder().poolSize(1).build(), clock);
        Decision.Route r1 = (Decision.Route) p.offer(1, "a");
        Decision.Route r2 = (Decision.Route) p.offer(2, "a"); // second in flight: a claims instance 0
        assertThat(p.claimOf(0)).contains("a");
        assertThat(p.forget("a")).isFalse();
        p.completed(r1, TimeUnit.MILLISECONDS.toNanos(1_000));
        p.completed(r2, TimeUnit.MILLISECONDS.toNanos(1_000));
        assertThat(p.forget("a")).isTrue();
        assertThat(p.claimOf(0)).isEmpty();
        assertThat(p.modelsKnown()).isZero();
        assertThat(p.offer(3, "b")).isInstanceOf(Decision.Route.class); // claim gone at once, no expiry wait
    }

    @Test
    void affinityForgetsStatsAndBelievedCacheEntries() {
        AffinityPolicy p = new AffinityPolicy(PolicyConfig.builder().poolSize(1).capacity(2).build(), clock);
        Decision.Route r = (Decision.Route) p.offer(1, "a");
        assertThat(p.forget("a")).isFalse();
        p.completed(r, TimeUnit.MILLISECONDS.toNanos(10));
        assertThat(p.forget("a")).isTrue();
        assertThat(p.modelsKnown()).isZero();
        clock.advance(Duration.ofMillis(5));
        Decision.Route again = (Decision.Route) p.offer(2, "a");
        assertThat(again.modelSwitch()).as("the believed cache no longer holds it").isTrue();
    }
}
