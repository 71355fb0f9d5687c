package org.sesemi.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sesemi.platform.invoker.InvokerConfig;

class PlatformConfigTest {
    private static final Path DB = Path.of("platform.db");

    @Test
    void openWhiskLimitsAreAStockDeploymentsDefaults() {
        PlatformConfig c = PlatformConfig.builder(DB).openWhiskLimits().build();
        assertThat(c.maxActionMemoryMb()).isEqualTo(512);
        assertThat(c.maxActionConcurrency()).isEqualTo(1);
        assertThat(c.invocationsPerMinute()).isEqualTo(60);
        assertThat(c.concurrentInvocations()).isEqualTo(30);
        assertThat(c.maxPayloadBytes()).isEqualTo(PlatformConfig.OPENWHISK_PAYLOAD_BYTES);
        assertThat(PlatformConfig.defaults(DB).maxActionMemoryMb()).isEqualTo(4096);
    }

    @Test
    void toBuilderKeepsEveryField() throws Exception {
        PlatformConfig c = PlatformConfig.builder(DB).bindAddress(InetAddress.getByName("0.0.0.0")).port(1234).actionLimits(1024, 3)
                .throttles(7, 8).maxPayloadBytes(99).activationRetention(5).build();
        assertThat(c.toBuilder().build()).isEqualTo(c);
        InvokerConfig i = InvokerConfig.builder().userMemoryMb(999).idleTimeout(Duration.ofSeconds(3)).startTimeout(Duration.ofSeconds(4))
                .logWait(Duration.ofMillis(5)).maxResultBytes(6).apiHost("http://x").prewarm(List.of(new InvokerConfig.Prewarm("img", 256, 2)))
                .stockOpenWhisk(true).pauseGrace(Duration.ofSeconds(9)).build();
        assertThat(i.toBuilder().build()).isEqualTo(i);
    }

    @Test
    void buildRejectsValuesOutOfBounds() {
        assertThatThrownBy(() -> PlatformConfig.builder(DB).port(-1).build()).hasMessageContaining("port");
        assertThatThrownBy(() -> PlatformConfig.builder(DB).actionLimits(64, 1).build()).hasMessageContaining("128 MB");
        assertThatThrownBy(() -> PlatformConfig.builder(DB).throttles(0, 1).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PlatformConfig.builder(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> InvokerConfig.builder().pauseGrace(Duration.ZERO).build()).hasMessageContaining("pauseGrace");
    }
}
