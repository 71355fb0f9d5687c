package org.sesemi.platform.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.platform.api.PlatformFixture.Resp;

/**
 * Invoke (§2.5) and the activations API (§2.6) against real {@code TestAction} processes in the real
 * {@code ContainerPool}: blocking / non-blocking / result, status mapping, cold and warm records, logs, the 202
 * fallback, payload validation, and the billing summary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvokeApiTest {
    private static final String ACTIONS = "/api/v1/namespaces/_/actions/";
    private static final String ACTIVATIONS = "/api/v1/namespaces/_/activations";
    private static final String SMALL = "\"limits\":{\"memory\":128,\"timeout\":20000}";

    @TempDir
    static Path dir;

    PlatformFixture p;

    @BeforeAll
    void start() {
        p = PlatformFixture.start(dir, c -> c, 2048);
        assertThat(p.createAction("echo", SMALL).status()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        p.close();
    }

    private Resp invoke(String path, String query, String body) {
        return p.call("POST", ACTIONS + path + query, body);
    }

    private static Map<String, JsonNode> annotations(JsonNode record) {
        Map<String, JsonNode> out = new HashMap<>();
        record.get("annotations").forEach(kv -> out.put(kv.get("key").asText(), kv.get("value")));
        return out;
    }

    private JsonNode awaitActivation(String id) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> p.call("GET", ACTIVATIONS + "/" + id, null).status() == 200);
        return p.call("GET", ACTIVATIONS + "/" + id, null).json();
    }

    @Test
    void blockingInvokeReturnsTheRecordWithoutLogsWithInitTimeOnlyWhenCold() {
        p.createAction("coldwarm", SMALL);
        Resp cold = invoke("coldwarm", "?blocking=true", "{\"name\":\"Ada\",\"log\":[\"hello from the action\"]}");
        assertThat(cold.status()).isEqualTo(200);
        JsonNode r = cold.json();
        assertThat(cold.header("x-openwhisk-activation-id")).isEqualTo(r.get("activationId").asText()).matches("[0-9a-f]{32}");
        assertThat(r.get("namespace").asText()).isEqualTo("guest");
        assertThat(r.get("name").asText()).isEqualTo("coldwarm");
        assertThat(r.get("subject").asText()).isEqualTo("guest");
        assertThat(r.get("version").asText()).isEqualTo("0.0.1");
        assertThat(r.get("publish").asBoolean()).isFalse();
        assertThat(r.get("logs")).isEmpty();
        assertThat(r.get("end").asLong()).isGreaterThanOrEqualTo(r.get("start").asLong());
        assertThat(r.get("duration").asLong()).isEqualTo(r.get("end").asLong() - r.get("start").asLong());
        assertThat(r.at("/response/success").asBoolean()).isTrue();
        assertThat(r.at("/response/status").asText()).isEqualTo("success");
        assertThat(r.at("/response/result/name").asText()).isEqualTo("Ada");
        assertThat(r.has("statusCode")).isFalse();
        Map<String, JsonNode> a = annotations(r);
        assertThat(a.get("limits").toString()).isEqualTo("{\"timeout\":20000,\"memory\":128,\"logs\":10,\"concurrency\":1}");
        assertThat(a.get("path").asText()).isEqualTo("guest/coldwarm");
        assertThat(a.get("kind").asText()).isEqualTo("blackbox");
        assertThat(a.get("timeout").asBoolean()).isFalse();
        assertThat(a.get("waitTime").isIntegralNumber()).isTrue();
        assertThat(a.get("initTime").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(r.get("duration").asLong()).isGreaterThanOrEqualTo(a.get("initTime").asLong());

        Resp warm = invoke("coldwarm", "?blocking=true", "{}");
        assertThat(warm.status()).isEqualTo(200);
        assertThat(annotations(warm.json())).doesNotContainKey("initTime").containsKey("waitTime");

        JsonNode stored = p.call("GET", ACTIVATIONS + "/" + r.get("activationId").asText(), null).json();
        assertThat(stored.get("logs").toString()).contains("stdout: hello from the action");
        assertThat(stored.get("response")).isEqualTo(r.get("response"));
        JsonNode logs = p.call("GET", ACTIVATIONS + "/" + r.get("activationId").asText() + "/logs", null).json();
        assertThat(logs.get("logs").get(0).asText()).matches("\\S+\\s+stdout: hello from the action");
        JsonNode result = p.call("GET", ACTIVATIONS + "/" + r.get("activationId").asText() + "/result", null).json();
        assertThat(result.get("status").asText()).isEqualTo("success");
        assertThat(result.get("success").asBoolean()).isTrue();
        assertThat(result.at("/result/name").asText()).isEqualTo("Ada");
    }

    @Test
    void resultTrueReturnsOnlyTheResult() {
        Resp r = invoke("echo", "?blocking=true&result=true", "{\"x\":1}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("x").asInt()).isEqualTo(1);
        assertThat(r.json().has("activationId")).isFalse();
        assertThat(r.header("x-openwhisk-activation-id")).matches("[0-9a-f]{32}");
    }

    @Test
    void nonBlockingIs202WithTheIdAndTheRecordFollows() {
        Resp r = invoke("echo", "", "{\"async\":true}");
        assertThat(r.status()).isEqualTo(202);
        String id = r.json().get("activationId").asText();
        assertThat(r.json().size()).isEqualTo(1);
        assertThat(r.header("x-openwhisk-activation-id")).isEqualTo(id);
        assertThat(invoke("echo", "?blocking=false&result=true", "{}").status()).isEqualTo(202);
        JsonNode record = awaitActivation(id);
        assertThat(record.at("/response/result/async").asBoolean()).isTrue();
    }

    @Test
    void applicationErrorIs502AndKeepsTheContainerWarm() {
        Resp r = invoke("echo", "?blocking=true", "{\"error\":\"bad input\"}");
        assertThat(r.status()).isEqualTo(502);
        assertThat(r.json().at("/response/status").asText()).isEqualTo("application error");
        assertThat(r.json().at("/response/success").asBoolean()).isFalse();
        assertThat(r.json().at("/response/result/error").asText()).isEqualTo("bad input");
        Resp resultOnly = invoke("echo", "?blocking=true&result=true", "{\"error\":\"again\"}");
        assertThat(resultOnly.status()).isEqualTo(502);
        assertThat(resultOnly.json().toString()).isEqualTo("{\"error\":\"again\"}");
    }

    @Test
    void developerErrorsAre502() {
        p.createAction("fragile", SMALL);
        Resp status = invoke("fragile", "?blocking=true", "{\"status\":500}");
        assertThat(status.status()).isEqualTo(502);
        assertThat(status.json().at("/response/status").asText()).isEqualTo("action developer error");
        Resp crash = invoke("fragile", "?blocking=true", "{\"crash\":true}");
        assertThat(crash.status()).isEqualTo(502);
        assertThat(crash.json().at("/response/status").asText()).isEqualTo("action developer error");
        assertThat(crash.json().at("/response/result/error").asText()).isNotBlank();
    }

    @Test
    void whiskInternalErrorIs500() {
        p.createAction("toobig", "\"limits\":{\"memory\":4096}");
        Resp r = invoke("toobig", "?blocking=true", "{}");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.json().at("/response/status").asText()).isEqualTo("whisk internal error");
        assertThat(p.call("GET", ACTIVATIONS + "/" + r.json().get("activationId").asText(), null).status()).isEqualTo(200);
    }

    @Test
    void blockingWaitEndsWith202AtTheTimeout() {
        p.createAction("sleeper", SMALL);
        Resp r = invoke("sleeper", "?blocking=true&timeout=300", "{\"sleepMs\":1500}");
        assertThat(r.status()).isEqualTo(202);
        String id = r.json().get("activationId").asText();
        assertThat(r.header("x-openwhisk-activation-id")).isEqualTo(id);
        JsonNode record = awaitActivation(id);
        assertThat(record.at("/response/status").asText()).isEqualTo("success");
    }

    @Test
    void timeoutParameterIsValidated() {
        for (String t : new String[] {"0", "60001", "-5", "abc", ""}) {
            Resp r = invoke("echo", "?blocking=true&timeout=" + t, "{}");
            assertThat(r.status()).as(t).isEqualTo(400);
            assertThat(r.error()).isEqualTo("Timeout must be number of milliseconds up to 60000.");
        }
        assertThat(invoke("echo", "?blocking=maybe", "{}").status()).isEqualTo(400);
        assertThat(invoke("echo", "?blocking=true&timeout=60000", "{}").status()).isEqualTo(200);
    }

    @Test
    void payloadsAreValidated() {
        for (String body : new String[] {"{", "[1,2]", "42", "\"s\"", "{} {}"}) {
            Resp r = invoke("echo", "?blocking=true", body);
            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.error()).startsWith("The request content was malformed:");
        }
        Resp empty = invoke("echo", "?blocking=true&result=true", null);
        assertThat(empty.status()).isEqualTo(200);
        String big = "{\"arg\":\"" + "a".repeat(1 << 20) + "\"}";
        Resp tooBig = invoke("echo", "?blocking=true", big);
        assertThat(tooBig.status()).isEqualTo(413);
        assertThat(tooBig.error()).isEqualTo("Request larger than allowed: " + big.length() + " > 1048576 bytes.");
        String exactlyAtLimit = "{\"arg\":\"" + "a".repeat((1 << 20) - 10) + "\"}";
        assertThat(exactlyAtLimit).hasSize(1 << 20);
        Resp accepted = invoke("echo", "?blocking=true", exactlyAtLimit);
        // accepted and run; the echo (params plus context) is then over the 1 MiB result limit, an application error
        assertThat(accepted.status()).isNotEqualTo(413);
        assertThat(accepted.json().get("activationId").asText()).hasSize(32);
        String fits = "{\"arg\":\"" + "a".repeat((1 << 20) - 4096) + "\"}";
        Resp ok = invoke("echo", "?blocking=true&result=true", fits);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("arg").asText()).hasSize((1 << 20) - 4096);
    }

    @Test
    void missingActionIs404() {
        Resp r = invoke("nope", "?blocking=true", "{}");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.error()).isEqualTo("The requested resource does not exist.");
        assertThat(r.header("x-openwhisk-activation-id")).isNull();
    }

    @Test
    void initParametersGoToInitEnvAndOthersAreDefaults() {
        p.createAction("withparams", SMALL + ",\"parameters\":[{\"key\":\"greeting\",\"value\":\"hi\"},"
                + "{\"key\":\"DB_URL\",\"value\":\"jdbc:x\",\"init\":true}],\"annotations\":[{\"key\":\"provide-api-key\",\"value\":true}]");
        JsonNode result = invoke("withparams", "?blocking=true&result=true", "{\"name\":\"n\"}").json();
        assertThat(result.get("greeting").asText()).isEqualTo("hi");
        assertThat(result.has("DB_URL")).isFalse();
        assertThat(result.at("/_context/init_env/DB_URL").asText()).isEqualTo("jdbc:x");
        assertThat(result.at("/_context/api_key_present").asBoolean()).isTrue();
        assertThat(result.at("/_context/action_name").asText()).isEqualTo("/guest/withparams");
        JsonNode echo = invoke("echo", "?blocking=true&result=true", "{}").json();
        assertThat(echo.at("/_context/api_key_present").asBoolean()).isFalse();
    }

    @Test
    void finalParametersCannotBeRedefined() {
        p.createAction("sealed", SMALL + ",\"parameters\":[{\"key\":\"a\",\"value\":1}],\"annotations\":[{\"key\":\"final\",\"value\":true}]");
        Resp r = invoke("sealed", "?blocking=true", "{\"a\":2}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).isEqualTo("Request defines parameters that are not allowed (e.g., reserved properties).");
    }

    @Test
    void packagedActionsRunWithTheirPath() {
        p.createAction("tools/echo", SMALL);
        Resp r = invoke("tools/echo", "?blocking=true", "{}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(annotations(r.json()).get("path").asText()).isEqualTo("guest/tools/echo");
        assertThat(r.json().get("name").asText()).isEqualTo("echo");
        JsonNode listed = p.call("GET", ACTIVATIONS + "?name=tools/echo", null).json();
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("activationId").asText()).isEqualTo(r.json().get("activationId").asText());
    }

    @Test
    void activationsListFiltersPaginatesAndCounts() {
        p.createAction("listed", SMALL);
        long before = System.currentTimeMillis();
        String last = null;
        for (int i = 0; i < 3; i++) {
            last = invoke("listed", "?blocking=true", "{\"i\":" + i + "}").json().get("activationId").asText();
        }
        JsonNode summaries = p.call("GET", ACTIVATIONS + "?name=listed", null).json();
        assertThat(summaries).hasSize(3);
        JsonNode s = summaries.get(0);
        assertThat(s.get("activationId").asText()).isEqualTo(last);
        assertThat(s.get("statusCode").asInt()).isZero();
        assertThat(s.has("response")).isFalse();
        assertThat(s.has("logs")).isFalse();
        assertThat(s.has("start") && s.has("end") && s.has("duration") && s.has("annotations")).isTrue();
        JsonNode docs = p.call("GET", ACTIVATIONS + "?name=listed&docs=true&limit=2", null).json();
        assertThat(docs).hasSize(2);
        assertThat(docs.get(0).has("response") && docs.get(0).has("logs")).isTrue();
        assertThat(p.call("GET", ACTIVATIONS + "?name=listed&skip=2", null).json()).hasSize(1);
        assertThat(p.call("GET", ACTIVATIONS + "?name=listed&count=true", null).json().toString()).isEqualTo("{\"activations\":3}");
        assertThat(p.call("GET", ACTIVATIONS + "?name=listed&since=" + (System.currentTimeMillis() + 60_000), null).json()).isEmpty();
        assertThat(p.call("GET", ACTIVATIONS + "?name=listed&since=" + before + "&upto=" + (System.currentTimeMillis() + 1000), null).json())
                .hasSize(3);
        assertThat(p.call("GET", ACTIVATIONS + "?name=listed&upto=" + (before - 1), null).json()).isEmpty();
        Resp both = p.call("GET", ACTIVATIONS + "?count=true&docs=true", null);
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.error()).isEqualTo("The parameter 'docs' is not permitted with 'count'.");
        assertThat(p.call("GET", ACTIVATIONS + "?limit=201", null).error()).isEqualTo("The value '201' is not in the range of 0 to 200 for activations.");
        assertThat(p.call("GET", ACTIVATIONS + "?since=yesterday", null).status()).isEqualTo(400);
        assertThat(p.call("GET", ACTIVATIONS + "?upto=-1", null).status()).isEqualTo(400);
        assertThat(p.call("GET", ACTIVATIONS + "?name=bad$name", null).status()).isEqualTo(400);
        assertThat(p.call("GET", ACTIVATIONS + "?name=nothing-ran", null).json()).isEmpty();
    }

    @Test
    void activationIdsAreValidated() {
        Resp shortId = p.call("GET", ACTIVATIONS + "/abcde", null);
        assertThat(shortId.status()).isEqualTo(400);
        assertThat(shortId.error()).isEqualTo("Activation id length is 5 but must be 32.");
        assertThat(p.call("GET", ACTIVATIONS + "/" + "z".repeat(32), null).status()).isEqualTo(400);
        assertThat(p.call("GET", ACTIVATIONS + "/" + "0".repeat(32), null).status()).isEqualTo(404);
        assertThat(p.call("GET", ACTIVATIONS + "/" + "0".repeat(32) + "/result", null).status()).isEqualTo(404);
        assertThat(p.call("GET", ACTIVATIONS + "/" + "0".repeat(32) + "/logs", null).status()).isEqualTo(404);
        assertThat(p.call("GET", ACTIVATIONS + "/" + "0".repeat(32) + "/other", null).status()).isEqualTo(404);
    }

    @Test
    void otherSubjectsCannotSeeActivations() {
        String id = invoke("echo", "?blocking=true", "{}").json().get("activationId").asText();
        assertThat(p.call("GET", ACTIVATIONS + "/" + id, null, PlatformFixture.SYSTEM).status()).isEqualTo(404);
        assertThat(p.call("GET", "/api/v1/namespaces/guest/activations/" + id, null, PlatformFixture.SYSTEM).status()).isEqualTo(403);
    }

    @Test
    void concurrentBlockingInvokesAllCompleteAndAreRecorded() throws Exception {
        p.createAction("parallel", "\"exec\":{\"kind\":\"blackbox\",\"image\":\"" + PlatformFixture.CONCURRENT_IMAGE + "\"},"
                + "\"limits\":{\"memory\":128,\"concurrency\":16,\"timeout\":20000}");
        int n = 16;
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Resp>>();
            for (int i = 0; i < n; i++) {
                int k = i;
                futures.add(pool.submit(() -> invoke("parallel", "?blocking=true", "{\"k\":" + k + ",\"sleepMs\":200}")));
            }
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (var f : futures) {
                Resp r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                seen.add(r.json().at("/response/result/k").asInt());
            }
            assertThat(seen).hasSize(n);
        }
        assertThat(p.call("GET", ACTIVATIONS + "?name=parallel&count=true", null).json().get("activations").asInt()).isEqualTo(n);
        // every permit is released (other tests' non-blocking activations may still be finishing, hence the wait)
        await().atMost(Duration.ofSeconds(30)).until(() -> p.server.throttles().inFlight("guest") == 0);
    }

    @Test
    void billingSummarisesGbSecondsPerAction() {
        p.createAction("billed", "\"limits\":{\"memory\":512,\"timeout\":20000}");
        for (int i = 0; i < 3; i++) {
            assertThat(invoke("billed", "?blocking=true", "{}").status()).isEqualTo(200);
        }
        long durations = 0;
        for (JsonNode a : p.call("GET", ACTIVATIONS + "?name=billed&docs=true", null).json()) {
            durations += a.get("duration").asLong();
        }
        Resp bill = p.call("GET", "/sesemi/v1/billing", null);
        assertThat(bill.status()).isEqualTo(200);
        JsonNode row = null;
        for (JsonNode r : bill.json().get("actions")) {
            if (r.get("name").asText().equals("billed")) {
                row = r;
            }
        }
        assertThat(row).isNotNull();
        assertThat(row.get("activations").asLong()).isEqualTo(3);
        assertThat(row.get("coldStarts").asLong()).isEqualTo(1);
        assertThat(row.get("durationMs").asLong()).isEqualTo(durations);
        assertThat(row.get("gbSeconds").asDouble()).isCloseTo(0.5 * durations / 1000.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(bill.json().get("namespace").asText()).isEqualTo("guest");
        assertThat(bill.json().at("/total/activations").asLong()).isGreaterThanOrEqualTo(3);
        JsonNode future = p.call("GET", "/sesemi/v1/billing?since=" + (System.currentTimeMillis() + 60_000), null).json();
        assertThat(future.get("actions")).isEmpty();
        assertThat(p.call("GET", "/sesemi/v1/billing?since=abc", null).status()).isEqualTo(400);
        assertThat(p.call("GET", "/sesemi/v1/billing", null, null).status()).isEqualTo(401);
        JsonNode system = p.call("GET", "/sesemi/v1/billing", null, PlatformFixture.SYSTEM).json();
        assertThat(system.get("namespace").asText()).isEqualTo("whisk.system");
        assertThat(system.get("actions")).isEmpty();
    }
}
