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

/** 429 throttles per namespace (§3.7) on the wire, with small limits: 5 invocations a minute, 1 in flight. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThrottlesApiTest {
    private static final String ACTIONS = "/api/v1/namespaces/_/actions/";

    @TempDir
    static Path dir;

    PlatformFixture p;

    @BeforeAll
    void start() {
        p = PlatformFixture.start(dir, c -> c.throttles(5, 1));
        assertThat(p.createAction("t", "\"limits\":{\"memory\":128}").status()).isEqualTo(200);
        assertThat(p.call("PUT", ACTIONS + "t", "{\"exec\":{\"kind\":\"blackbox\",\"image\":\"testaction\"},\"limits\":{\"memory\":128}}",
                PlatformFixture.SYSTEM).status()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        p.close();
    }

    @Test
    void concurrentInvocationsAndThenTheRatePerMinuteAreThrottled() {
        Resp slow = p.call("POST", ACTIONS + "t", "{\"sleepMs\":1000}");
        assertThat(slow.status()).isEqualTo(202);
        Resp second = p.call("POST", ACTIONS + "t?blocking=true", "{}");
        assertThat(second.status()).isEqualTo(429);
        assertThat(second.error()).isEqualTo("Too many concurrent requests in flight (count: 1, allowed: 1).");
        assertThat(second.json().get("code").asText()).isNotBlank();
        await().atMost(Duration.ofSeconds(30)).until(() -> p.server.throttles().inFlight("guest") == 0);

        // 2 of this minute's 5 are used; the bucket may roll over once while we go, so 12 calls surely meet a 429
        Resp limited = null;
        for (int i = 0; i < 12 && limited == null; i++) {
            Resp r = p.call("POST", ACTIONS + "t?blocking=true", "{}");
            if (r.status() == 429) {
                limited = r;
            } else {
                assertThat(r.status()).isEqualTo(200);
            }
        }
        assertThat(limited).isNotNull();
        assertThat(limited.error()).matches("Too many requests in the last minute \\(count: \\d+, allowed: 5\\)\\.");
        assertThat(limited.header("x-openwhisk-activation-id")).isNull();

        // throttles are per namespace
        assertThat(p.call("POST", ACTIONS + "t?blocking=true", "{}", PlatformFixture.SYSTEM).status()).isEqualTo(200);
        JsonNode limits = p.call("GET", "/api/v1/namespaces/_/limits", null).json();
        assertThat(limits.get("invocationsPerMinute").asInt()).isEqualTo(5);
        assertThat(limits.get("concurrentInvocations").asInt()).isEqualTo(1);
    }
}
