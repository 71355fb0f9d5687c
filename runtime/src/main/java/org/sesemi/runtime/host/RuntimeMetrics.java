package org.sesemi.runtime.host;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.Outcome;

/**
 * The runtime's Prometheus metrics, set up as the KeyService's ({@code KsMetrics}): one registry per server, scraped
 * as text at {@code GET /metrics}.
 *
 * <p>Labels are bounded and never derived from a payload: {@code outcome} is {@code sealed} or a rejection's stable
 * code, {@code reason} a KeyService denial code. No model id, user id or request id is a label (they come from
 * untrusted envelopes, so their number is unbounded, and user ids are linkable principal identities); per-model
 * numbers are in the activation records and the gateway's {@code /v1/stats}. Cache and key numbers are read from the
 * core's non-secret {@link EnclaveRuntime.Stats} at scrape time.
 */
public final class RuntimeMetrics {
    /** The content type of the Prometheus text exposition format this endpoint serves. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** Held here: Micrometer keeps only weak references to the objects its gauges and function counters read. */
    private final Supplier<EnclaveRuntime> core;

    /** @param core the current core, or null before OpenWhisk's {@code /init} built it */
    RuntimeMetrics(Supplier<EnclaveRuntime> core) {
        this.core = core;
        new UptimeMetrics().bindTo(registry);
        counter("sesemi.runtime.model.loads", "Models decrypted and loaded into the enclave's cache", core, EnclaveRuntime.Stats::modelLoads);
        counter("sesemi.runtime.model.evictions", "Models evicted from the enclave's cache to make room", core, EnclaveRuntime.Stats::evictions);
        counter("sesemi.runtime.key.fetches", "Key releases fetched from the KeyService (key cache misses)", core, EnclaveRuntime.Stats::keyFetches);
        gauge("sesemi.runtime.model.cache", "bytes", "Bytes charged to decrypted models in the enclave's cache", core, EnclaveRuntime.Stats::modelBytesUsed);
        gauge("sesemi.runtime.model.cache.budget", "bytes", "The enclave's model cache budget", core, EnclaveRuntime.Stats::modelBudgetBytes);
        gauge("sesemi.runtime.models.loaded", null, "Models in the enclave's cache", core, EnclaveRuntime.Stats::modelsLoaded);
        gauge("sesemi.runtime.keys.cached", null, "Key releases in the key cache", core, EnclaveRuntime.Stats::keysCached);
        gauge("sesemi.runtime.queue.depth", null, "Requests waiting for an inference slot", core, EnclaveRuntime.Stats::waiting);
        // The collateral for the KeyService's quotes, named like the KeyService's own (keyservice_collateral_*).
        FunctionCounter.builder("sesemi.runtime.collateral.fetches", core, c -> collateral(c, s -> s.fetches(), 0))
                .description("Successful collateral fetches and refreshes (KeyService quotes)").register(registry);
        FunctionCounter.builder("sesemi.runtime.collateral.failures", core, c -> collateral(c, s -> s.failures(), 0))
                .description("Failed collateral fetches and refreshes (logged)").register(registry);
        Gauge.builder("sesemi.runtime.collateral.cached", core, c -> collateral(c, s -> s.cached(), Double.NaN))
                .description("Platforms with cached collateral").register(registry);
        Gauge.builder("sesemi.runtime.collateral.next.update", core, c -> collateral(c,
                        s -> s.earliestNextUpdate().map(t -> (double) t.getEpochSecond()).orElse(Double.NaN), Double.NaN))
                .description("Earliest nextUpdate of cached collateral, epoch seconds").baseUnit("seconds").register(registry);
    }

    /** A collateral number of the current core; {@code none} before {@code /init} or when the core verifies without a source. */
    private static double collateral(Supplier<EnclaveRuntime> core, ToDoubleFunction<org.sesemi.attestation.collateral.CollateralStats> f,
            double none) {
        EnclaveRuntime c = core.get();
        return c == null ? none : c.collateralStats().map(f::applyAsDouble).orElse(none);
    }

    private void counter(String name, String help, Supplier<EnclaveRuntime> core, ToDoubleFunction<EnclaveRuntime.Stats> f) {
        FunctionCounter.builder(name, core, c -> read(c, f, 0)).description(help).register(registry);
    }

    private void gauge(String name, String unit, String help, Supplier<EnclaveRuntime> core, ToDoubleFunction<EnclaveRuntime.Stats> f) {
        Gauge.builder(name, core, c -> read(c, f, Double.NaN)).description(help).baseUnit(unit).register(registry);
    }

    private static double read(Supplier<EnclaveRuntime> core, ToDoubleFunction<EnclaveRuntime.Stats> f, double none) {
        EnclaveRuntime c = core.get();
        return c == null ? none : f.applyAsDouble(c.stats());
    }

    /** One envelope the core answered, with its time from receipt to answer. */
    void served(Outcome o, long nanos) {
        String outcome = switch (o) {
            case Outcome.Sealed s -> "sealed";
            case Outcome.Rejected r -> r.code().wire();
        };
        Timer.builder("sesemi.runtime.requests")
                .description("Inference envelopes answered, by outcome (sealed, or the rejection code)")
                .tag("outcome", outcome)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                .register(registry)
                .record(Duration.ofNanos(nanos));
        if (o instanceof Outcome.Rejected r && r.code() == org.sesemi.runtime.core.ErrorCode.DENIED) {
            Counter.builder("sesemi.runtime.key.denials").description("Key releases the KeyService refused, by reason code")
                    .tag("reason", boundedReason(r.reason())).register(registry).increment();
        }
    }

    /**
     * A denial's reason is a stable code from a closed set (the KeyService denials {@code KeyServiceKeySource} passes
     * on); anything that does not look like such a code is folded, so the label stays bounded whatever a key source says.
     */
    private static String boundedReason(String reason) {
        return reason != null && reason.matches("[a-z_]{1,32}") ? reason : "other";
    }

    /** The Prometheus text exposition. */
    String scrape() {
        return registry.scrape();
    }
}
