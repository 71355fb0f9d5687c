package org.sesemi.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.runtime.core.CoreConfig;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/**
 * Bad {@code /run} bodies the platform lets through (parameters nested as deep as it accepts, or deeper) are answered
 * as OpenWhisk application errors, 200 with an {@code error} object, so the container is kept: a non-200 answer is a
 * developer error and OpenWhisk (and the embedded platform) destroy the container, its caches with it.
 */
class RunBodyLimitsTest {
    @TempDir Path dir;
    Fixture f;
    RuntimeServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void setUp() throws Exception {
        f = new Fixture(dir, CoreConfig.defaults());
        f.addModel("affine", TestModels.affine(1, 0));
        server = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), f.core);
        assertThat(post("/init", "{}").statusCode()).isEqualTo(200);
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    @Test
    void parametersNestedAsDeepAsThePlatformAcceptsAreAnApplicationError() throws Exception {
        // The platform accepts parameters MAX_PARAMETER_DEPTH deep and sends them as {"value": ...}.
        String params = "{\"x\":" + nested(RuntimeServer.MAX_PARAMETER_DEPTH - 1) + "}";
        HttpResponse<String> r = post("/run", "{\"value\":" + params + "}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode e = new ObjectMapper().readTree(r.body()).path("error");
        assertThat(e.path("code").asText()).isEqualTo("malformed");
    }

    @Test
    void deeperBodiesFromAnotherPlatformAreAnApplicationErrorToo() throws Exception {
        HttpResponse<String> r = post("/run", "{\"value\":{\"x\":" + nested(5_000) + "}}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"code\":\"malformed\"").contains("nested deeper than");
        // and the runtime still serves
        assertThat(post("/run", "{\"value\":{}}").statusCode()).isEqualTo(200);
    }
}
