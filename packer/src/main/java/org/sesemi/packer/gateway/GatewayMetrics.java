package org.sesemi.packer.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.Supplier;
import org.sesemi.packer.policy.PolicyStats;

/**
 * The gateway's Prometheus metrics, set up as the KeyService's: one registry per gateway, scraped as text at
 * {@code GET /metrics}.
 *
 * <p>Labels are bounded: {@code route} and {@code status} are the HTTP ones, {@code reason} one of the gateway's own
 * refusal codes. Model ids are public metadata, but they come from untrusted envelopes, so they are never labels
 * (the per-model route counts stay in {@code /v1/stats}); user ids and request ids never appear at all.
 */
final class GatewayMetrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** Held here: Micrometer keeps only weak references to the objects its gauges and function counters read. */
    private final List<Supplier<?>> sources;

    GatewayMetrics(Supplier<PolicyStats> policy, Supplier<Integer> queued, Supplier<Integer> functions, Supplier<Integer> models) {
        this.sources = List.of(policy, queued, functions, models);
        new UptimeMetrics().bindTo(registry);
        policyCounter("sesemi.gateway.policy.offered", "Requests offered to the packing policy", policy, PolicyStats::offered);
        policyCounter("sesemi.gateway.policy.routed", "Requests the policy routed to a function", policy, PolicyStats::routed);
        policyCounter("sesemi.gateway.policy.queued", "Requests the policy queued at least once", policy, PolicyStats::queued);
        policyCounter("sesemi.gateway.policy.rejected", "Requests the policy rejected or cancelled", policy, PolicyStats::rejected);
        policyCounter("sesemi.gateway.policy.model.switches", "Routes the policy believed to load a model into a function (model loads)",
                policy, PolicyStats::believedSwitches);
        Gauge.builder("sesemi.gateway.queue.depth", queued, q -> q.get()).description("Requests waiting for a free function")
                .register(registry);
        Gauge.builder("sesemi.gateway.functions", functions, f -> f.get()).description("Functions of the pool created on the platform")
                .register(registry);
        Gauge.builder("sesemi.gateway.models", models, m -> m.get()).description("Distinct models the gateway routes").register(registry);
    }

    private void policyCounter(String name, String help, Supplier<PolicyStats> policy, ToDoubleFunction<PolicyStats> f) {
        FunctionCounter.builder(name, policy, p -> f.applyAsDouble(p.get())).description(help).register(registry);
    }

    void request(String route, String method, int status, long nanos) {
        Timer.builder("sesemi.gateway.requests")
                .description("HTTP requests by route, method and status (for /v1/invoke: end to end through the platform)")
                .tag("route", route).tag("method", method).tag("status", status < 0 ? "none" : Integer.toString(status))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    void refused(String reason) {
        Counter.builder("sesemi.gateway.refusals").description("Requests the gateway refused itself, by reason")
                .tag("reason", reason).register(registry).increment();
    }

    String scrape() {
        return registry.scrape();
    }
}
