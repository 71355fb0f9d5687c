package org.sesemi.platform.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.client.platform.OpenWhiskException;

/** The project's own OpenWhisk client drives the embedded platform end to end (the same code talks to OpenWhisk). */
class ClientCompatibilityTest {
    @TempDir
    Path dir;

    @Test
    void theOpenWhiskClientWorksAgainstThePlatform() throws Exception {
        try (PlatformFixture p = PlatformFixture.start(dir, c -> c)) {
            OpenWhiskClient ow = new OpenWhiskClient(p.base, PlatformFixture.GUEST, "_");
            var action = OpenWhiskClient.BlackboxAction.of(PlatformFixture.IMAGE).withMemoryMb(128).withTimeoutMs(20_000)
                    .withParameters(Map.of("greeting", "hi")).withInitParameters(Map.of("MODEL", "m1"));
            JsonNode created = ow.putAction("viaclient", action, false);
            assertThat(created.at("/limits/memory").asInt()).isEqualTo(128);
            assertThatThrownBy(() -> ow.putAction("viaclient", action, false)).isInstanceOfSatisfying(OpenWhiskException.class, e -> {
                assertThat(e.status()).isEqualTo(409);
                assertThat(e.error()).isEqualTo("resource already exists");
                assertThat(e.code()).isPresent();
            });
            assertThat(ow.putAction("viaclient", action.withMemoryMb(256), true).get("version").asText()).isEqualTo("0.0.2");
            assertThat(ow.getAction("viaclient", false).at("/exec/kind").asText()).isEqualTo("blackbox");
            assertThat(ow.listActions(0, 10)).extracting(a -> a.get("name").asText()).contains("viaclient");

            OpenWhiskClient.Invoked cold = ow.invoke("viaclient", PlatformFixture.JSON.readTree("{\"x\":1}"), true, 60_000);
            assertThat(cold.status()).isEqualTo(200);
            assertThat(cold.success()).isTrue();
            assertThat(cold.result().get("greeting").asText()).isEqualTo("hi");
            assertThat(cold.result().at("/_context/init_env/MODEL").asText()).isEqualTo("m1");
            assertThat(cold.annotation("initTime")).isPresent();
            OpenWhiskClient.Invoked failed = ow.invoke("viaclient", PlatformFixture.JSON.readTree("{\"error\":\"no\"}"), true, 60_000);
            assertThat(failed.status()).isEqualTo(502);
            assertThat(failed.success()).isFalse();

            OpenWhiskClient.Invoked async = ow.invoke("viaclient", PlatformFixture.JSON.readTree("{\"log\":[\"line\"]}"), false, 0);
            assertThat(async.status()).isEqualTo(202);
            assertThat(async.completed()).isFalse();
            JsonNode record = ow.awaitActivation(async.activationId(), Duration.ofSeconds(30)).orElseThrow();
            assertThat(record.at("/response/success").asBoolean()).isTrue();
            assertThat(ow.activationLogs(async.activationId())).anyMatch(l -> l.endsWith("stdout: line"));
            assertThat(ow.activationResult(async.activationId()).get("status").asText()).isEqualTo("success");
            assertThat(ow.listActivations("viaclient", 0, 10, OptionalLong.empty(), OptionalLong.empty(), false)).hasSize(3);

            OpenWhiskClient.NamespaceLimits limits = ow.limits();
            assertThat(limits.maxActionMemoryMb()).hasValue(4096);
            assertThat(limits.minActionMemoryMb()).hasValue(128);
            assertThat(limits.maxActionConcurrency()).hasValue(500);
            assertThat(limits.maxActionTimeoutMs()).hasValue(300_000);
            assertThat(limits.maxPayloadBytes()).hasValue(1 << 20);

            assertThat(ow.deleteAction("viaclient").get("name").asText()).isEqualTo("viaclient");
            assertThatThrownBy(() -> ow.getAction("viaclient", true))
                    .isInstanceOfSatisfying(OpenWhiskException.class, e -> assertThat(e.status()).isEqualTo(404));
        }
    }
}
