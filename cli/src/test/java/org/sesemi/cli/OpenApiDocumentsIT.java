package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.tags.Tag;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.packer.gateway.GatewayConfig;
import org.sesemi.packer.gateway.PackerGateway;
import org.sesemi.packer.sim.CostModel;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.host.HostConfig;
import org.sesemi.runtime.host.RuntimeServer;

/**
 * The OpenAPI documents the KeyService, the runtime (both protocols) and the gateway serve: each parses with
 * swagger-parser without a message, passes the lint rules below, describes exactly the routes its server serves, and
 * none of its routes is a 404 on the real server (while an undocumented path is).
 */
class OpenApiDocumentsIT {
    static {
        BenchCommand.longServerDeadlines(); // as MetricsEndpointsIT: whichever IT starts the first server fixes them
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void everyServerDescribesWhatItServes() throws Exception {
        try (LocalStack stack = LocalStack.start("sesemi-openapi-it-", 1024, false)) {
            // dedicated: no function is created before the first request, so nothing starts on the platform.
            GatewayConfig config = GatewayConfig.builder().group("openapi")
                    .function(OpenWhiskClient.BlackboxAction.of(PlatformCommand.SEMIRT_IMAGE).withInitParameters(stack.initParameters(Map.of())))
                    .policy("dedicated", CostModel.defaults().policyConfig(1)).maxModels(4).build();
            try (PackerGateway gateway = PackerGateway.start(config, stack.platformClient);
                    RuntimeServer openWhisk = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), EnclaveRuntime::fromSettings,
                            Map.of(), System.out, System.err);
                    RuntimeServer knative = RuntimeServer.start(HostConfig.knative().bind("127.0.0.1").port(0).build(),
                            EnclaveRuntime.fromSettings(stack.initParameters(Map.of())))) {
                URI gw = gateway.uri();
                OpenAPI g = parse(get(gw.resolve("/v1/openapi.json")));
                assertThat(routes(g)).containsExactlyInAnyOrder("POST /v1/invoke", "GET /v1/stats", "GET /health", "GET /metrics",
                        "GET /v1/openapi.json");
                probe(gw, g, Set.of());

                URI ow = URI.create("http://127.0.0.1:" + openWhisk.port());
                URI kn = URI.create("http://127.0.0.1:" + knative.port());
                OpenAPI r = parse(get(ow.resolve("/openapi.json")));
                assertThat(get(kn.resolve("/openapi.json"))).isEqualTo(get(ow.resolve("/openapi.json")));
                assertThat(routes(r)).containsExactlyInAnyOrder("POST /init", "POST /run", "GET /", "POST /", "GET /health",
                        "GET /metrics", "GET /openapi.json");
                // Each process serves one protocol: the OpenWhisk routes on one, the Knative ones on the other.
                probe(ow, r, Set.of("GET /", "POST /"));
                probe(kn, r, Set.of("POST /init", "POST /run"));

                OpenAPI k = parse(getKeyService(stack, "/v1/openapi.json"));
                assertThat(routes(k)).hasSize(13).contains("POST /v1/release", "GET /metrics", "DELETE /v1/models/{owner}/{name}/key/{version}");
            }
        }
    }

    /** swagger-parser's own validation, then lint rules: servers, contact, tags, operation ids, summaries, 2xx answers. */
    private static OpenAPI parse(String json) {
        ParseOptions o = new ParseOptions();
        o.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(json, null, o);
        assertThat(result.getMessages()).as("swagger-parser messages").isEmpty();
        OpenAPI api = result.getOpenAPI();
        assertThat(api).isNotNull();
        assertThat(api.getOpenapi()).startsWith("3.1");
        assertThat(api.getServers()).as("servers").isNotEmpty();
        assertThat(api.getInfo().getDescription()).isNotBlank();
        assertThat(api.getInfo().getContact()).as("info.contact").isNotNull();
        Set<String> tags = new HashSet<>();
        for (Tag t : api.getTags()) {
            assertThat(t.getDescription()).as("tag " + t.getName()).isNotBlank();
            tags.add(t.getName());
        }
        Set<String> ids = new HashSet<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            String where = method + " " + path;
            assertThat(op.getOperationId()).as(where + " operationId").isNotBlank();
            assertThat(ids.add(op.getOperationId())).as(where + " operationId unique").isTrue();
            assertThat(op.getTags()).as(where + " tags").isNotEmpty();
            assertThat(tags).as(where + " tags are declared").containsAll(op.getTags());
            assertThat(op.getSummary()).as(where + " summary").isNotBlank();
            assertThat(op.getDescription()).as(where + " description").isNotBlank();
            assertThat(op.getResponses().keySet()).as(where + " has a success answer").anyMatch(c -> c.startsWith("2"));
        }));
        return api;
    }

    private static Set<String> routes(OpenAPI api) {
        Set<String> out = new TreeSet<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().keySet().forEach(m -> out.add(m + " " + path)));
        return out;
    }

    /** Every documented route but {@code elsewhere} exists on the server (any answer but 404); an undocumented one is 404. */
    private static void probe(URI base, OpenAPI api, Set<String> elsewhere) throws Exception {
        for (Map.Entry<String, PathItem> e : api.getPaths().entrySet()) {
            for (Map.Entry<PathItem.HttpMethod, Operation> op : e.getValue().readOperationsMap().entrySet()) {
                String route = op.getKey() + " " + e.getKey();
                if (elsewhere.contains(route)) {
                    continue;
                }
                int status = send(base.resolve(e.getKey()), op.getKey().name());
                assertThat(status).as(base + " " + route).isNotEqualTo(404);
            }
        }
        assertThat(send(base.resolve("/no-such-route"), "POST")).as("an undocumented route").isEqualTo(404);
    }

    private static int send(URI uri, String method) throws Exception {
        HttpRequest.BodyPublisher body = method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}");
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).method(method, body).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String get(URI uri) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(uri.toString()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        return r.body();
    }

    private static String getKeyService(LocalStack stack, String path) throws Exception {
        VerificationPolicy policy = VerificationPolicy.simulated(SimulatedTee.open(stack.teeDir, "keyservice")).toBuilder()
                .expectMeasurement(stack.ks.measurement()).build();
        SSLParameters p = new SSLParameters();
        p.setProtocols(new String[] {"TLSv1.3"});
        HttpClient tls = HttpClient.newBuilder().sslContext(RaTls.sslContext(null, RaTls.serverTrust(policy))).sslParameters(p)
                .version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = tls.send(HttpRequest.newBuilder(stack.ks.uri().resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }
}
