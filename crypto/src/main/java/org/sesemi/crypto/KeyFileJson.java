package org.sesemi.crypto;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Consumer;

/**
 * The one layout of local key files ({@link ModelKeyFile}, the user's request key file):
 * {@code {"type":"<type>","format":1, <fields>..., "key":"<base64>"}}, at most 4 KiB, written owner-only (0600) and
 * never overwritten. Errors are {@link CryptoException.Reason#KEY_FILE} with the file name and never the key.
 */
public final class KeyFileJson {
    private static final int MAX_BYTES = 4096;
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private KeyFileJson() {}

    /** Writes a key file; {@code fields} adds the non-secret fields between the header and the key. */
    public static void write(Path file, String type, Consumer<ObjectNode> fields, byte[] secret) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", type).put("format", 1);
        fields.accept(n);
        n.put("key", Base64.getEncoder().encodeToString(secret));
        try {
            SecureFiles.writeOwnerOnly(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n), false);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory JSON write failed", e);
        }
    }

    /** Reads and checks the header of a key file of {@code type}; the caller reads its fields. */
    public static JsonNode read(Path file, String type) {
        byte[] content = SecureFiles.read(file, MAX_BYTES);
        JsonNode n;
        try {
            n = JSON.readTree(content);
        } catch (IOException e) {
            throw invalid(file, "not JSON");
        }
        if (n == null || !type.equals(n.path("type").asText()) || n.path("format").asInt() != 1) {
            throw invalid(file, "not a SeSeMI key file of type " + type + ", format 1");
        }
        return n;
    }

    /** The decoded {@code key} field, handed to {@code use} and wiped afterwards. */
    public static <T> T withSecret(Path file, JsonNode n, java.util.function.Function<byte[], T> use) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(n.path("key").asText(""));
        } catch (IllegalArgumentException e) {
            throw invalid(file, "key is not base64");
        }
        try {
            return use.apply(raw);
        } catch (CryptoException e) {
            throw invalid(file, "invalid key (" + e.getMessage() + ")");
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    public static CryptoException invalid(Path file, String why) {
        return new CryptoException(CryptoException.Reason.KEY_FILE, file + ": " + why);
    }
}
