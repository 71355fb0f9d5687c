package org.sesemi.platform.invoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InvokerConfigTest {
    @Test
    void defaultsFollowOpenWhisk() {
        InvokerConfig config = InvokerConfig.defaults();
        assertThat(config.userMemoryMb()).isEqualTo(2048);
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.maxResultBytes()).isEqualTo(1024 * 1024);
        assertThat(config.prewarm()).isEmpty();
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> InvokerConfig.builder().userMemoryMb(0).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> InvokerConfig.builder().idleTimeout(Duration.ZERO).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> InvokerConfig.builder().startTimeout(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InvokerConfig.Prewarm("x", 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ImageRegistry.Image(List.of(), Map.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPrewarmOfAnUnknownImageIsRejectedAtStart() {
        InvokerConfig config = InvokerConfig.builder().prewarm(List.of(new InvokerConfig.Prewarm("nope", 128, 1))).build();
        assertThatThrownBy(() -> new ContainerPool(config, ImageRegistry.of(Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    }

    @Test
    void imagesFillInThePort() {
        ImageRegistry.Image image = new ImageRegistry.Image(List.of("run", "--port={port}"), Map.of("PORT", "{port}"));
        assertThat(image.commandFor(8123)).containsExactly("run", "--port=8123");
        assertThat(image.envFor(8123)).containsEntry("PORT", "8123");
        assertThat(image.sentinelledLogs()).isTrue();
    }
}
