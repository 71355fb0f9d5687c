package org.sesemi.platform;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.ToDoubleFunction;
import org.sesemi.http.RequestObserver;
import org.sesemi.http.Response;
import org.sesemi.platform.invoker.ActivationOutcome;
import org.sesemi.platform.invoker.ContainerPool;
import org.sesemi.platform.invoker.Invocation;
import org.sesemi.platform.invoker.Invoker;
import org.sesemi.platform.invoker.PoolStats;

/**
 * The embedded platform's Prometheus metrics, set up as the KeyService's: one registry per server, scraped as text at
 * {@code GET /metrics} (no API key needed, like OpenWhisk's own {@code /ping}; it shows counts only).
 *
 * <p>Labels are bounded: {@code route} is a route template ({@code /api/v1/namespaces/{ns}/actions/{name}}, ...;
 * {@code unmatched} when none matched), {@code method}
 * and {@code status} the HTTP ones, {@code status} of an activation its OpenWhisk status name and {@code start} how
 * its container was obtained. No namespace, action name, activation id or parameter is ever a label.
 */
final class PlatformMetrics {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final List<String> STATUS = List.of("success", "application_error", "developer_error", "internal_error");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    PlatformMetrics(Invoker invoker) {
        new UptimeMetrics().bindTo(registry);
        if (invoker instanceof ContainerPool pool) {
            gauge("sesemi.platform.containers", "Action containers by state", pool, "starting", PoolStats::starting);
            gauge("sesemi.platform.containers", "Action containers by state", pool, "busy", PoolStats::busy);
            gauge("sesemi.platform.containers", "Action containers by state", pool, "idle", PoolStats::idle);
            gauge("sesemi.platform.containers", "Action containers by state", pool, "prewarmed", PoolStats::prewarmed);
            gauge("sesemi.platform.containers", "Action containers by state", pool, "prewarm_starting", PoolStats::prewarmStarting);
            Gauge.builder("sesemi.platform.queue.depth", pool, p -> p.stats().queued())
                    .description("Activations waiting for container memory").register(registry);
            Gauge.builder("sesemi.platform.memory.in.use", pool, p -> p.stats().memoryInUseMb() * 1024.0 * 1024.0)
                    .description("Memory charged to action containers").baseUnit("bytes").register(registry);
            Gauge.builder("sesemi.platform.memory.capacity", pool, p -> p.stats().capacityMb() * 1024.0 * 1024.0)
                    .description("Memory the invoker may charge to action containers").baseUnit("bytes").register(registry);
            starts(pool, "cold", PoolStats::coldStarts);
            starts(pool, "warm", PoolStats::warmStarts);
            starts(pool, "prewarmed", PoolStats::prewarmStarts);
        }
    }

    private void gauge(String name, String help, ContainerPool pool, String state, ToDoubleFunction<PoolStats> f) {
        Gauge.builder(name, pool, p -> f.applyAsDouble(p.stats())).description(help).tag("state", state).register(registry);
    }

    private void starts(ContainerPool pool, String kind, ToDoubleFunction<PoolStats> f) {
        FunctionCounter.builder("sesemi.platform.container.starts", pool, p -> f.applyAsDouble(p.stats()))
                .description("Activations by how their container was obtained (cold start, warm reuse, prewarmed stem cell)")
                .tag("kind", kind).register(registry);
    }

    /** The invoker with each activation's outcome and duration counted. */
    Invoker meter(Invoker invoker) {
        return new Invoker() {
            @Override
            public CompletableFuture<ActivationOutcome> invoke(Invocation invocation) {
                return invoker.invoke(invocation).whenComplete((o, failure) -> {
                    if (o != null) {
                        activation(o);
                    } else {
                        Counter.builder("sesemi.platform.invoker.failures").description("Activations the invoker failed to run")
                                .register(registry).increment();
                    }
                });
            }

            @Override
            public void close() {
                invoker.close();
            }
        };
    }

    private void activation(ActivationOutcome o) {
        String status = o.statusCode() >= 0 && o.statusCode() < STATUS.size() ? STATUS.get(o.statusCode()) : "other";
        String start = switch (o.containerState()) {
            case "warm", "prewarmed", "cold" -> o.containerState();
            default -> "none";
        };
        Timer.builder("sesemi.platform.activations")
                .description("Activations by status and container start (init + run)")
                .tag("status", status).tag("start", start)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry)
                .record(Duration.ofMillis(Math.max(0, o.end() - o.start())));
        o.initTimeMs().ifPresent(ms -> Timer.builder("sesemi.platform.container.init")
                .description("Time in /init of cold and prewarmed starts")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry).record(Duration.ofMillis(ms)));
    }

    /** Every API request counted and timed by route template, method and status (the HTTP layer's metrics hook). */
    RequestObserver requests() {
        return (method, route, status, nanos, bytesIn, bytesOut) -> Timer.builder("sesemi.platform.api.requests")
                .description("REST API requests by route template, method and status")
                .tag("route", route).tag("method", method)
                .tag("status", status < 0 ? "none" : Integer.toString(status))
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    /** {@code GET /metrics}: the registry in Prometheus' text format. */
    Response scrape() {
        return Response.text(200, CONTENT_TYPE, registry.scrape());
    }
}
