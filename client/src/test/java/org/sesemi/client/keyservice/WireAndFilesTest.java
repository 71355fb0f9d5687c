package org.sesemi.client.keyservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.protocol.keyservice.Bodies;
import org.sesemi.protocol.keyservice.ErrorReason;
import org.sesemi.protocol.keyservice.WireFormatException;
import org.sesemi.protocol.keyservice.WireJson;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;

class WireAndFilesTest {
    static final List<Class<?>> BODIES = List.of(Bodies.ModelKeyPut.class, Bodies.RequestKeyPut.class, Bodies.ReleaseRequest.class,
            Bodies.ReleaseResponse.class, Bodies.GrantList.class, Bodies.AuditList.class, Bodies.ErrorResponse.class,
            Bodies.RegisterResponse.class, Bodies.WriteResponse.class, Bodies.Health.class);

    @Provide
    Arbitrary<byte[]> jsonish() {
        Arbitrary<String> tokens = Arbitraries.of("{", "}", "[", "]", ":", ",", "\"version\"", "\"key\"", "\"user\"", "\"model\"",
                "\"error\"", "\"reason\"", "1", "-1", "1e999", "2.5", "null", "true", "\"\"", "\"AAAA\"", "\"x\"", " ", "\\u0000");
        Arbitrary<byte[]> structured = tokens.list().ofMaxSize(30).map(l -> String.join("", l).getBytes(StandardCharsets.UTF_8));
        return Arbitraries.oneOf(structured, Arbitraries.bytes().array(byte[].class).ofMaxSize(200));
    }

    @Property(tries = 2000)
    void readingUntrustedBytesEitherYieldsAValidBodyOrAWireFormatException(@ForAll("jsonish") byte[] body) {
        for (Class<?> type : BODIES) {
            try {
                assertThat(WireJson.read(body, type)).isNotNull();
            } catch (WireFormatException expected) {
                assertThat(expected.getMessage()).startsWith("body is not a valid " + type.getSimpleName());
            }
        }
    }

    @Test
    void strictness() {
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        assertThat(WireJson.read(("{\"version\":1,\"key\":\"" + key + "\"}").getBytes(), Bodies.ModelKeyPut.class).version()).isEqualTo(1);
        for (String bad : List.of("{\"version\":1,\"key\":\"" + key + "\",\"x\":1}", "{\"version\":\"1\",\"key\":\"" + key + "\"}",
                "{\"version\":1,\"version\":1,\"key\":\"" + key + "\"}", "{\"version\":1}", "null", "{\"version\":1,\"key\":\"\"}",
                "{\"version\":1,\"key\":\"" + key + "\"}x")) {
            assertThatThrownBy(() -> WireJson.read(bad.getBytes(), Bodies.ModelKeyPut.class)).as(bad)
                    .isInstanceOf(WireFormatException.class).message().doesNotContain(key);
        }
        assertThat(new Bodies.ModelKeyPut(1, key).toString()).doesNotContain(key);
        assertThat(new Bodies.ReleaseResponse("m", "u", "s", 1, key, key, 60, "t").toString()).doesNotContain(key);
    }

    @Test
    void reasonCodesAreStable() {
        assertThat(ErrorReason.ofCode("no_grant")).contains(ErrorReason.NO_GRANT);
        assertThat(List.of(ErrorReason.values())).extracting(ErrorReason::code).contains("no_grant", "no_request_key", "no_model_key",
                "unknown_model", "attestation_rejected", "unauthenticated", "forbidden", "malformed", "too_large", "rate_limited",
                "not_found", "conflict");
        assertThat(ErrorReason.RATE_LIMITED.status()).isEqualTo(429);
        assertThat(ErrorReason.TOO_LARGE.status()).isEqualTo(413);
    }

    @Test
    void requestKeyFilesRoundTripAreOwnerOnlyAndRejectTampering(@TempDir Path dir) throws Exception {
        ModelId model = new ModelId(PrincipalIdentity.generate().id(), "m");
        Measurement m = new Measurement("sgx:" + "1".repeat(64));
        RequestKey k = RequestKey.generate();
        Path f = dir.resolve("rk.json");
        new RequestKeyFile(model, m, k).write(f);
        assertThat(Files.getPosixFilePermissions(f)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(RequestKeyFile.read(f)).isEqualTo(new RequestKeyFile(model, m, k));
        assertThat(RequestKeyFile.read(f).toString()).doesNotContain(Base64.getEncoder().encodeToString(k.exportSecret()));
        assertThatThrownBy(() -> new RequestKeyFile(model, m, k).write(f)).isInstanceOf(RuntimeException.class);
        String text = Files.readString(f);
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, text.replace("sgx:", "sgy:"));
        assertThatThrownBy(() -> RequestKeyFile.read(bad)).isInstanceOf(CryptoException.class).hasMessageContaining("invalid field");
        Files.writeString(bad, text.replace("sesemi.request-key", "sesemi.model-key"));
        assertThatThrownBy(() -> RequestKeyFile.read(bad)).isInstanceOf(CryptoException.class);
        Files.writeString(bad, "x".repeat(10_000));
        assertThatThrownBy(() -> RequestKeyFile.read(bad)).isInstanceOf(CryptoException.class).hasMessageContaining("too large");
        assertThatThrownBy(() -> RequestKeyFile.read(dir.resolve("missing"))).isInstanceOf(CryptoException.class);
    }

    @Test
    void endpointsAreHttpsOnlyAndReleasesExpire() {
        assertThatThrownBy(() -> new KeyServiceEndpoint(URI.create("http://127.0.0.1:1"), VerificationPolicy.defaults()))
                .isInstanceOf(IllegalArgumentException.class);
        Instant t = Instant.parse("2030-01-01T00:00:00Z");
        KeyRelease r = new KeyRelease(ModelKey.generate(1), RequestKey.generate(), t);
        assertThat(r.expired(t.minusSeconds(1))).isFalse();
        assertThat(r.expired(t)).isTrue();
        assertThat(r.toString()).contains("redacted");
    }
}
