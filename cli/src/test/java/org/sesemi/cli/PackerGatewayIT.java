package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.RequestKey;
import org.sesemi.packer.gateway.GatewayConfig;
import org.sesemi.packer.gateway.PackerGateway;
import org.sesemi.packer.sim.CostModel;
import org.sesemi.runtime.core.RuntimeSettings;

/**
 * FnPacker's gateway end to end on loopback: a KeyService (simulated TEE), the embedded platform running real runtime
 * processes, three encrypted models (MiniLM published three times under different keys) packed onto a pool of two
 * functions by the {@code affinity} policy; the user's encrypted requests through the gateway decrypt to the same
 * embeddings whichever function served them, a stranger is refused by the runtime, and bad input is refused by the
 * gateway.
 */
class PackerGatewayIT {
    @Test
    void packsThreeModelsOntoTwoFunctions() throws Exception {
        try (LocalStack stack = LocalStack.start("sesemi-packer-it-", 2048, false)) {
            List<ModelId> models = List.of(stack.model, stack.publish("minilm-b"), stack.publish("minilm-c"));
            GatewayConfig config = GatewayConfig.builder().group("it")
                    .function(OpenWhiskClient.BlackboxAction.of(PlatformCommand.SEMIRT_IMAGE).withMemoryMb(512).withConcurrency(4)
                            .withInitParameters(stack.initParameters(Map.of(RuntimeSettings.TIMING, "true"))))
                    .policy("affinity", CostModel.builder().capacity(4).cacheSlots(4).build().policyConfig(2)).maxModels(16).build();
            try (PackerGateway gateway = PackerGateway.start(config, stack.platformClient)) {
                assertThat(gateway.functions()).containsExactly("fp-it-0", "fp-it-1");
                URI invoke = gateway.uri().resolve("/v1/invoke");
                List<float[]> embeddings = new ArrayList<>();
                for (int round = 0; round < 2; round++) {
                    for (ModelId m : models) {
                        InferenceClient c = new InferenceClient(invoke, InferenceClient.Protocol.ENVELOPE, stack.user.id(), m, stack.requestKey);
                        var out = c.infer(stack.sentence("Your card was charged for a purchase you did not make"), true)
                                .response().outputs().getFirst();
                        float[] v = new float[out.byteLength() / 4];
                        out.data().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                        embeddings.add(v);
                    }
                }
                for (float[] e : embeddings) {
                    assertThat(e).containsExactly(embeddings.getFirst()); // same weights, same sentence, any function
                }

                InferenceClient stranger = new InferenceClient(invoke, InferenceClient.Protocol.ENVELOPE, stack.stranger.id(), stack.model,
                        RequestKey.generate());
                assertThatThrownBy(() -> stranger.infer(stack.sentence("hello"), true)).isInstanceOfSatisfying(RuntimeRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo("no_grant"));

                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> bad = http.send(HttpRequest.newBuilder(invoke).POST(HttpRequest.BodyPublishers.ofString("{\"model\":1}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(bad.statusCode()).isEqualTo(400);
                assertThat(bad.body()).contains("malformed");
                HttpResponse<String> huge = http.send(HttpRequest.newBuilder(invoke).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[(1 << 20) + 1]))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(huge.statusCode()).isEqualTo(413);
                assertThat(huge.body()).contains("\"code\":\"too_large\"", "larger than 1048576 bytes");
                HttpResponse<String> get = http.send(HttpRequest.newBuilder(invoke).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(get.statusCode()).isEqualTo(405);
                assertThat(get.headers().firstValue("Allow")).hasValue("POST");
                assertThat(get.body()).contains("\"code\":\"method_not_allowed\"");
                HttpResponse<String> nowhere = http.send(HttpRequest.newBuilder(gateway.uri().resolve("/v1/nothing")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(nowhere.statusCode()).isEqualTo(404);
                assertThat(nowhere.body()).contains("\"code\":\"not_found\"");

                assertThat(gateway.stats().routed()).isEqualTo(7);
                assertThat(gateway.routes().values().stream().flatMap(m -> m.keySet().stream()).distinct().count()).isEqualTo(3);
                assertThat(gateway.stats().completed()).isEqualTo(7);
                int activations = 0;
                for (String fn : gateway.functions()) {
                    activations += stack.platformClient.listActivations(fn, 0, 100, OptionalLong.empty(), OptionalLong.empty(), false).size();
                }
                assertThat(activations).isEqualTo(7);
                HttpResponse<String> stats = http.send(HttpRequest.newBuilder(gateway.uri().resolve("/v1/stats")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(stats.body()).contains("\"policy\":\"affinity\"", "fp-it-0");
            }
        }
    }

    /**
     * A pool of one function that takes one request at a time: with {@code affinity} concurrent requests queue at the
     * gateway and are all served as completions free the function; with {@code paper} the request that finds the
     * function busy is refused at once ("All Busy"), as the prototype does, with the runtime's error shape.
     */
    @Test
    void queuesOrRefusesWhenThePoolIsBusy() throws Exception {
        try (LocalStack stack = LocalStack.start("sesemi-packer-busy-it-", 2048, false)) {
            ModelId other = stack.publish("minilm-other");
            for (String policy : List.of("affinity", "paper")) {
                GatewayConfig config = GatewayConfig.builder().group("busy-" + policy)
                        .function(OpenWhiskClient.BlackboxAction.of(PlatformCommand.SEMIRT_IMAGE).withMemoryMb(512).withConcurrency(1)
                                .withInitParameters(stack.initParameters(Map.of())))
                        .policy(policy, CostModel.builder().capacity(1).cacheSlots(2).build().policyConfig(1)
                                .toBuilder().queueTimeout(java.time.Duration.ofSeconds(60)).build()).maxModels(16).build();
                try (PackerGateway gateway = PackerGateway.start(config, stack.platformClient);
                        var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    URI invoke = gateway.uri().resolve("/v1/invoke");
                    List<java.util.concurrent.Future<String>> answers = new ArrayList<>();
                    for (ModelId m : List.of(stack.model, other, stack.model)) {
                        InferenceClient c = new InferenceClient(invoke, InferenceClient.Protocol.ENVELOPE, stack.user.id(), m, stack.requestKey);
                        answers.add(pool.submit(() -> {
                            try {
                                c.infer(stack.sentence("hello"), true);
                                return "served";
                            } catch (RuntimeRejectedException e) {
                                return e.code() + "/" + e.reason();
                            }
                        }));
                        Thread.sleep(50); // in this order; all arrive while the first one cold-starts the function
                    }
                    List<String> outcomes = new ArrayList<>();
                    for (var f : answers) {
                        outcomes.add(f.get());
                    }
                    if (policy.equals("affinity")) {
                        assertThat(outcomes).containsOnly("served");
                        assertThat(gateway.stats().queued()).isGreaterThanOrEqualTo(1);
                    } else {
                        assertThat(outcomes.getFirst()).isEqualTo("served");
                        assertThat(outcomes).contains("busy/all_busy");
                        assertThat(gateway.stats().rejected()).isGreaterThanOrEqualTo(1);
                    }
                }
            }
        }
    }

    /**
     * Model ids come from untrusted requests: the gateway tracks at most its configured number at once, forgetting the
     * least recently used idle one (under {@code dedicated} its function is reused) instead of refusing new models
     * until restart; with an auth token configured, {@code /v1/invoke}, {@code /v1/stats} and {@code /metrics} need it.
     */
    @Test
    void forgetsIdleModelsBeyondItsLimitAndRequiresTheTokenWhenConfigured() throws Exception {
        try (LocalStack stack = LocalStack.start("sesemi-packer-limit-it-", 2048, false)) {
            ModelId other = stack.publish("minilm-other");
            String token = "gateway-token-" + java.util.UUID.randomUUID();
            GatewayConfig config = GatewayConfig.builder().group("limit")
                    .function(OpenWhiskClient.BlackboxAction.of(PlatformCommand.SEMIRT_IMAGE).withMemoryMb(512).withConcurrency(2)
                            .withInitParameters(stack.initParameters(Map.of())))
                    .policy("dedicated", CostModel.builder().capacity(2).build().policyConfig(1)).maxModels(1)
                    .authToken(java.util.Optional.of(token)).build();
            try (PackerGateway gateway = PackerGateway.start(config, stack.platformClient)) {
                URI invoke = gateway.uri().resolve("/v1/invoke");
                InferenceClient noToken = new InferenceClient(invoke, InferenceClient.Protocol.ENVELOPE, stack.user.id(), stack.model,
                        stack.requestKey);
                assertThatThrownBy(() -> noToken.infer(stack.sentence("hello"), true)).isInstanceOfSatisfying(RuntimeRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo("unauthenticated"));
                assertThatThrownBy(() -> noToken.withBearerToken(token + "x").infer(stack.sentence("hello"), true))
                        .isInstanceOfSatisfying(RuntimeRejectedException.class, e -> assertThat(e.reason()).isEqualTo("unauthenticated"));
                noToken.withBearerToken(token).infer(stack.sentence("hello"), true);
                // The limit is one model: the idle one is forgotten and the new one served on the same function.
                new InferenceClient(invoke, InferenceClient.Protocol.ENVELOPE, stack.user.id(), other, stack.requestKey)
                        .withBearerToken(token).infer(stack.sentence("hello"), true);
                assertThat(gateway.functions()).hasSize(1);

                HttpClient http = HttpClient.newHttpClient();
                URI statsUri = gateway.uri().resolve("/v1/stats");
                HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(statsUri).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(anonymous.statusCode()).isEqualTo(401);
                assertThat(anonymous.body()).doesNotContain("fp-limit");
                HttpResponse<String> stats = http.send(HttpRequest.newBuilder(statsUri).header("Authorization", "Bearer " + token).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(stats.statusCode()).isEqualTo(200);
                assertThat(stats.body()).contains("\"modelsTracked\":1", "\"modelsForgotten\":1");
                assertThat(http.send(HttpRequest.newBuilder(gateway.uri().resolve("/health")).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                // /metrics names the traffic too: it needs the token as well.
                URI metricsUri = gateway.uri().resolve("/metrics");
                HttpResponse<String> anonymousMetrics = http.send(HttpRequest.newBuilder(metricsUri).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(anonymousMetrics.statusCode()).isEqualTo(401);
                assertThat(anonymousMetrics.body()).doesNotContain("sesemi_gateway");
                HttpResponse<String> wrongMetrics = http.send(HttpRequest.newBuilder(metricsUri).header("Authorization", "Bearer " + token + "x")
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(wrongMetrics.statusCode()).isEqualTo(401);
                HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(metricsUri).header("Authorization", "Bearer " + token).GET()
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);
                assertThat(metrics.body()).contains("sesemi_gateway_requests_seconds");
                assertThat(http.send(HttpRequest.newBuilder(gateway.uri().resolve("/v1/openapi.json")).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).as("the API description stays open").isEqualTo(200);
            }
        }
    }
}
