package org.sesemi.packer.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sesemi.packer.sim.CostModel;

class PolicyConfigTest {
    @Test
    void toBuilderKeepsEveryField() {
        PolicyConfig p = PolicyConfig.builder().poolSize(3).capacity(4).cacheSlots(5).keepAlive(Duration.ofSeconds(6))
                .queueTimeout(Duration.ofSeconds(7)).maxQueued(8).estimates(Duration.ofMillis(9), Duration.ofMillis(10)).build();
        assertThat(p.toBuilder().build()).isEqualTo(p);
        CostModel c = CostModel.builder().coldStart(Duration.ofMillis(1)).switchCost(Duration.ofMillis(2), Map.of("a", Duration.ofMillis(3)))
                .execution(Duration.ofMillis(4), Map.of("b", Duration.ofMillis(5))).jitter(0.25, 6).capacity(7).cacheSlots(8)
                .keepAlive(Duration.ofSeconds(9)).memoryMb(10).queueTimeout(Duration.ofSeconds(11)).hostCores(12).build();
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void theCostModelTellsThePolicyItsPool() {
        CostModel c = CostModel.builder().capacity(4).cacheSlots(2).queueTimeout(Duration.ofSeconds(3)).build();
        PolicyConfig p = c.policyConfig(6);
        assertThat(p).isEqualTo(PolicyConfig.builder().poolSize(6).capacity(4).cacheSlots(2).keepAlive(c.keepAlive())
                .queueTimeout(Duration.ofSeconds(3)).estimates(c.switchCost(), c.coldStart()).build());
    }

    @Test
    void buildRejectsValuesOutOfBounds() {
        assertThatThrownBy(() -> PolicyConfig.builder().poolSize(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PolicyConfig.builder().keepAlive(null).build()).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> CostModel.builder().jitter(1.0, 1).build()).hasMessageContaining("jitter");
        assertThatThrownBy(() -> CostModel.builder().capacity(0).build()).hasMessageContaining("capacity");
    }
}
