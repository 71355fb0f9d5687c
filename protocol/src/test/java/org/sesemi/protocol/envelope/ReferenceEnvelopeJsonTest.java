package org.sesemi.protocol.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.Envelope;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PayloadRef;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.ReferenceEnvelope;
import org.sesemi.crypto.RequestCipher;
import org.sesemi.crypto.RequestKey;

/** The JSON form of an envelope whose payload lies in the object store ({@code "payloadRef"}). */
class ReferenceEnvelopeJsonTest {
    static final PrincipalId OWNER = PrincipalId.parse("1".repeat(64));
    static final PrincipalId USER = PrincipalId.parse("2".repeat(64));
    static final ModelId MODEL = new ModelId(OWNER, "ppocr-det");
    final RequestCipher cipher = new RequestCipher(RequestKey.generate());
    final byte[] plaintext = new byte[200_000];

    ReferenceEnvelopeJsonTest() {
        new java.util.Random(1).nextBytes(plaintext);
    }

    @Test
    void aReferencedRequestRoundTripsThroughItsJsonForm() {
        RequestCipher.ByReference s = cipher.sealRequestByReference(MODEL, USER, "r-1", plaintext, PayloadRef.newName());
        byte[] json = EnvelopeJson.write(s.envelope());
        assertThat(new String(json, StandardCharsets.UTF_8)).matches(
                "\\{\"model\":\"1{64}/ppocr-det\",\"user\":\"2{64}\",\"requestId\":\"r-1\",\"payloadRef\":\"payloads/[0-9a-f]{64}:200028:[0-9a-f]{64}\"}");
        Envelope parsed = EnvelopeJson.parseAny(json, 1 << 20);
        assertThat(parsed).isEqualTo(s.envelope());
        assertThat(cipher.openRequest((ReferenceEnvelope) parsed, s.object())).isEqualTo(plaintext);
        // the strict inline parser does not take a reference for a payload
        assertThatThrownBy(() -> EnvelopeJson.parse(json)).isInstanceOf(CryptoException.class)
                .hasMessageContaining("payload reference where an inline payload is expected");
    }

    @Test
    void anEnvelopeHasEitherAPayloadOrAReferenceOnce() {
        String hex = "ab".repeat(32);
        String head = "{\"model\":\"" + MODEL + "\",\"user\":\"" + USER.hex() + "\",\"requestId\":\"r\",";
        String ref = "\"payloadRef\":\"payloads/" + hex + ":28:" + hex + "\"";
        assertThatThrownBy(() -> EnvelopeJson.parseAny((head + ref + ",\"payload\":\"" + "A".repeat(40) + "\"}").getBytes(), 1 << 20))
                .hasMessageContaining("payload (or payloadRef instead of payload)");
        assertThatThrownBy(() -> EnvelopeJson.parseAny((head + ref + "," + ref + "}").getBytes(), 1 << 20)).hasMessageContaining("appears twice");
    }
}
