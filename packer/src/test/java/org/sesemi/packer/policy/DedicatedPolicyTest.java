package org.sesemi.packer.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.sesemi.time.FakeClock;

class DedicatedPolicyTest {
    private final FakeClock clock = new FakeClock();
    private final DedicatedPolicy policy = new DedicatedPolicy(PolicyConfig.builder().poolSize(1).build(), clock);

    @Test
    void oneInstancePerModelCreatedOnFirstUseWhateverThePoolSize() {
        String[] models = {"A", "B", "A", "C", "B", "D"};
        int[] expected = {0, 1, 0, 2, 1, 3};
        for (int i = 0; i < models.length; i++) {
            Decision d = policy.offer(i, models[i]);
            if (d instanceof Decision.Route r) {
                assertThat(r.instance()).isEqualTo(expected[i]);
                assertThat(r.modelSwitch()).isFalse();
                policy.completed(r, TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
        assertThat(policy.stats().instances()).isEqualTo(4);
    }

    @Test
    void queuesBeyondTheInstancesCapacityAndReleasesOnCompletion() {
        Decision.Route a = (Decision.Route) policy.offer(1, "A");
        assertThat(policy.offer(2, "A")).isInstanceOf(Decision.Queued.class);
        // Another model is not held up by A's queue.
        assertThat(policy.offer(3, "B")).isInstanceOf(Decision.Route.class);
        assertThat(policy.completed(a, TimeUnit.MILLISECONDS.toNanos(10))).singleElement()
                .satisfies(r -> assertThat(r.requestId()).isEqualTo(2));
    }
}
