package org.sesemi.protocol.envelope;

import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.PayloadRef;
import org.sesemi.crypto.ReferenceEnvelope;
import org.sesemi.crypto.RequestEnvelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeJsonTest {
    static final String M = "a".repeat(64) + "/m";
    static final String U = "b".repeat(64);
    static final String P = java.util.Base64.getEncoder().encodeToString(new byte[40]);

    static CryptoException.Reason reason(String json) {
        try {
            EnvelopeJson.parse(json.getBytes(StandardCharsets.UTF_8));
            throw new AssertionError("accepted: " + json);
        } catch (CryptoException e) {
            return e.reason();
        }
    }

    static String env(String model, String user, String id, String payload) {
        return "{\"model\":\"" + model + "\",\"user\":\"" + user + "\",\"requestId\":\"" + id + "\",\"payload\":\"" + payload + "\"}";
    }

    @Test
    void acceptsAWellFormedEnvelope() {
        RequestEnvelope e = EnvelopeJson.parse(env(M, U, "x-1", P).getBytes(StandardCharsets.UTF_8));
        assertThat(e.model().name()).isEqualTo("m");
        assertThat(e.payload()).hasSize(40);
    }

    @Test
    void theAnswerByRefHintIsAnOptionalBooleanWrittenOnlyWhenSet() {
        RequestEnvelope e = EnvelopeJson.parse(env(M, U, "x-1", P).getBytes(StandardCharsets.UTF_8));
        assertThat(e.answerByRef()).isFalse();
        assertThat(new String(EnvelopeJson.write(e), StandardCharsets.UTF_8)).doesNotContain("answerByRef");
        byte[] hinted = EnvelopeJson.write(e.withAnswerByRef(true));
        assertThat(new String(hinted, StandardCharsets.UTF_8)).contains("\"answerByRef\":true,\"payload\":");
        assertThat(EnvelopeJson.parse(hinted)).isEqualTo(e.withAnswerByRef(true)).isNotEqualTo(e);
        String withFalse = env(M, U, "x-1", P).replace("{", "{\"answerByRef\":false,");
        assertThat(EnvelopeJson.parse(withFalse.getBytes(StandardCharsets.UTF_8))).isEqualTo(e);
        assertThat(reason(env(M, U, "x-1", P).replace("}", ",\"answerByRef\":\"true\"}"))).isEqualTo(CryptoException.Reason.MALFORMED);
        assertThat(reason(env(M, U, "x-1", P).replace("}", ",\"answerByRef\":1}"))).isEqualTo(CryptoException.Reason.MALFORMED);
        assertThat(reason(env(M, U, "x-1", P).replace("}", ",\"answerByRef\":true,\"answerByRef\":false}")))
                .isEqualTo(CryptoException.Reason.MALFORMED);
        String ref = "{\"model\":\"" + M + "\",\"user\":\"" + U + "\",\"requestId\":\"r\",\"answerByRef\":true,\"payloadRef\":\""
                + new PayloadRef(PayloadRef.newName(), 100, new byte[32]).wire() + "\"}";
        assertThat(EnvelopeJson.parseAny(ref.getBytes(StandardCharsets.UTF_8), 1000)).as("implied, and accepted, on a reference envelope")
                .isInstanceOf(ReferenceEnvelope.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "null", "[]", "\"x\"", "{", "{}", "{\"model\":1}",
        "{\"model\":\"x\",\"user\":\"y\",\"requestId\":\"z\",\"payload\":\"AAAA\"}",
        "{\"model\":\"aaaa/m\",\"user\":\"bbbb\",\"requestId\":\"r\",\"payload\":\"AAAA\"}",
    })
    void rejectsGarbage(String json) {
        assertThat(reason(json)).isEqualTo(CryptoException.Reason.MALFORMED);
    }

    @Test
    void rejectsEachBadField() {
        assertThat(reason(env(M, U, "r", "not base64!!"))).isEqualTo(CryptoException.Reason.MALFORMED);
        assertThat(reason(env(M, U, "r", "AAAA"))).isEqualTo(CryptoException.Reason.MALFORMED); // shorter than nonce+tag
        assertThat(reason(env(M, U, "r/../x", P))).isEqualTo(CryptoException.Reason.MALFORMED);
        assertThat(reason(env(M, U, "x".repeat(129), P))).isEqualTo(CryptoException.Reason.MALFORMED);
        assertThat(reason(env(M, "B".repeat(64), "r", P))).isEqualTo(CryptoException.Reason.MALFORMED);
        assertThat(reason(env("a".repeat(64) + "/.hidden", U, "r", P))).isEqualTo(CryptoException.Reason.MALFORMED);
        assertThat(reason(env("a".repeat(64) + "/" + "n".repeat(129), U, "r", P))).isEqualTo(CryptoException.Reason.MALFORMED);
        String ok = env(M, U, "r", P);
        assertThat(reason(ok.replace("}", ",\"extra\":\"1\"}"))).isEqualTo(CryptoException.Reason.MALFORMED);
        assertThat(reason(ok.replace("}", ",\"user\":\"" + U + "\"}"))).isEqualTo(CryptoException.Reason.MALFORMED);
        assertThat(reason(ok + "{}")).isEqualTo(CryptoException.Reason.MALFORMED);
        assertThat(reason(ok.substring(0, ok.length() - 1))).isEqualTo(CryptoException.Reason.MALFORMED);
    }

    @Test
    void rejectsOversizedInputBeforeParsing() {
        byte[] big = new byte[1001];
        Arrays.fill(big, (byte) ' ');
        assertThatThrownBy(() -> EnvelopeJson.parse(big, 1000)).isInstanceOf(CryptoException.class)
                .extracting(e -> ((CryptoException) e).reason()).isEqualTo(CryptoException.Reason.TOO_LARGE);
        String deep = "[".repeat(10_000);
        assertThat(reason(deep)).isEqualTo(CryptoException.Reason.MALFORMED);
    }

    @Test
    void unknownFieldNamesAreNotEchoedVerbatim() {
        String json = env(M, U, "r", P).replace("}", ",\"<script>alert(1)</script>\":\"1\"}");
        assertThatThrownBy(() -> EnvelopeJson.parse(json.getBytes(StandardCharsets.UTF_8))).message().doesNotContain("<script>");
    }

    @Property(tries = 300)
    void neverThrowsAnythingButCryptoException(@ForAll byte[] junk) {
        try {
            EnvelopeJson.parse(junk);
        } catch (CryptoException expected) {
            // fine
        }
    }
}
