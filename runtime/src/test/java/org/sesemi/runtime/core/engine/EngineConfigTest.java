package org.sesemi.runtime.core.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EngineConfigTest {
    @Test
    void defaultsAndBuilder() {
        assertThat(EngineConfig.defaults()).isEqualTo(new EngineConfig(1, false, false, false));
        EngineConfig c = EngineConfig.builder().intraOpThreads(0).allowSpinning(true).arena(true, false).build();
        assertThat(c).isEqualTo(new EngineConfig(0, true, true, false));
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThatThrownBy(() -> EngineConfig.builder().intraOpThreads(-1).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intraOpThreads");
    }
}
