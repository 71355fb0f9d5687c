package org.sesemi.keyservice;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.protocol.keyservice.ErrorReason;

/** The served OpenAPI document describes exactly the routes, methods and reason codes the server has. */
class OpenApiDocumentTest {
    @TempDir Path dir;

    @Test
    void documentMatchesTheServer() throws Exception {
        try (KsFixture ks = new KsFixture(dir); RawHttp anon = RawHttp.anonymous(ks)) {
            var r = anon.get("/v1/openapi.json");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
            JsonNode doc = new ObjectMapper().readTree(r.body());
            assertThat(doc.path("openapi").asText()).startsWith("3.1");
            Set<String> documented = new TreeSet<>();
            doc.path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames()
                    .forEachRemaining(m -> documented.add(m.toUpperCase() + " " + p.getKey())));
            assertThat(documented).containsExactlyInAnyOrder(
                    "GET /health", "GET /metrics", "GET /v1/openapi.json", "POST /v1/register", "POST /v1/release", "GET /v1/audit",
                    "PUT /v1/models/{owner}/{name}/key", "DELETE /v1/models/{owner}/{name}/key/{version}",
                    "GET /v1/models/{owner}/{name}/grants",
                    "PUT /v1/models/{owner}/{name}/grants/{user}/{measurement}",
                    "DELETE /v1/models/{owner}/{name}/grants/{user}/{measurement}",
                    "PUT /v1/models/{owner}/{name}/request-keys/{measurement}",
                    "DELETE /v1/models/{owner}/{name}/request-keys/{measurement}");
            List<String> reasons = new ArrayList<>();
            doc.at("/components/schemas/Error/properties/error/properties/reason/enum").forEach(n -> reasons.add(n.asText()));
            assertThat(reasons).containsExactlyInAnyOrderElementsOf(
                    java.util.Arrays.stream(ErrorReason.values()).map(ErrorReason::code).toList());
            // Every documented route exists on the server (no 404 for any of them, whatever else the answer is).
            String owner = "a".repeat(64);
            for (String route : documented) {
                String[] mp = route.split(" ", 2);
                String path = mp[1].replace("{owner}", owner).replace("{name}", "m").replace("{user}", owner)
                        .replace("{measurement}", "sgx:" + "b".repeat(64)).replace("{version}", "1");
                var resp = anon.send(mp[0], path, null, null);
                assertThat(resp.reason()).as(route).isNotEqualTo("not_found");
            }
        }
    }
}
