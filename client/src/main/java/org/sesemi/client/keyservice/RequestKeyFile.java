package org.sesemi.client.keyservice;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.RequestKey;
import org.sesemi.crypto.KeyFileJson;

/**
 * A user's local copy of a request key for (model, runtime measurement): JSON {@code {"type":"sesemi.request-key",
 * "format":1,"modelId":...,"measurement":...,"key":"<base64 32 bytes>"}}, written with mode 0600 and never
 * overwritten. The user encrypts requests with it; the KeyService releases it to runtimes with that measurement (or
 * that a signer / register rule admits, when {@code measurement} holds the rule's text).
 */
public record RequestKeyFile(ModelId modelId, RuntimeRule measurement, RequestKey key) {
    static final String TYPE = "sesemi.request-key";

    /** Writes the file with mode 0600; refuses to overwrite an existing file. */
    public void write(Path file) {
        byte[] raw = key.exportSecret();
        try {
            KeyFileJson.write(file, TYPE, n -> n.put("modelId", modelId.toString()).put("measurement", measurement.value()), raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** Reads a file written by {@link #write}; a malformed or foreign file is refused with a message naming it. */
    public static RequestKeyFile read(Path file) {
        JsonNode n = KeyFileJson.read(file, TYPE);
        ModelId id;
        RuntimeRule m;
        try {
            id = ModelId.parse(n.path("modelId").asText());
            m = RuntimeRule.parse(n.path("measurement").asText());
        } catch (CryptoException | AttestationException e) {
            throw KeyFileJson.invalid(file, "invalid field (" + e.getMessage() + ")");
        }
        return KeyFileJson.withSecret(file, n, raw -> new RequestKeyFile(id, m, RequestKey.fromSecret(raw)));
    }

    @Override
    public String toString() {
        return "RequestKeyFile[" + modelId + ", " + measurement + ", key=<redacted>]";
    }
}
