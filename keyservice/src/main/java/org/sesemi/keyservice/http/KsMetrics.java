package org.sesemi.keyservice.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;
import org.sesemi.attestation.collateral.CollateralStats;

/**
 * The KeyService's Prometheus metrics: requests by route and status with a latency histogram, releases, and
 * denials by reason. Labels are low-cardinality by construction (route templates, reason codes; never ids).
 */
public final class KsMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter releases;
    private final Counter rateLimited;

    public KsMetrics() {
        releases = Counter.builder("keyservice.releases").description("Key releases to attested runtimes").register(registry);
        rateLimited = Counter.builder("keyservice.rate.limited").description("Requests refused with 429").register(registry);
    }

    void request(String route, String method, int status, long nanos) {
        Timer.builder("keyservice.requests")
                .description("HTTP requests by route template, method and status")
                .tag("route", route).tag("method", method).tag("status", Integer.toString(status))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    void released() {
        releases.increment();
    }

    void denied(String reason) {
        Counter.builder("keyservice.release.denials").description("Refused key releases by reason")
                .tag("reason", reason).register(registry).increment();
    }

    void rateLimited() {
        rateLimited.increment();
    }

    /**
     * Publishes what the collateral source for runtimes' quotes did: successful fetches, failed fetches/refreshes (a
     * rising count means collateral will go stale unless the source recovers), platforms cached, and the earliest
     * {@code nextUpdate} (epoch seconds; alert when it comes near).
     */
    public void collateral(Supplier<CollateralStats> stats) {
        FunctionCounter.builder("keyservice.collateral.fetches", stats, s -> s.get().fetches())
                .description("Successful collateral fetches and refreshes").register(registry);
        FunctionCounter.builder("keyservice.collateral.failures", stats, s -> s.get().failures())
                .description("Failed collateral fetches and refreshes (logged)").register(registry);
        Gauge.builder("keyservice.collateral.cached", stats, s -> s.get().cached())
                .description("Platforms with cached collateral").register(registry);
        Gauge.builder("keyservice.collateral.next.update", stats,
                        s -> s.get().earliestNextUpdate().map(t -> (double) t.getEpochSecond()).orElse(Double.NaN))
                .description("Earliest nextUpdate of cached collateral, epoch seconds").baseUnit("seconds").register(registry);
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
