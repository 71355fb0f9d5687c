package org.sesemi.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeType;
import org.sesemi.attestation.collateral.CachingCollateralSource;
import org.sesemi.attestation.collateral.PccsClient;
import org.sesemi.runtime.core.CoreConfig;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.store.DirectoryModelStore;
import org.sesemi.runtime.testing.InMemoryKeySource;

/**
 * The runtime's {@code /metrics} shows the state of the collateral cache it verifies the KeyService's quotes with, as
 * the KeyService's does: a refresh that fails (here: a PCCS nobody listens on) is counted, read at scrape time.
 */
class RuntimeMetricsCollateralTest {
    @TempDir Path dir;

    @Test
    void collateralFailuresAndCacheAreScraped() throws Exception {
        SimulatedTee tee = SimulatedTee.open(dir.resolve("tee"), "keyservice");
        EnclaveRuntime[] current = {null};
        RuntimeMetrics metrics = new RuntimeMetrics(() -> current[0]);
        assertThat(metrics.scrape()).contains("sesemi_runtime_collateral_failures_total 0.0", "sesemi_runtime_collateral_cached NaN");

        try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
            int port = closed.getLocalPort();
            closed.close(); // nothing listens there now
            CachingCollateralSource source = new CachingCollateralSource("pccs:http://127.0.0.1:" + port,
                    PccsClient.pccs(URI.create("http://127.0.0.1:" + port)), List.of(tee.rootPublicKey()), Clock.systemUTC(),
                    Duration.ofHours(6), Duration.ZERO);
            try (EnclaveRuntime core = EnclaveRuntime.create(CoreConfig.defaults(), new InMemoryKeySource(Clock.systemUTC(),
                    Duration.ofMinutes(1)), new DirectoryModelStore(dir.resolve("models")), Clock.systemUTC(), List.of(source))) {
                current[0] = core;
                assertThat(metrics.scrape()).contains("sesemi_runtime_collateral_fetches_total 0.0",
                        "sesemi_runtime_collateral_failures_total 0.0", "sesemi_runtime_collateral_cached 0.0");
                assertThatThrownBy(() -> source.collateralFor(TeeType.SGX, SimulatedTee.FMSPC))
                        .isInstanceOfSatisfying(AttestationException.class,
                                e -> assertThat(e.reason()).isEqualTo(AttestationException.Reason.COLLATERAL_UNAVAILABLE));
                String after = metrics.scrape();
                assertThat(after).contains("sesemi_runtime_collateral_failures_total 1.0", "sesemi_runtime_collateral_cached 0.0",
                        "sesemi_runtime_collateral_next_update_seconds NaN");
            }
        }
    }
}
