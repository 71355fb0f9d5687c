package org.sesemi.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Payloads by reference: the wire form, the AAD binding of name and length, and what a host that tampers meets. */
class PayloadRefTest {
    static final PrincipalId OWNER = PrincipalId.parse("1".repeat(64));
    static final PrincipalId USER = PrincipalId.parse("2".repeat(64));
    static final ModelId MODEL = new ModelId(OWNER, "ppocr-det");
    final RequestCipher cipher = new RequestCipher(RequestKey.generate());
    final byte[] plaintext = new byte[200_000];

    PayloadRefTest() {
        new java.util.Random(1).nextBytes(plaintext);
    }

    @Test
    void aReferencedRequestOpensUnderItsReference() { // its JSON form: protocol's ReferenceEnvelopeJsonTest
        RequestCipher.ByReference s = cipher.sealRequestByReference(MODEL, USER, "r-1", plaintext, PayloadRef.newName());
        assertThat(s.object()).hasSize(plaintext.length + RequestEnvelope.MIN_PAYLOAD);
        assertThat(s.envelope().ref().length()).isEqualTo(s.object().length);
        assertThat(s.envelope().ref().sha256()).isEqualTo(Hashes.sha256(s.object()));
        assertThat(cipher.openRequest(s.envelope(), s.object())).isEqualTo(plaintext);
        byte[] out = new byte[plaintext.length];
        assertThat(cipher.openRequestInto(s.envelope(), s.object(), out)).isEqualTo(plaintext.length);
        assertThat(out).isEqualTo(plaintext);
    }

    @Test
    void responsesByReferenceOpenOnlyAsResponses() {
        List<ByteBuffer> parts = List.of(ByteBuffer.wrap(plaintext, 0, 10), ByteBuffer.wrap(plaintext, 10, plaintext.length - 10));
        RequestCipher.ByReference s = cipher.sealResponseByReference(MODEL, USER, "r-1", parts, PayloadRef.newName());
        assertThat(cipher.openResponse(s.envelope(), s.object())).isEqualTo(plaintext);
        assertThatThrownBy(() -> cipher.openRequest(s.envelope(), s.object())).isInstanceOf(CryptoException.class)
                .hasMessageContaining("does not decrypt");
    }

    @Test
    void aSwappedObjectIsDetectedByItsHash() {
        RequestCipher.ByReference a = cipher.sealRequestByReference(MODEL, USER, "r-1", plaintext, PayloadRef.newName());
        RequestCipher.ByReference b = cipher.sealRequestByReference(MODEL, USER, "r-1", plaintext, PayloadRef.newName());
        // the host puts another valid object of the same user (same length) where a's reference points
        assertThatThrownBy(() -> cipher.openRequest(a.envelope(), b.object())).isInstanceOf(CryptoException.class)
                .hasFieldOrPropertyWithValue("reason", CryptoException.Reason.AUTHENTICATION_FAILED).hasMessageContaining("SHA-256 differs");
        byte[] flipped = a.object().clone();
        flipped[flipped.length / 2] ^= 1;
        assertThatThrownBy(() -> cipher.openRequest(a.envelope(), flipped)).hasMessageContaining("SHA-256 differs");
    }

    @Test
    void aSwappedReferenceDoesNotDecryptBecauseNameAndLengthAreBound() {
        RequestCipher.ByReference a = cipher.sealRequestByReference(MODEL, USER, "r-1", plaintext, PayloadRef.newName());
        // the host copies the object under another name and rewrites the reference consistently (length, hash)
        PayloadRef moved = PayloadRef.of(PayloadRef.newName(), a.object());
        ReferenceEnvelope forged = new ReferenceEnvelope(MODEL, USER, "r-1", moved);
        assertThatThrownBy(() -> cipher.openRequest(forged, a.object())).isInstanceOf(CryptoException.class)
                .hasFieldOrPropertyWithValue("reason", CryptoException.Reason.AUTHENTICATION_FAILED).hasMessageContaining("does not decrypt");
        // another request id, or an inline payload passed off as a referenced one, fail the same way
        ReferenceEnvelope otherId = new ReferenceEnvelope(MODEL, USER, "r-2", a.envelope().ref());
        assertThatThrownBy(() -> cipher.openRequest(otherId, a.object())).hasMessageContaining("does not decrypt");
        RequestEnvelope inline = cipher.sealRequest(MODEL, USER, "r-1", plaintext);
        ReferenceEnvelope asRef = new ReferenceEnvelope(MODEL, USER, "r-1", PayloadRef.of(PayloadRef.newName(), inline.payload()));
        assertThatThrownBy(() -> cipher.openRequest(asRef, inline.payload())).hasMessageContaining("does not decrypt");
        // and a referenced object does not open as an inline payload
        assertThatThrownBy(() -> cipher.openRequest(new RequestEnvelope(MODEL, USER, "r-1", a.object()))).hasMessageContaining("does not decrypt");
    }

    @Test
    void truncatedAndOversizedObjectsAreNamedAsSuch() {
        RequestCipher.ByReference a = cipher.sealRequestByReference(MODEL, USER, "r-1", plaintext, PayloadRef.newName());
        byte[] out = new byte[plaintext.length];
        assertThatThrownBy(() -> cipher.openRequestInto(a.envelope(), Arrays.copyOf(a.object(), a.object().length - 1), out))
                .hasFieldOrPropertyWithValue("reason", CryptoException.Reason.TRUNCATED).hasMessageContaining("its reference says");
        assertThatThrownBy(() -> cipher.openRequestInto(a.envelope(), Arrays.copyOf(a.object(), a.object().length + 1), out))
                .hasFieldOrPropertyWithValue("reason", CryptoException.Reason.TRAILING_DATA);
        assertThat(out).containsOnly(0);
    }

    @Test
    void theWireFormIsStrict() {
        String hex = "ab".repeat(32);
        assertThat(PayloadRef.parse("payloads/" + hex + ":28:" + hex).length()).isEqualTo(28);
        for (String bad : new String[] {"payloads/../models/x:28:" + hex, "payloads/" + hex.toUpperCase() + ":28:" + hex,
                "payloads/" + hex + ":27:" + hex, "payloads/" + hex + ":028:" + hex, "payloads/" + hex + ":28:" + hex + "00",
                "/etc/passwd:28:" + hex, "payloads/" + hex + ":-1:" + hex, ""}) {
            assertThatThrownBy(() -> PayloadRef.parse(bad)).as(bad).isInstanceOf(CryptoException.class)
                    .hasFieldOrPropertyWithValue("reason", CryptoException.Reason.MALFORMED);
        }
    }

    @Test
    void theReferenceAadIsTheDocumentedByteString() {
        String name = "payloads/" + "cd".repeat(32);
        byte[] aad = RequestCipher.refAad(Direction.RESPONSE, MODEL, USER, "r-1", name, 0x0102030405L);
        byte[] inline = RequestCipher.aad(Direction.RESPONSE, MODEL, USER, "r-1");
        byte[] label = "sesemi-response-ref-v1".getBytes(StandardCharsets.US_ASCII);
        byte[] fields = Arrays.copyOfRange(inline, "sesemi-response-v1".length(), inline.length);
        ByteBuffer want = ByteBuffer.allocate(label.length + fields.length + 2 + name.length() + 8);
        want.put(label).put(fields).putShort((short) name.length()).put(name.getBytes(StandardCharsets.US_ASCII)).putLong(0x0102030405L);
        assertThat(HexFormat.of().formatHex(aad)).isEqualTo(HexFormat.of().formatHex(want.array()));
    }
}
