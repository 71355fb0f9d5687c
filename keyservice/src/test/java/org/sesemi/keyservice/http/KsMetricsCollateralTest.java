package org.sesemi.keyservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.sesemi.attestation.collateral.CollateralStats;

/** Collateral refresh failures are visible in the Prometheus exposition, live (read at scrape time). */
class KsMetricsCollateralTest {
    @Test
    void publishesFetchesFailuresAndNextUpdate() {
        AtomicReference<CollateralStats> now = new AtomicReference<>(new CollateralStats("pccs:https://pccs:8081", 2, 0, 1,
                Optional.of(Instant.ofEpochSecond(1_800_000_000L)), Optional.empty()));
        KsMetrics m = new KsMetrics();
        m.collateral(now::get);
        String before = m.scrape();
        assertThat(before).contains("keyservice_collateral_fetches_total 2.0", "keyservice_collateral_failures_total 0.0",
                "keyservice_collateral_cached 1.0", "keyservice_collateral_next_update_seconds 1.8E9");
        now.set(new CollateralStats("pccs:https://pccs:8081", 2, 3, 1, Optional.of(Instant.ofEpochSecond(1_800_000_000L)),
                Optional.of("fetching collateral failed")));
        assertThat(m.scrape()).contains("keyservice_collateral_failures_total 3.0");
    }
}
