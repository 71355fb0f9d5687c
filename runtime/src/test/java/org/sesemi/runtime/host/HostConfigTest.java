package org.sesemi.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HostConfigTest {
    @Test
    void defaultsAreWhatPlatformsExpect() {
        HostConfig c = HostConfig.openWhisk().build();
        assertThat(c.platform()).isEqualTo(HostConfig.Platform.OPENWHISK);
        assertThat(c.bindAddress()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.allowConcurrent()).isTrue();
        assertThat(c.maxBodyBytes()).isEqualTo(65 << 20);
        assertThat(HostConfig.knative().build().platform()).isEqualTo(HostConfig.Platform.KNATIVE);
    }

    @Test
    void theEnvironmentChoosesPlatformPortAndConcurrency() {
        HostConfig c = HostConfig.fromEnvironment(Map.of("__OW_RUNTIME_PLATFORM", "Knative", "PORT", "9090", "__OW_ALLOW_CONCURRENT", "FALSE"))
                .bind("127.0.0.1").build();
        assertThat(c).isEqualTo(new HostConfig(HostConfig.Platform.KNATIVE, "127.0.0.1", 9090, false, HostConfig.DEFAULT_MAX_BODY_BYTES));
        assertThat(HostConfig.fromEnvironment(Map.of()).build()).isEqualTo(HostConfig.openWhisk().build());
    }

    @Test
    void buildRefusesWhatCannotServe() {
        assertThatThrownBy(() -> HostConfig.openWhisk().port(65536).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port");
        assertThatThrownBy(() -> HostConfig.openWhisk().port(-1).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostConfig.openWhisk().maxBodyBytes(1023).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBodyBytes");
        assertThatThrownBy(() -> HostConfig.openWhisk().bind(" ").build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostConfig.openWhisk().bind(null).build()).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> HostConfig.fromEnvironment(Map.of("PORT", "eighty"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PORT");
    }

    @Test
    void toBuilderRoundTrips() {
        HostConfig c = HostConfig.knative().bind("127.0.0.1").port(0).allowConcurrent(false).maxBodyBytes(4096).build();
        assertThat(c.toBuilder().build()).isEqualTo(c);
        assertThat(c.toBuilder().port(1234).build().port()).isEqualTo(1234);
    }
}
