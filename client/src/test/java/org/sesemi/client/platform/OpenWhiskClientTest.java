package org.sesemi.client.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client's side of the wire: paths, names, auth header, bodies, and how statuses become results or errors. The
 * server here is a scripted loopback HTTP server; the client against the real platform is tested in module platform.
 */
class OpenWhiskClientTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:secret-key-value";
    HttpServer server;
    final List<String> seen = new CopyOnWriteArrayList<>();
    volatile int status = 200;
    volatile String answer = "{}";
    volatile String activationHeader;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            seen.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath() + (ex.getRequestURI().getRawQuery() == null ? ""
                    : "?" + ex.getRequestURI().getRawQuery()) + " auth=" + ex.getRequestHeaders().getFirst("Authorization") + " body="
                    + new String(body, StandardCharsets.UTF_8));
            if (activationHeader != null) {
                ex.getResponseHeaders().set("x-openwhisk-activation-id", activationHeader);
            }
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    OpenWhiskClient client(String ns) {
        return new OpenWhiskClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), KEY, ns);
    }

    @Test
    void pathsNamesAndAuth() throws Exception {
        OpenWhiskClient c = client("_");
        c.getAction("hello", false);
        c.getAction("pkg/hello world", true);
        c.getAction("/other/pkg/x", false);
        c.listActions(5, 10);
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(KEY.getBytes(StandardCharsets.UTF_8));
        assertThat(seen).containsExactly(
                "GET /api/v1/namespaces/_/actions/hello?code=false auth=" + basic + " body=",
                "GET /api/v1/namespaces/_/actions/pkg/hello%20world?code=true auth=" + basic + " body=",
                "GET /api/v1/namespaces/other/actions/pkg/x?code=false auth=" + basic + " body=",
                "GET /api/v1/namespaces/_/actions?skip=5&limit=10 auth=" + basic + " body=");
        assertThatThrownBy(() -> c.getAction("/only-namespace", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.getAction("a//b", false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OpenWhiskClient(URI.create("http://x"), "no-colon", "_")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("no-colon");
    }

    @Test
    void blackboxActionBody() throws Exception {
        client("_").putAction("semirt", OpenWhiskClient.BlackboxAction.of("sesemi/semirt").withMemoryMb(1024).withConcurrency(8)
                .withInitParameters(Map.of("SESEMI_KS_URL", "https://ks")).withParameters(Map.of("a", 1)), true);
        String req = seen.getFirst();
        assertThat(req).startsWith("PUT /api/v1/namespaces/_/actions/semirt?overwrite=true ");
        var body = JSON.readTree(req.substring(req.indexOf(" body=") + 6));
        assertThat(body.path("exec").path("kind").asText()).isEqualTo("blackbox");
        assertThat(body.path("exec").path("image").asText()).isEqualTo("sesemi/semirt");
        assertThat(body.path("limits").path("memory").asInt()).isEqualTo(1024);
        assertThat(body.path("limits").path("concurrency").asInt()).isEqualTo(8);
        assertThat(body.path("limits").has("timeout")).isFalse();
        assertThat(body.path("parameters").toString()).contains("{\"key\":\"a\",\"value\":1}")
                .contains("{\"key\":\"SESEMI_KS_URL\",\"init\":true,\"value\":\"https://ks\"}");
    }

    @Test
    void invokeOutcomes() throws Exception {
        OpenWhiskClient c = client("_");
        String id = "0123456789abcdef0123456789abcdef";
        answer = "{\"activationId\":\"" + id + "\",\"response\":{\"result\":{\"x\":1},\"success\":true,\"status\":\"success\"},"
                + "\"annotations\":[{\"key\":\"initTime\",\"value\":42}]}";
        OpenWhiskClient.Invoked ok = c.invoke("a", JSON.createObjectNode().put("p", 1), true, 30_000);
        assertThat(seen.getLast()).startsWith("POST /api/v1/namespaces/_/actions/a?blocking=true&timeout=30000 ").endsWith("body={\"p\":1}");
        assertThat(ok.success()).isTrue();
        assertThat(ok.result().path("x").asInt()).isEqualTo(1);
        assertThat(ok.annotation("initTime")).hasValueSatisfying(v -> assertThat(v.asInt()).isEqualTo(42));

        status = 502; // application error of a blocking invoke: returned with its record, not thrown
        answer = "{\"activationId\":\"" + id + "\",\"response\":{\"result\":{\"error\":\"bad\"},\"success\":false,\"status\":\"application error\"}}";
        OpenWhiskClient.Invoked failed = c.invoke("a", null, true, 1000);
        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.success()).isFalse();
        assertThat(failed.result().path("error").asText()).isEqualTo("bad");

        status = 202; // non-blocking, or blocking past the server's wait
        answer = "{\"activationId\":\"" + id + "\"}";
        OpenWhiskClient.Invoked later = c.invoke("a", null, false, 0);
        assertThat(seen.getLast()).startsWith("POST /api/v1/namespaces/_/actions/a?blocking=false ");
        assertThat(later.completed()).isFalse();
        assertThat(later.activationId()).isEqualTo(id);
        assertThatThrownBy(later::result).isInstanceOf(IllegalStateException.class);

        status = 202;
        answer = "";
        activationHeader = id;
        assertThat(c.invoke("a", null, false, 0).activationId()).isEqualTo(id);
    }

    @Test
    void errorsCarryTheServersTextAndTransaction() {
        OpenWhiskClient c = client("_");
        status = 404;
        answer = "{\"error\":\"The requested resource does not exist.\",\"code\":\"tx-1\"}";
        assertThatThrownBy(() -> c.getAction("missing", false)).isInstanceOfSatisfying(OpenWhiskException.class, e -> {
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.error()).isEqualTo("The requested resource does not exist.");
            assertThat(e.code()).contains("tx-1");
            assertThat(e.getMessage()).doesNotContain("secret-key-value");
        });
        status = 500;
        answer = "<html>oops</html>";
        assertThatThrownBy(() -> c.listActions(0, 1)).isInstanceOfSatisfying(OpenWhiskException.class,
                e -> assertThat(e.error()).contains("not JSON"));
        status = 502; // a 502 without an activation record is an error (e.g. a proxy in front of the platform)
        answer = "{\"error\":\"bad gateway\"}";
        assertThatThrownBy(() -> c.invoke("a", null, true, 10)).isInstanceOf(OpenWhiskException.class);
        assertThatThrownBy(() -> c.activation("not-an-id")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void limitsOfAStockOpenWhiskAndOfAnOlderOne() throws Exception {
        // What OpenWhisk's controller answers (its docs' example): memory in MB, the parameter size as a ByteSize.
        answer = "{\"concurrentInvocations\":30,\"firesPerMinute\":60,\"invocationsPerMinute\":60,\"maxActionConcurrency\":1,"
                + "\"maxActionLogs\":10,\"maxActionMemory\":512,\"maxActionTimeout\":300000,\"maxParameterSize\":\"1048576 B\","
                + "\"minActionConcurrency\":1,\"minActionLogs\":0,\"minActionMemory\":128,\"minActionTimeout\":100}";
        OpenWhiskClient.NamespaceLimits stock = client("guest").limits();
        assertThat(seen.getLast()).startsWith("GET /api/v1/namespaces/guest/limits ");
        assertThat(stock.maxActionMemoryMb()).hasValue(512);
        assertThat(stock.minActionMemoryMb()).hasValue(128);
        assertThat(stock.maxActionConcurrency()).hasValue(1);
        assertThat(stock.maxActionTimeoutMs()).hasValue(300_000);
        assertThat(stock.maxPayloadBytes()).hasValue(1 << 20);

        answer = "{\"invocationsPerMinute\":60,\"concurrentInvocations\":30,\"maxParameterSize\":\"5 MB\",\"maxActionMemory\":\"x\"}";
        OpenWhiskClient.NamespaceLimits older = client("_").limits();
        assertThat(older.maxActionMemoryMb()).isEmpty();
        assertThat(older.maxActionConcurrency()).isEmpty();
        assertThat(older.maxPayloadBytes()).hasValue(5L << 20);
        answer = "{\"maxParameterSize\":\"lots\"}";
        assertThat(client("_").limits().maxPayloadBytes()).isEmpty();
    }
}
