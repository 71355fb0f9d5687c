package org.sesemi.platform.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.platform.api.PlatformFixture.Resp;

/** Info documents, authentication, authorisation, the error shape, routing errors and headers, on the wire. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApiBasicsTest {
    @TempDir
    static Path dir;

    PlatformFixture p;

    @BeforeAll
    void start() {
        p = PlatformFixture.start(dir, c -> c);
    }

    @AfterAll
    void stop() {
        p.close();
    }

    @Test
    void rootInfoNeedsNoAuthAndDescribesLimits() {
        Resp r = p.call("GET", "/", null, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.json().get("description").asText()).isEqualTo("OpenWhisk");
        assertThat(r.json().get("api_paths").get(0).asText()).isEqualTo("/api/v1");
        assertThat(r.json().at("/limits/max_action_memory").asLong()).isEqualTo(4096L << 20);
        assertThat(r.json().at("/limits/concurrent_actions").asInt()).isEqualTo(500);
        assertThat(r.json().at("/runtimes/blackbox/0/kind").asText()).isEqualTo("blackbox");
    }

    @Test
    void apiInfo() {
        for (String path : new String[] {"/api/v1", "/api/v1/"}) {
            Resp r = p.call("GET", path, null, null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("description").asText()).isEqualTo("OpenWhisk API");
            assertThat(r.json().get("api_version_path").asText()).isEqualTo("v1");
        }
    }

    @Test
    void namespacesListsTheCallersOwn() {
        assertThat(p.call("GET", "/api/v1/namespaces", null).json().toString()).isEqualTo("[\"guest\"]");
        assertThat(p.call("GET", "/api/v1/namespaces", null, PlatformFixture.SYSTEM).json().toString()).isEqualTo("[\"whisk.system\"]");
    }

    @Test
    void missingAuthIs401WithTheErrorShape() {
        Resp r = p.call("GET", "/api/v1/namespaces/_/actions", null, null, "X-Request-ID", "tx-401");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.error()).isEqualTo("The resource requires authentication, which was not supplied with the request");
        assertThat(r.json().get("code").asText()).isEqualTo("tx-401");
        assertThat(r.header("WWW-Authenticate")).startsWith("Basic");
    }

    @Test
    void wrongKeyUnknownUuidAndGarbageAre401WithoutEchoingTheKey() {
        String wrongKey = PlatformFixture.GUEST.substring(0, PlatformFixture.GUEST.length() - 1) + "X";
        for (String header : new String[] {PlatformFixture.basic(wrongKey), PlatformFixture.basic("nobody:secret"),
                PlatformFixture.basic("no-colon"), "Basic !!!not-base64!!!", "Bearer abc", "Basic"}) {
            Resp r = p.send(java.net.http.HttpRequest.newBuilder(p.base.resolve("/api/v1/namespaces/_/actions"))
                    .header("Authorization", header).GET().build());
            assertThat(r.status()).as(header).isEqualTo(401);
            assertThat(r.body()).doesNotContain("secret").doesNotContain(wrongKey.substring(37));
        }
    }

    @Test
    void anotherSubjectsNamespaceIs403() {
        Resp r = p.call("GET", "/api/v1/namespaces/whisk.system/actions", null);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.error()).isEqualTo("The supplied authentication is not authorized to access this resource.");
        assertThat(p.call("GET", "/api/v1/namespaces/guest/actions", null).status()).isEqualTo(200);
        assertThat(p.call("POST", "/api/v1/namespaces/whisk.system/actions/x", "{}").status()).isEqualTo(403);
        assertThat(p.call("GET", "/api/v1/namespaces/whisk.system/activations", null).status()).isEqualTo(403);
    }

    @Test
    void unknownPathsAre404WithTheErrorShape() {
        for (String path : new String[] {"/nope", "/api/v2", "/api/v1/other", "/api/v1/namespaces/_", "/api/v1/namespaces/_/things",
                "/api/v1/namespaces/_/actions/a/b/c", "/api/v1/namespaces/_/activations/x/y/z", "/sesemi/v1/other"}) {
            Resp r = p.call("GET", path, null);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.error()).isEqualTo("The requested resource does not exist.");
            assertThat(r.json().get("code").asText()).isNotBlank().isEqualTo(r.header("X-Request-ID"));
        }
    }

    @Test
    void wrongMethodsAre405WithAllow() {
        Resp r = p.call("POST", "/api/v1/namespaces/_/actions", "{}");
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("Allow")).isEqualTo("GET");
        assertThat(r.error()).startsWith("HTTP method not allowed");
        assertThat(p.call("PATCH", "/api/v1/namespaces/_/actions/x", "{}").header("Allow")).isEqualTo("GET, PUT, DELETE, POST");
        assertThat(p.call("DELETE", "/api/v1/namespaces/_/activations", null).status()).isEqualTo(405);
        assertThat(p.call("PUT", "/", "{}").status()).isEqualTo(405);
        assertThat(p.call("POST", "/sesemi/v1/billing", "{}").status()).isEqualTo(405);
    }

    @Test
    void corsAndPreflight() {
        assertThat(p.call("GET", "/", null, null).header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(p.call("GET", "/nope", null).header("Access-Control-Allow-Origin")).isEqualTo("*");
        Resp pre = p.call("OPTIONS", "/api/v1/namespaces/_/actions/x", null, null);
        assertThat(pre.status()).isEqualTo(200);
        assertThat(pre.header("Access-Control-Allow-Methods")).contains("PUT");
        assertThat(pre.header("Access-Control-Allow-Headers")).contains("Authorization");
    }

    @Test
    void transactionIdIsSanitisedAndBoundedOrGenerated() {
        Resp given = p.call("GET", "/nope", null, null, "X-Request-ID", "abc<script>\"def" + "x".repeat(500));
        String tx = given.json().get("code").asText();
        assertThat(tx).startsWith("abcscriptdef").hasSize(64).matches("[A-Za-z0-9._-]+");
        assertThat(given.header("X-Request-ID")).isEqualTo(tx);
        Resp generated = p.call("GET", "/nope", null, null);
        assertThat(generated.json().get("code").asText()).matches("[A-Za-z0-9]{32}");
        assertThat(p.call("GET", "/nope", null, null, "X-Request-ID", "<>").json().get("code").asText()).matches("[A-Za-z0-9]{32}");
    }

    @Test
    void emptyCollectionsAndLimits() {
        assertThat(p.call("GET", "/api/v1/namespaces/_/packages", null).json().toString()).isEqualTo("[]");
        assertThat(p.call("GET", "/api/v1/namespaces/_/rules", null).json().toString()).isEqualTo("[]");
        assertThat(p.call("GET", "/api/v1/namespaces/_/triggers", null).json().toString()).isEqualTo("[]");
        Resp limits = p.call("GET", "/api/v1/namespaces/_/limits", null);
        assertThat(limits.json().get("invocationsPerMinute").asInt()).isEqualTo(12_000);
        assertThat(limits.json().get("concurrentInvocations").asInt()).isEqualTo(500);
    }

    @Test
    void badQueryStringsAre400() {
        // a URI that is not even syntactically valid is refused by the JDK server before routing (still 400)
        assertThat(p.raw("GET /api/v1/namespaces/_/actions?limit=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", false))
                .startsWith("HTTP/1.1 400");
        for (String target : new String[] {"/api/v1/namespaces/_/actions/%C3%28", "/api/v1/namespaces/_/actions/a%2Fb",
                "/api/v1/namespaces/_/actions?x=" + "a".repeat(9000), "/api/v1/namespaces/_/actions?limit=ten"}) {
            String answer = p.raw("GET " + target + " HTTP/1.1\r\nHost: x\r\n" + p.authHeader() + "Connection: close\r\n\r\n", false);
            assertThat(answer).as(target).startsWith("HTTP/1.1 400").contains("\"error\"").contains("\"code\"");
        }
    }
}
