package org.sesemi.platform.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.platform.PlatformConfig;
import org.sesemi.platform.api.PlatformFixture.Resp;

/**
 * {@code sesemi platform serve --limits openwhisk} ({@link PlatformConfig.Builder#openWhiskLimits()}) on the wire: the
 * documents describe a stock OpenWhisk with OpenWhisk's field names and units, and its limits are enforced.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenWhiskLimitsApiTest {
    private static final String ACTIONS = "/api/v1/namespaces/_/actions/";

    @TempDir
    static Path dir;

    PlatformFixture p;

    @BeforeAll
    void start() {
        p = PlatformFixture.start(dir, PlatformConfig.Builder::openWhiskLimits);
    }

    @AfterAll
    void stop() {
        p.close();
    }

    @Test
    void rootDocumentHasOpenWhisksLimitFields() {
        JsonNode limits = p.call("GET", "/", null, null).json().get("limits");
        assertThat(limits.get("actions_per_minute").asInt()).isEqualTo(60);
        assertThat(limits.get("concurrent_actions").asInt()).isEqualTo(30);
        for (String prefix : new String[] {"", "default_"}) {
            assertThat(limits.get(prefix + "min_action_memory").asLong()).isEqualTo(128L << 20);
            assertThat(limits.get(prefix + "max_action_memory").asLong()).isEqualTo(512L << 20);
            assertThat(limits.get(prefix + "min_action_duration").asLong()).isEqualTo(100);
            assertThat(limits.get(prefix + "max_action_duration").asLong()).isEqualTo(300_000);
            assertThat(limits.get(prefix + "min_action_logs").asLong()).isZero();
            assertThat(limits.get(prefix + "max_action_logs").asLong()).isEqualTo(10L << 20);
        }
        assertThat(limits.get("default_action_memory").asLong()).isEqualTo(256L << 20);
        assertThat(limits.get("max_action_concurrency").asInt()).isEqualTo(1);
        assertThat(limits.get("max_payload_bytes").asInt()).isEqualTo(1 << 20);
    }

    @Test
    void namespaceLimitsAreOpenWhisksUserLimits() {
        JsonNode limits = p.call("GET", "/api/v1/namespaces/_/limits", null).json();
        List<String> fields = new ArrayList<>();
        limits.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactlyInAnyOrder("invocationsPerMinute", "concurrentInvocations", "firesPerMinute",
                "minActionMemory", "maxActionMemory", "minActionLogs", "maxActionLogs", "minActionTimeout", "maxActionTimeout",
                "minActionConcurrency", "maxActionConcurrency", "maxParameterSize", "maxPayloadSize");
        assertThat(limits.get("invocationsPerMinute").asInt()).isEqualTo(60);
        assertThat(limits.get("concurrentInvocations").asInt()).isEqualTo(30);
        assertThat(limits.get("minActionMemory").asInt()).isEqualTo(128);
        assertThat(limits.get("maxActionMemory").asInt()).isEqualTo(512);
        assertThat(limits.get("maxActionTimeout").asInt()).isEqualTo(300_000);
        assertThat(limits.get("minActionConcurrency").asInt()).isEqualTo(1);
        assertThat(limits.get("maxActionConcurrency").asInt()).isEqualTo(1);
        assertThat(limits.get("maxParameterSize").asText()).isEqualTo("1048576 B");
    }

    @Test
    void actionLimitsOutsideOpenWhisksAreRefusedAndDefaultsAreOpenWhisks() {
        Resp tooBig = p.createAction("big", "\"limits\":{\"memory\":1024}");
        assertThat(tooBig.status()).isEqualTo(400);
        assertThat(tooBig.error()).contains("memory 1024 MB exceeds allowed threshold of 512 MB");
        Resp concurrent = p.createAction("conc", "\"limits\":{\"concurrency\":2}");
        assertThat(concurrent.status()).isEqualTo(400);
        assertThat(concurrent.error()).contains("concurrency 2 exceeds allowed threshold of 1");

        Resp plain = p.createAction("plain", "");
        assertThat(plain.status()).as(plain.body()).isEqualTo(200);
        assertThat(plain.json().at("/limits/memory").asInt()).isEqualTo(256);
        assertThat(plain.json().at("/limits/concurrency").asInt()).isEqualTo(1);
        assertThat(plain.json().at("/limits/timeout").asInt()).isEqualTo(60_000);
    }

    @Test
    void payloadsAboveOneMegabyteAreRefused() {
        assertThat(p.createAction("payload", "").status()).isIn(200, 409);
        String big = "{\"x\":\"" + "a".repeat((1 << 20) - 7) + "\"}";
        Resp refused = p.call("POST", ACTIONS + "payload", big); // 1 MB + 1 byte
        assertThat(refused.status()).isEqualTo(413);
    }
}
