package org.sesemi.crypto;


import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Known-answer vectors from docs/vectors/vectors.json, produced by an independent Python implementation of
 * docs/protocol.md (docs/vectors/generate_vectors.py). Java must produce and accept exactly these bytes.
 */
class KnownAnswerTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final JsonNode V;

    static {
        try {
            V = new ObjectMapper().readTree(Path.of("../docs/vectors/vectors.json").toFile());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("docs/vectors/vectors.json missing", e);
        }
    }

    @Test
    void requestAndResponseEnvelopes() {
        for (String name : new String[] {"request_envelope", "response_envelope"}) {
            JsonNode v = V.get(name);
            RequestCipher cipher = new RequestCipher(RequestKey.fromSecret(HEX.parseHex(v.get("key_hex").asText())));
            JsonNode env = v.get("envelope");
            Direction d = v.get("direction").asText().equals("request") ? Direction.REQUEST : Direction.RESPONSE;
            byte[] plaintext = v.get("plaintext_utf8").asText().getBytes(StandardCharsets.UTF_8);

            RequestEnvelope produced = cipher.seal(d, ModelId.parse(env.get("model").asText()), PrincipalId.parse(env.get("user").asText()),
                    env.get("requestId").asText(), plaintext, HEX.parseHex(v.get("nonce_hex").asText()));
            RequestEnvelope expected = new RequestEnvelope(ModelId.parse(env.get("model").asText()), PrincipalId.parse(env.get("user").asText()),
                    env.get("requestId").asText(), java.util.Base64.getDecoder().decode(env.get("payload").asText()));
            assertThat(produced).as(name).isEqualTo(expected);
            byte[] opened = d == Direction.REQUEST ? cipher.openRequest(expected) : cipher.openResponse(expected);
            assertThat(opened).isEqualTo(plaintext);
        }
    }

    @Test
    void modelEnvelopes() throws Exception {
        for (String name : new String[] {"model_empty", "model_three_segments"}) {
            JsonNode v = V.get(name);
            ModelKey key = ModelKey.fromSecret(HEX.parseHex(v.get("key_hex").asText()), v.get("key_version").asInt());
            int len = v.get("plaintext_length").asInt();
            byte[] plain = new byte[len];
            for (int i = 0; i < len; i++) {
                plain[i] = (byte) (i % 251);
            }
            ModelId id = ModelId.parse(v.get("model_id").asText());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ModelCipher.encrypt(new ByteArrayInputStream(plain), len, out, id, key, v.get("segment_size").asInt(), n -> {},
                    HEX.parseHex(v.get("base_nonce_hex").asText()));
            byte[] ct = out.toByteArray();
            assertThat(ct).as(name).hasSize(v.get("ciphertext_length").asInt());
            assertThat(HEX.formatHex(ct, 0, v.get("header_hex").asText().length() / 2)).isEqualTo(v.get("header_hex").asText());
            assertThat(Hashes.sha256Hex(ct)).isEqualTo(v.get("ciphertext_sha256").asText());
            String last = v.get("last_segment_hex").asText();
            assertThat(HEX.formatHex(ct, ct.length - last.length() / 2, ct.length)).isEqualTo(last);
            try (DecryptedModel m = ModelCipher.decrypt(new ByteArrayInputStream(ct), id, key, ModelCipher.BufferKind.HEAP)) {
                assertThat(m.toByteArray()).isEqualTo(plain);
            }
        }
    }

    @Test
    void sealedRecord() {
        JsonNode v = V.get("sealed_record");
        AesGcmSealingKey key = (AesGcmSealingKey) SealingKey.aesGcm(HEX.parseHex(v.get("key_hex").asText()));
        byte[] aad = v.get("aad_utf8").asText().getBytes(StandardCharsets.UTF_8);
        byte[] pt = HEX.parseHex(v.get("plaintext_hex").asText());
        byte[] sealed = key.seal(pt, aad, HEX.parseHex(v.get("nonce_hex").asText()));
        assertThat(HEX.formatHex(sealed)).isEqualTo(v.get("sealed_hex").asText());
        assertThat(key.unseal(sealed, aad)).isEqualTo(pt);
    }
}
