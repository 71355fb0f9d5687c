package org.sesemi.crypto;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;

/**
 * An owner's local copy of a model key: JSON {@code {"type":"sesemi.model-key","format":1,"modelId":...,
 * "keyVersion":N,"key":"<base64 32 bytes>"}}, written with mode 0600.
 */
public record ModelKeyFile(ModelId modelId, ModelKey key) {
    static final String TYPE = "sesemi.model-key";
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public void write(Path file) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", TYPE).put("format", 1).put("modelId", modelId.toString()).put("keyVersion", key.version());
        byte[] raw = key.exportSecret();
        n.put("key", Base64.getEncoder().encodeToString(raw));
        java.util.Arrays.fill(raw, (byte) 0);
        try {
            SecureFiles.writeOwnerOnly(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n), false);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ModelKeyFile read(Path file) {
        byte[] content = SecureFiles.read(file, 4096);
        JsonNode n;
        try {
            n = JSON.readTree(content);
        } catch (IOException e) {
            throw bad(file, "not JSON");
        }
        if (n == null || !TYPE.equals(n.path("type").asText()) || n.path("format").asInt() != 1) {
            throw bad(file, "not a SeSeMI model key file (type " + TYPE + ", format 1)");
        }
        try {
            ModelId id = ModelId.parse(n.path("modelId").asText());
            int version = n.path("keyVersion").asInt(0);
            byte[] raw = Base64.getDecoder().decode(n.path("key").asText(""));
            try {
                return new ModelKeyFile(id, ModelKey.fromSecret(raw, version));
            } finally {
                java.util.Arrays.fill(raw, (byte) 0);
            }
        } catch (IllegalArgumentException | CryptoException e) {
            throw bad(file, "invalid field (" + (e instanceof CryptoException c ? c.getMessage() : "key is not base64") + ")");
        }
    }

    private static CryptoException bad(Path file, String why) {
        return new CryptoException(CryptoException.Reason.KEY_FILE, file + ": " + why);
    }

    @Override
    public String toString() {
        return "ModelKeyFile[" + modelId + ", " + key + "]";
    }
}
