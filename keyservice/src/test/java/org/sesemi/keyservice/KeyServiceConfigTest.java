package org.sesemi.keyservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.VerificationPolicy;

class KeyServiceConfigTest {
    @Test
    void theBuilderStartsFromTheDocumentedDefaults() {
        KeyServiceConfig c = KeyServiceConfig.defaults();
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(KeyServiceConfig.DEFAULT_PORT);
        assertThat(c.database()).isEqualTo(KeyServiceConfig.DEFAULT_DATABASE);
        assertThat(c.runtimePolicy()).isEmpty();
        assertThat(c.releaseTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.maxBodyBytes()).isEqualTo(64 * 1024);
        assertThat(c.ratePerSecond()).isEqualTo(200);
        assertThat(c.rateBurst()).isEqualTo(400);
        assertThat(c.certificateValidity()).isEqualTo(Duration.ofHours(12));
        assertThat(c.releaseAuditFsync()).isFalse();
        assertThat(c.expectStateVersion()).isZero();
    }

    @Test
    void toBuilderKeepsEveryField(@org.junit.jupiter.api.io.TempDir Path dir) {
        KeyServiceConfig c = KeyServiceConfig.builder().host("0.0.0.0").port(9443).database(dir.resolve("x.db"))
                .tee(TeeConfig.simulated(dir, "ks")).runtimePolicy(VerificationPolicy.defaults()).releaseTtl(Duration.ofSeconds(7))
                .maxBodyBytes(2048).rateLimit(3.5, 9).certificateValidity(Duration.ofHours(2)).releaseAuditFsync(true)
                .expectedStateVersion(42).build();
        assertThat(c.toBuilder().build()).isEqualTo(c);
    }

    @Test
    void buildRejectsValuesOutOfBounds() {
        assertThatThrownBy(() -> KeyServiceConfig.builder().port(70_000).build()).hasMessageContaining("port");
        assertThatThrownBy(() -> KeyServiceConfig.builder().releaseTtl(Duration.ZERO).build()).hasMessageContaining("TTL");
        assertThatThrownBy(() -> KeyServiceConfig.builder().maxBodyBytes(10).build()).hasMessageContaining("max body");
        assertThatThrownBy(() -> KeyServiceConfig.builder().rateLimit(-1, 1).build()).hasMessageContaining("rate");
        assertThatThrownBy(() -> KeyServiceConfig.builder().certificateValidity(Duration.ofSeconds(5)).build())
                .hasMessageContaining("certificate validity");
        assertThatThrownBy(() -> KeyServiceConfig.builder().expectedStateVersion(-1).build()).hasMessageContaining("state version");
        assertThatThrownBy(() -> KeyServiceConfig.builder().host(null).build()).isInstanceOf(NullPointerException.class);
    }
}
