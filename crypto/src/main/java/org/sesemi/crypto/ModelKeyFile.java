package org.sesemi.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An owner's local copy of a model key: JSON {@code {"type":"sesemi.model-key","format":1,"modelId":...,
 * "keyVersion":N,"key":"<base64 32 bytes>"}}, written with mode 0600 ({@link KeyFileJson}).
 */
public record ModelKeyFile(ModelId modelId, ModelKey key) {
    static final String TYPE = "sesemi.model-key";

    public void write(Path file) {
        byte[] raw = key.exportSecret();
        try {
            KeyFileJson.write(file, TYPE, n -> n.put("modelId", modelId.toString()).put("keyVersion", key.version()), raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    public static ModelKeyFile read(Path file) {
        JsonNode n = KeyFileJson.read(file, TYPE);
        ModelId id;
        try {
            id = ModelId.parse(n.path("modelId").asText());
        } catch (CryptoException e) {
            throw KeyFileJson.invalid(file, "invalid modelId (" + e.getMessage() + ")");
        }
        int version = n.path("keyVersion").asInt(0);
        return KeyFileJson.withSecret(file, n, raw -> new ModelKeyFile(id, ModelKey.fromSecret(raw, version)));
    }

    @Override
    public String toString() {
        return "ModelKeyFile[" + modelId + ", " + key + "]";
    }
}
