package org.sesemi.packer.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sesemi.time.FakeClock;

class PaperPolicyTest {
    private final FakeClock clock = new FakeClock();
    private final PaperPolicy policy = new PaperPolicy(PolicyConfig.builder().poolSize(3).build(), clock);

    private Decision.Route route(long id, String model) {
        Decision d = policy.offer(id, model);
        assertThat(d).isInstanceOf(Decision.Route.class);
        return (Decision.Route) d;
    }

    @Test
    void stealsTheFirstFreeInstanceInIndexOrder() {
        Decision.Route a = route(1, "A");
        Decision.Route b = route(2, "B");
        assertThat(a.instance()).isZero();
        assertThat(b.instance()).isEqualTo(1);
        policy.completed(a, TimeUnit.MILLISECONDS.toNanos(10));
        // A has no claim (it never had two in flight), so C takes instance 0 and evicts A.
        Decision.Route c = route(3, "C");
        assertThat(c.instance()).isZero();
        assertThat(c.modelSwitch()).isTrue();
        assertThat(c.evicted()).contains("A");
    }

    @Test
    void aSecondConcurrentRequestClaimsTheInstanceUntilTwiceTheExecutionTime() {
        Decision.Route a1 = route(1, "A");
        Decision.Route a2 = route(2, "A");
        assertThat(a2.instance()).isEqualTo(a1.instance()).isZero();
        assertThat(policy.claimOf(0)).contains("A");
        Decision.Route a3 = route(3, "A");
        assertThat(a3.instance()).isZero();

        clock.advance(Duration.ofMillis(100));
        policy.completed(a1, TimeUnit.MILLISECONDS.toNanos(50));
        policy.completed(a2, TimeUnit.MILLISECONDS.toNanos(50));
        policy.completed(a3, TimeUnit.MILLISECONDS.toNanos(50));

        // 99 ms after A's last call (< 2 × 50 ms), instance 0 is still A's: B skips it.
        clock.advance(Duration.ofMillis(99));
        Decision.Route b = route(4, "B");
        assertThat(b.instance()).isEqualTo(1);
        // At exactly 2 × the execution time the claim has expired and C may steal instance 0.
        clock.advance(Duration.ofMillis(1));
        Decision.Route c = route(5, "C");
        assertThat(c.instance()).isZero();
        assertThat(policy.claimOf(0)).isEmpty();
    }

    @Test
    void theClaimantItselfMayRetakeItsInstance() {
        Decision.Route a1 = route(1, "A");
        Decision.Route a2 = route(2, "A");
        policy.completed(a1, TimeUnit.MILLISECONDS.toNanos(1_000));
        policy.completed(a2, TimeUnit.MILLISECONDS.toNanos(1_000));
        Decision.Route a3 = route(3, "A");
        assertThat(a3.instance()).isZero();
        assertThat(a3.modelSwitch()).isFalse();
    }

    @Test
    void failsWithAllBusyWhenNoInstanceQualifiesAndForgetsTheFailedRequest() {
        Decision.Route a = route(1, "A");
        route(2, "B");
        route(3, "C");
        Decision d = policy.offer(4, "D");
        assertThat(d).isEqualTo(new Decision.Rejected(4, "D", PaperPolicy.ALL_BUSY));
        assertThat(policy.cancel(4)).isFalse();

        policy.completed(a, TimeUnit.MILLISECONDS.toNanos(10));
        clock.advance(Duration.ofMillis(1));
        // D's failed request is not counted in flight: its next request steals, and gets the freed instance.
        Decision.Route d2 = route(5, "D");
        assertThat(d2.instance()).isZero();
        assertThat(policy.stats().rejected()).isEqualTo(1);
        assertThat(policy.stats().routed()).isEqualTo(4);
    }

    @Test
    void overflowOfAModelGoesToItsInstanceWhateverItsConcurrencyLimit() {
        for (int i = 0; i < 5; i++) {
            assertThat(route(i, "A").instance()).isZero();
        }
        assertThat(route(9, "B").instance()).isEqualTo(1);
    }
}
