package org.sesemi.packer.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.sesemi.packer.policy.Decision;
import org.sesemi.packer.policy.PackingPolicy;
import org.sesemi.packer.policy.Policies;
import org.sesemi.packer.policy.PolicyConfig;

/**
 * The gateway's bounded model table with real policies behind it: 1,000 junk model ids (the attack of issue #10) do
 * not lock out a new model, idle models make room least recently used first, and a model with requests in flight is
 * never forgotten.
 */
class ModelTableTest {
    long now;

    PackingPolicy policy(String name) {
        return Policies.create(name, PolicyConfig.builder().poolSize(2).capacity(4).build(), () -> now);
    }

    /** One request of {@code model} through the table and the policy, answered {@code served}. */
    static boolean request(ModelTable t, PackingPolicy p, long id, String model, boolean served) {
        if (!t.admit(model)) {
            return false;
        }
        try {
            if (p.offer(id, model) instanceof Decision.Route r) {
                p.completed(r, 1_000_000);
            }
        } finally {
            t.release(model, served);
        }
        return true;
    }

    @Test
    void aThousandJunkModelIdsDoNotLockOutANewModel() {
        for (String name : Policies.NAMES) {
            PackingPolicy p = policy(name);
            ModelTable t = new ModelTable(16, p::forget);
            IntStream.range(0, 1_000).forEach(i -> assertThat(request(t, p, i, "junk-" + i, false)).isTrue());
            // Never served: forgotten as soon as idle, by the table and by the policy.
            assertThat(t.size()).isZero();
            assertThat(p.forget("junk-5")).isTrue();
            assertThat(request(t, p, 5_000, "real", true)).as(name).isTrue();
            assertThat(t.size()).isEqualTo(1);
            assertThat(t.forgotten()).isEqualTo(1_000);
        }
    }

    @Test
    void idleServedModelsMakeRoomLeastRecentlyUsedFirst() {
        PackingPolicy p = policy("affinity");
        ModelTable t = new ModelTable(2, p::forget);
        assertThat(request(t, p, 1, "a", true)).isTrue();
        assertThat(request(t, p, 2, "b", true)).isTrue();
        assertThat(request(t, p, 3, "a", true)).isTrue(); // a is now the most recently used
        assertThat(request(t, p, 4, "c", true)).isTrue(); // b goes
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.forgotten()).isEqualTo(1);
        assertThat(request(t, p, 5, "a", true)).isTrue();
        assertThat(t.forgotten()).isEqualTo(1); // a was still there
    }

    @Test
    void aModelWithRequestsInFlightIsNeverForgotten() {
        PackingPolicy p = policy("dedicated");
        ModelTable t = new ModelTable(1, p::forget);
        assertThat(t.admit("busy")).isTrue();
        Decision d = p.offer(1, "busy");
        assertThat(d).isInstanceOf(Decision.Route.class);
        // The table is full of a model in flight: a new one is refused, the busy one is kept.
        assertThat(t.admit("other")).isFalse();
        assertThat(p.forget("busy")).isFalse();
        p.completed((Decision.Route) d, 1_000_000);
        t.release("busy", true);
        assertThat(t.admit("other")).isTrue();
        t.release("other", false);
        assertThatThrownBy(() -> t.release("other", false)).isInstanceOf(IllegalStateException.class);
    }
}
