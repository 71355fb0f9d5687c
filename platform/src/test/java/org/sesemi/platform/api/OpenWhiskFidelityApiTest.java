package org.sesemi.platform.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.platform.api.PlatformFixture.Resp;

/**
 * Smaller behaviours of a stock OpenWhisk, on the wire: packaged names need their package, invoke parameters named like
 * init parameters go to {@code /init}, {@code transaction_id} is the request's transaction id, and a developer error's
 * logs end with OpenWhisk's note.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenWhiskFidelityApiTest {
    private static final String ACTIONS = "/api/v1/namespaces/_/actions/";
    private static final String ACTIVATIONS = "/api/v1/namespaces/_/activations";
    private static final String SMALL = "\"limits\":{\"memory\":128,\"timeout\":20000}";

    @TempDir
    static Path dir;

    PlatformFixture p;

    @BeforeAll
    void start() {
        p = PlatformFixture.start(dir, c -> c, 1024);
    }

    @AfterAll
    void stop() {
        p.close();
    }

    @Test
    void aPackagedActionIsNotFoundWithoutItsPackage() {
        assertThat(p.createAction("tools/hidden", SMALL).status()).isEqualTo(200);
        assertThat(p.call("POST", ACTIONS + "hidden?blocking=true", "{}").status()).isEqualTo(404);
        assertThat(p.call("GET", ACTIONS + "hidden", null).status()).isEqualTo(404);
        assertThat(p.call("DELETE", ACTIONS + "hidden", null).status()).isEqualTo(404);
        assertThat(p.call("POST", ACTIONS + "other/hidden?blocking=true", "{}").status()).isEqualTo(404);
        assertThat(p.call("POST", ACTIONS + "tools/hidden?blocking=true", "{}").status()).isEqualTo(200);
        assertThat(p.call("GET", ACTIVATIONS + "?name=hidden", null).json()).isEmpty();
        assertThat(p.call("GET", ACTIVATIONS + "?name=tools/hidden", null).json()).hasSize(1);
    }

    @Test
    void anInvokeParameterNamedLikeAnInitParameterGoesToInitNotRun() {
        assertThat(p.createAction("initp", SMALL + ",\"parameters\":[{\"key\":\"DB_URL\",\"value\":\"jdbc:stored\",\"init\":true},"
                + "{\"key\":\"greeting\",\"value\":\"hi\"}]").status()).isEqualTo(200);
        // cold start: OpenWhisk partitions the merged parameters; the init key's (invoke) value goes to /init's env
        JsonNode cold = p.call("POST", ACTIONS + "initp?blocking=true&result=true", "{\"DB_URL\":\"jdbc:invoke\",\"x\":1}").json();
        assertThat(cold.has("DB_URL")).as(cold.toString()).isFalse();
        assertThat(cold.get("x").asInt()).isEqualTo(1);
        assertThat(cold.get("greeting").asText()).isEqualTo("hi");
        assertThat(cold.at("/_context/init_env/DB_URL").asText()).isEqualTo("jdbc:invoke");
        // warm: the container keeps its /init env; the parameter still does not reach /run
        JsonNode warm = p.call("POST", ACTIONS + "initp?blocking=true&result=true", "{\"DB_URL\":\"jdbc:other\"}").json();
        assertThat(warm.has("DB_URL")).isFalse();
        assertThat(warm.at("/_context/init_env/DB_URL").asText()).isEqualTo("jdbc:invoke");
    }

    @Test
    void theTransactionIdIsTheRequestsNotTheActivationId() {
        assertThat(p.createAction("tx", SMALL).status()).isEqualTo(200);
        Resp given = p.call("POST", ACTIONS + "tx?blocking=true", "{}", PlatformFixture.GUEST, "X-Request-ID", "my-request-42");
        JsonNode context = given.json().at("/response/result/_context");
        assertThat(context.get("transaction_id").asText()).isEqualTo("my-request-42");
        assertThat(context.at("/init_env/__OW_TRANSACTION_ID").asText()).isEqualTo("my-request-42");

        Resp generated = p.call("POST", ACTIONS + "tx?blocking=true", "{}");
        String tx = generated.json().at("/response/result/_context/transaction_id").asText();
        assertThat(tx).isEqualTo(generated.header("X-Request-ID")).matches("[A-Za-z0-9]{32}")
                .isNotEqualTo(generated.json().get("activationId").asText());
    }

    @Test
    void aDeveloperErrorsLogsEndWithOpenWhisksNote() {
        assertThat(p.createAction("dev", SMALL).status()).isEqualTo(200);
        Resp failed = p.call("POST", ACTIONS + "dev?blocking=true", "{\"status\":500,\"log\":[\"before\"]}");
        assertThat(failed.json().at("/response/status").asText()).isEqualTo("action developer error");
        String id = failed.json().get("activationId").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> p.call("GET", ACTIVATIONS + "/" + id + "/logs", null).status() == 200);
        JsonNode logs = p.call("GET", ACTIVATIONS + "/" + id + "/logs", null).json().get("logs");
        assertThat(logs.get(0).asText()).endsWith("stdout: before");
        assertThat(logs.get(logs.size() - 1).asText())
                .endsWith("stderr: The action did not initialize or run as expected. Log data might be missing.");

        Resp fine = p.call("POST", ACTIONS + "dev?blocking=true", "{\"log\":[\"ok\"]}");
        String okId = fine.json().get("activationId").asText();
        JsonNode okLogs = p.call("GET", ACTIVATIONS + "/" + okId + "/logs", null).json().get("logs");
        assertThat(okLogs.toString()).doesNotContain("Log data might be missing");
    }
}
