package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLParameters;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.hawkular.agent.prometheus.types.MetricType;
import org.junit.jupiter.api.Test;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.crypto.RequestKey;
import org.sesemi.packer.gateway.GatewayConfig;
import org.sesemi.packer.gateway.PackerGateway;
import org.sesemi.packer.sim.CostModel;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.host.HostConfig;
import org.sesemi.runtime.host.RuntimeServer;

/**
 * Every server's {@code GET /metrics} (KeyService, runtime, platform, gateway), after real traffic on loopback (a user's
 * requests, a stranger's refused one, a container cold start), parsed by an independent exposition-format parser
 * (Hawkular's Prometheus text parser) and checked against Prometheus naming conventions; no id, key or request
 * detail appears in any of them.
 */
class MetricsEndpointsIT {
    static {
        // A container cold start on a loaded 2-core machine can take longer than the servers' default request and
        // response deadlines (30 s), which the JDK applies to every server of the process and, for a request with a
        // body, until its answer is written. This test times nothing.
        BenchCommand.longServerDeadlines();
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Set<String> LABELS = Set.of("route", "method", "status", "outcome", "reason", "state", "kind", "start", "le",
            "area", "id", "quantile");

    @Test
    void everyServerExposesParseableMetricsWithoutSecrets() throws Exception {
        try (LocalStack stack = LocalStack.start("sesemi-metrics-it-", 2048, false)) {
            GatewayConfig config = GatewayConfig.builder().group("metrics")
                    .function(OpenWhiskClient.BlackboxAction.of(PlatformCommand.SEMIRT_IMAGE).withMemoryMb(512).withConcurrency(4)
                            .withInitParameters(stack.initParameters(Map.of())))
                    .policy("affinity", CostModel.builder().capacity(4).cacheSlots(2).build().policyConfig(1)).maxModels(4).build();
            try (PackerGateway gateway = PackerGateway.start(config, stack.platformClient);
                    RuntimeServer runtime = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), EnclaveRuntime::fromSettings,
                            Map.of(), System.out, System.err)) {
                // Before /init the runtime already answers /metrics (cache numbers are NaN/0 then).
                assertThat(scrape(URI.create("http://127.0.0.1:" + runtime.port() + "/metrics"))).isNotEmpty();
                init(runtime.port(), stack.initParameters(Map.of()));
                URI invoke = gateway.uri().resolve("/v1/invoke");
                InferenceClient viaGateway = new InferenceClient(invoke, InferenceClient.Protocol.ENVELOPE, stack.user.id(), stack.model,
                        stack.requestKey);
                int gatewayCalls = 1;
                try {
                    viaGateway.infer(stack.sentence("where is my parcel"), true);
                } catch (RuntimeRejectedException e) {
                    // On a heavily loaded machine the cold start can outlast the gateway's 60 s blocking invoke (504);
                    // the container keeps starting, so the second request is served. This test times nothing.
                    assertThat(e.code()).as(e.getMessage()).isEqualTo("timeout");
                    gatewayCalls++;
                    viaGateway.infer(stack.sentence("where is my parcel"), true);
                }
                InferenceClient direct = new InferenceClient(URI.create("http://127.0.0.1:" + runtime.port() + "/run"),
                        InferenceClient.Protocol.OPENWHISK_RUN, stack.user.id(), stack.model, stack.requestKey);
                direct.infer(stack.sentence("where is my parcel"), true);
                direct.infer(stack.sentence("where is my parcel"), true);
                InferenceClient stranger = new InferenceClient(URI.create("http://127.0.0.1:" + runtime.port() + "/run"),
                        InferenceClient.Protocol.OPENWHISK_RUN, stack.stranger.id(), stack.model, RequestKey.generate());
                assertThatThrownBy(() -> stranger.infer(stack.sentence("x"), true)).isInstanceOf(RuntimeRejectedException.class);

                System.gc(); // gauges must survive it (Micrometer holds their sources weakly)
                List<String> forbidden = List.of(stack.user.id().hex(), stack.stranger.id().hex(), stack.owner.id().hex(),
                        stack.model.name(), HexFormat.of().formatHex(stack.requestKey.exportSecret()));

                Map<String, MetricFamily> rt = check("runtime", scrape(URI.create("http://127.0.0.1:" + runtime.port() + "/metrics")), forbidden);
                assertThat(histogramCount(rt.get("sesemi_runtime_requests_seconds"), "outcome", "sealed")).isEqualTo(2);
                assertThat(histogramCount(rt.get("sesemi_runtime_requests_seconds"), "outcome", "denied")).isEqualTo(1);
                assertThat(counter(rt.get("sesemi_runtime_model_loads_total"))).isEqualTo(1);
                assertThat(counter(rt.get("sesemi_runtime_key_fetches_total"))).isGreaterThanOrEqualTo(1);
                assertThat(counter(rt.get("sesemi_runtime_key_denials_total"))).isEqualTo(1);
                assertThat(rt).containsKeys("sesemi_runtime_model_cache_bytes", "sesemi_runtime_queue_depth",
                        "sesemi_runtime_model_evictions_total");

                Map<String, MetricFamily> gw = check("gateway", scrape(gateway.uri().resolve("/metrics")), forbidden);
                assertThat(histogramCount(gw.get("sesemi_gateway_requests_seconds"), "route", "/v1/invoke")).isEqualTo(gatewayCalls);
                assertThat(counter(gw.get("sesemi_gateway_policy_routed_total"))).isEqualTo(gatewayCalls);
                assertThat(gw).containsKeys("sesemi_gateway_queue_depth", "sesemi_gateway_functions");

                Map<String, MetricFamily> pf = check("platform", scrape(stack.platform.apiHost().resolve("/metrics")), forbidden);
                assertThat(counterWith(pf.get("sesemi_platform_container_starts_total"), "kind", "cold")).isBetween(1.0, (double) gatewayCalls);
                assertThat(histogramCount(pf.get("sesemi_platform_activations_seconds"), "status", "success")).isBetween(1L, (long) gatewayCalls);
                assertThat(pf).containsKeys("sesemi_platform_containers", "sesemi_platform_queue_depth",
                        "sesemi_platform_api_requests_seconds", "sesemi_platform_container_init_seconds");

                Map<String, MetricFamily> ks = check("keyservice", scrapeKeyService(stack), forbidden);
                assertThat(ks).containsKeys("keyservice_releases_total", "keyservice_requests_seconds");
                assertThat(counter(ks.get("keyservice_release_denials_total"))).isGreaterThanOrEqualTo(1);
            }
        }
    }

    /** Parses with the independent parser, checks naming and label conventions, and returns the families by name. */
    static Map<String, MetricFamily> check(String server, String text, List<String> forbidden) throws Exception {
        for (String f : forbidden) {
            assertThat(text).as(server + " exposes an id or key").doesNotContain(f);
        }
        Map<String, MetricFamily> byName = new HashMap<>();
        TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        MetricFamily f;
        while ((f = parser.parse()) != null) {
            assertThat(byName.put(f.getName(), f)).as(server + ": family " + f.getName() + " appears twice").isNull();
            assertThat(f.getName()).as(server).matches("[a-zA-Z_:][a-zA-Z0-9_:]*");
            assertThat(f.getHelp()).as(server + ": HELP of " + f.getName()).isNotBlank();
            if (f.getType() == MetricType.COUNTER) {
                assertThat(f.getName()).as(server + ": counters end in _total").endsWith("_total");
            }
            if (f.getType() == MetricType.HISTOGRAM) {
                assertThat(f.getName()).as(server + ": latency histograms are in seconds").endsWith("_seconds");
                for (Metric m : f.getMetrics()) {
                    Histogram h = (Histogram) m;
                    long last = 0;
                    for (Histogram.Bucket b : h.getBuckets()) {
                        assertThat(b.getCumulativeCount()).as(server + ": cumulative buckets of " + f.getName()).isGreaterThanOrEqualTo(last);
                        last = b.getCumulativeCount();
                    }
                    assertThat(h.getBuckets()).isNotEmpty();
                    assertThat(h.getBuckets().getLast().getUpperBound()).isInfinite();
                    assertThat(last).isEqualTo(h.getSampleCount());
                }
            }
            for (Metric m : f.getMetrics()) {
                assertThat(LABELS).as(server + ": labels of " + f.getName()).containsAll(m.getLabels().keySet());
                m.getLabels().values().forEach(v -> assertThat(v.length()).as(server + ": label value length (templates, codes)").isLessThan(64));
            }
        }
        assertThat(byName).as(server + " exposes metrics").isNotEmpty();
        return byName;
    }

    private static long histogramCount(MetricFamily f, String label, String value) {
        assertThat(f).isNotNull();
        return f.getMetrics().stream().filter(m -> value.equals(m.getLabels().get(label))).mapToLong(m -> ((Histogram) m).getSampleCount()).sum();
    }

    private static double counter(MetricFamily f) {
        assertThat(f).isNotNull();
        return f.getMetrics().stream().mapToDouble(m -> ((Counter) m).getValue()).sum();
    }

    private static double counterWith(MetricFamily f, String label, String value) {
        assertThat(f).isNotNull();
        return f.getMetrics().stream().filter(m -> value.equals(m.getLabels().get(label))).mapToDouble(m -> ((Counter) m).getValue()).sum();
    }

    private static String scrape(URI uri) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(uri.toString()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).as(uri.toString()).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return r.body();
    }

    /** The KeyService's /metrics over attested TLS (no client certificate needed for it). */
    private static String scrapeKeyService(LocalStack stack) throws Exception {
        VerificationPolicy policy = VerificationPolicy.simulated(SimulatedTee.open(stack.teeDir, "keyservice")).toBuilder()
                .expectMeasurement(stack.ks.measurement()).build();
        SSLParameters p = new SSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        HttpClient tls = HttpClient.newBuilder().sslContext(RaTls.sslContext(null, RaTls.serverTrust(policy))).sslParameters(p)
                .version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = tls.send(HttpRequest.newBuilder(stack.ks.uri().resolve("/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static void init(int port, Map<String, String> env) throws Exception {
        String body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("value", Map.of("name", "direct", "env", env)));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/init"))
                .timeout(Duration.ofMinutes(1)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }
}
