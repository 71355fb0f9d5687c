package org.sesemi.keyservice.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

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

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
