package org.sesemi.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CoreConfigTest {
    @Test
    void theBuilderStartsFromTheDefaultsAndToBuilderKeepsEveryValue() {
        CoreConfig c = CoreConfig.builder().modelBudgetBytes(1 << 20).concurrency(3, 7, Duration.ofSeconds(9)).timing(true)
                .payloadRefAbove(77).maxEnvelopeBytes(4096).chargeFactor(1.5).keyCache(11, Duration.ofMillis(5)).build();
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(c.maxQueue()).isEqualTo(7);
        assertThat(c.keyCacheEntries()).isEqualTo(11);
        assertThat(CoreConfig.builder().build()).isEqualTo(CoreConfig.defaults());
        assertThat(c.toBuilder().timing(false).build()).isNotEqualTo(c).extracting(CoreConfig::timing).isEqualTo(false);
    }

    @Test
    void buildRefusesValuesOutOfBounds() {
        assertThatThrownBy(() -> CoreConfig.builder().modelBudgetBytes(0).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("budget >= 1 byte");
        assertThatThrownBy(() -> CoreConfig.builder().concurrency(0, 1, Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConcurrent >= 1");
        assertThatThrownBy(() -> CoreConfig.builder().maxEnvelopeBytes(10).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CoreConfig.builder().engine(null).build()).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("engine");
    }
}
