package org.sesemi.runtime.insecure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.floatsOf;
import static org.sesemi.runtime.testing.Fixture.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.runtime.store.DirectoryModelStore;
import org.sesemi.runtime.testing.TestModels;

/**
 * The INSECURE plaintext baseline over a real socket: {@code /init} with a directory store, {@code /run} with an OIP
 * request answered by the real engine, every answer and the process's first stderr line marked INSECURE, sentinels
 * after each run, and clear errors for a missing setting, a second init and a request before init.
 */
class InsecurePlainFunctionTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final float[] X = {1, 2, 3, 4, -1, 0.5f, 0, 2};
    @TempDir Path dir;
    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesAPlaintextModelFromTheStoreAndSaysItIsInsecure() throws Exception {
        ModelId model = new ModelId(PrincipalIdentity.generate().id(), "affine-plain");
        Path file = Files.write(dir.resolve("m.onnx"), TestModels.affine(3, 0));
        new DirectoryModelStore(Files.createDirectories(dir.resolve("store"))).put(model, file);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try (InsecurePlainFunction f = InsecurePlainFunction.start(new InetSocketAddress("127.0.0.1", 0), new PrintStream(out, true),
                new PrintStream(err, true))) {
            assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("INSECURE");
            byte[] oip = OipCodec.writeRequest(request(floats("x", X, 2, 4)), false);
            String run = "{\"value\":" + new String(oip, StandardCharsets.UTF_8) + "}";

            assertThat(post(f, "/run", run).statusCode()).isEqualTo(403); // not initialized
            HttpResponse<String> bad = post(f, "/init", init(Map.of(RuntimeSettings.MODEL_STORE, dir.resolve("store").toString())));
            assertThat(bad.statusCode()).isEqualTo(502);
            assertThat(bad.body()).contains(InsecurePlainFunction.PLAIN_MODEL, "required");

            assertThat(post(f, "/init", init(Map.of(RuntimeSettings.MODEL_STORE, dir.resolve("store").toString(),
                    InsecurePlainFunction.PLAIN_MODEL, model.toString()))).statusCode()).isEqualTo(200);
            assertThat(post(f, "/init", init(Map.of())).statusCode()).isEqualTo(403);

            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = post(f, "/run", run);
                assertThat(r.statusCode()).isEqualTo(200);
                JsonNode n = JSON.readTree(r.body());
                assertThat(n.path("insecure").asBoolean()).isTrue();
                assertThat(n.path("timing").path("cold").asBoolean()).isEqualTo(i == 0);
                var y = OipCodec.parseResponse(JSON.writeValueAsBytes(n.path("response"))).outputs().getFirst();
                assertThat(floatsOf(y)).containsExactly(TestModels.affineExpected(3, X, 2), Offset.offset(1e-5f));
            }
            HttpResponse<String> wrong = post(f, "/run", "{\"value\":{\"inputs\":[{\"name\":\"nope\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}}");
            assertThat(wrong.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(wrong.body()).path("error").asText()).contains("nope");
            assertThat(out.toString(StandardCharsets.UTF_8).split("XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX", -1)).hasSize(5); // 4 runs
        }
    }

    private static String init(Map<String, String> env) throws Exception {
        return JSON.writeValueAsString(Map.of("value", Map.of("env", env)));
    }

    private HttpResponse<String> post(InsecurePlainFunction f, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.port() + path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
