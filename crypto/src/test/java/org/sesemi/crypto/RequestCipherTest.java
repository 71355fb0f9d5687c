package org.sesemi.crypto;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RequestCipherTest {
    static final PrincipalId OWNER = PrincipalId.parse("1".repeat(64));
    static final PrincipalId USER = PrincipalId.parse("2".repeat(64));
    static final ModelId MODEL = new ModelId(OWNER, "resnet-50");
    final RequestKey key = RequestKey.generate();
    final RequestCipher cipher = new RequestCipher(key);

    @Property(tries = 50)
    void roundTrips(@ForAll @Size(max = 5000) byte[] plaintext) { // through the wire encodings: protocol's EnvelopeJsonTest
        RequestEnvelope req = cipher.sealRequest(MODEL, USER, "r-1", plaintext);
        assertThat(cipher.openRequest(req)).isEqualTo(plaintext);
        RequestEnvelope resp = cipher.sealResponse(req, plaintext);
        assertThat(cipher.openResponse(resp)).isEqualTo(plaintext);
    }

    /** Both providers the core may use: the JDK's, and the native one (or the JDK's again where it cannot load). */
    static final java.util.List<CryptoProvider> PROVIDERS =
            java.util.List.of(CryptoProvider.jdk(), CryptoProvider.preferNative().awaitReady(java.time.Duration.ofSeconds(30)));

    @Property(tries = 30)
    void openIntoAndSealIntoAgreeWithTheArrayFormsAcrossProviders(@ForAll @Size(max = 5000) byte[] plaintext,
            @ForAll @net.jqwik.api.constraints.IntRange(max = 40) int offset) {
        for (CryptoProvider a : PROVIDERS) {
            for (CryptoProvider b : PROVIDERS) {
                RequestCipher sealer = new RequestCipher(key, a);
                RequestCipher opener = new RequestCipher(key, b);
                RequestEnvelope req = sealer.sealRequest(MODEL, USER, "r-1", plaintext);
                byte[] wire = new byte[offset + req.payload().length + 3];
                System.arraycopy(req.payload(), 0, wire, offset, req.payload().length);
                byte[] out = new byte[RequestCipher.plaintextLength(req.payload().length) + 9];
                java.util.Arrays.fill(out, (byte) 0x55);
                int n = opener.openRequestInto(MODEL, USER, "r-1", wire, offset, req.payload().length, out);
                assertThat(n).isEqualTo(plaintext.length);
                assertThat(java.util.Arrays.copyOf(out, n)).isEqualTo(plaintext);
                assertThat(java.util.Arrays.copyOfRange(out, n, out.length)).containsOnly(0x55);

                int half = plaintext.length / 2;
                java.util.List<java.nio.ByteBuffer> parts = java.util.List.of(java.nio.ByteBuffer.wrap(plaintext, 0, half),
                        java.nio.ByteBuffer.wrap(plaintext, half, plaintext.length - half));
                byte[] frame = new byte[offset + RequestCipher.sealedLength(parts)];
                sealer.sealResponseInto(MODEL, USER, "r-1", parts, frame, offset);
                byte[] payload = java.util.Arrays.copyOfRange(frame, offset, frame.length);
                assertThat(opener.openResponse(new RequestEnvelope(MODEL, USER, "r-1", payload))).isEqualTo(plaintext);
            }
        }
    }

    @Test
    void aFailedOpenIntoLeavesNoPlaintextBehind() {
        byte[] pt = new byte[100_000];
        java.util.Arrays.fill(pt, (byte) 0x42);
        for (CryptoProvider p : PROVIDERS) {
            RequestEnvelope req = new RequestCipher(key, p).sealRequest(MODEL, USER, "r-1", pt);
            byte[] tampered = req.payload().clone();
            tampered[tampered.length - 1] ^= 1; // the tag
            byte[] out = new byte[pt.length];
            assertThatThrownBy(() -> new RequestCipher(key, p).openRequestInto(MODEL, USER, "r-1", tampered, 0, tampered.length, out))
                    .isInstanceOf(CryptoException.class).hasMessageContaining("does not decrypt");
            assertThat(out).containsOnly(0);
            assertThatThrownBy(() -> new RequestCipher(key, p).openRequestInto(MODEL, USER, "r-2", req.payload(), 0, req.payload().length, out))
                    .isInstanceOf(CryptoException.class);
            assertThat(out).containsOnly(0);
            assertThatThrownBy(() -> new RequestCipher(key, p).openRequestInto(MODEL, USER, "r-1", req.payload(), 0, 27, out))
                    .isInstanceOf(CryptoException.class).hasMessageContaining("at least");
            assertThatThrownBy(() -> new RequestCipher(key, p).openRequestInto(MODEL, USER, "r-1", req.payload(), 0, req.payload().length,
                    new byte[pt.length - 1])).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void freshNonceEveryMessage() {
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            byte[] p = cipher.sealRequest(MODEL, USER, "r", new byte[0]).payload();
            nonces.add(java.util.HexFormat.of().formatHex(p, 0, 12));
        }
        assertThat(nonces).hasSize(1000);
    }

    @Test
    void payloadIsBoundToDirectionModelUserAndRequestId() {
        byte[] pt = "secret input".getBytes(StandardCharsets.UTF_8);
        RequestEnvelope req = cipher.sealRequest(MODEL, USER, "r-1", pt);
        assertThatThrownBy(() -> cipher.openResponse(req)).isInstanceOf(CryptoException.class)
                .extracting(e -> ((CryptoException) e).reason()).isEqualTo(CryptoException.Reason.AUTHENTICATION_FAILED);
        for (RequestEnvelope moved : new RequestEnvelope[] {
            new RequestEnvelope(new ModelId(OWNER, "resnet-51"), USER, "r-1", req.payload()),
            new RequestEnvelope(new ModelId(USER, "resnet-50"), USER, "r-1", req.payload()),
            new RequestEnvelope(MODEL, OWNER, "r-1", req.payload()),
            new RequestEnvelope(MODEL, USER, "r-2", req.payload()),
        }) {
            assertThatThrownBy(() -> cipher.openRequest(moved)).isInstanceOf(CryptoException.class);
        }
        assertThatThrownBy(() -> new RequestCipher(RequestKey.generate()).openRequest(req))
                .isInstanceOf(CryptoException.class).hasMessageContaining("wrong request key");
    }

    @Test
    void everyBitOfThePayloadIsAuthenticated() {
        byte[] pt = "{\"inputs\":[]}".getBytes(StandardCharsets.UTF_8);
        RequestEnvelope req = cipher.sealRequest(MODEL, USER, "r-1", pt);
        for (int i = 0; i < req.payload().length * 8; i++) {
            byte[] t = req.payload().clone();
            t[i / 8] ^= (byte) (1 << (i % 8));
            RequestEnvelope bad = new RequestEnvelope(MODEL, USER, "r-1", t);
            assertThatThrownBy(() -> cipher.openRequest(bad)).isInstanceOf(CryptoException.class);
        }
    }

    @Test
    void errorsAndToStringNeverShowSecrets() {
        byte[] pt = "PLAINTEXT-MARKER".getBytes(StandardCharsets.UTF_8);
        RequestEnvelope req = cipher.sealRequest(MODEL, USER, "r-1", pt);
        String raw = java.util.HexFormat.of().formatHex(key.exportSecret());
        assertThat(key.toString()).doesNotContain(raw).contains("redacted");
        assertThat(req.toString()).doesNotContain("PLAINTEXT");
        try {
            new RequestCipher(RequestKey.generate()).openRequest(req);
        } catch (CryptoException e) {
            assertThat(e.getMessage()).doesNotContain("PLAINTEXT").doesNotContain(raw);
        }
    }

    @Test
    void keysHaveValueSemanticsAndExactLength() {
        RequestKey copy = RequestKey.fromSecret(key.exportSecret());
        assertThat(copy).isEqualTo(key).hasSameHashCodeAs(key);
        assertThat(RequestKey.generate()).isNotEqualTo(key);
        assertThatThrownBy(() -> RequestKey.fromSecret(new byte[16])).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> ModelKey.fromSecret(new byte[32], 0)).isInstanceOf(CryptoException.class);
    }
}
