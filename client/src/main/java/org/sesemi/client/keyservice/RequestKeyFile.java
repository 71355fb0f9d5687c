package org.sesemi.client.keyservice;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.Measurement;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.RequestKey;
import org.sesemi.crypto.SecureFiles;

/**
 * A user's local copy of a request key for (model, runtime measurement): JSON {@code {"type":"sesemi.request-key",
 * "format":1,"modelId":...,"measurement":...,"key":"<base64 32 bytes>"}}, written with mode 0600 and never
 * overwritten. The user encrypts requests with it; the KeyService releases it to runtimes with that measurement.
 */
public record RequestKeyFile(ModelId modelId, Measurement measurement, RequestKey key) {
    static final String TYPE = "sesemi.request-key";
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    public void write(Path file) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", TYPE).put("format", 1).put("modelId", modelId.toString()).put("measurement", measurement.value());
        byte[] raw = key.exportSecret();
        n.put("key", Base64.getEncoder().encodeToString(raw));
        Arrays.fill(raw, (byte) 0);
        try {
            SecureFiles.writeOwnerOnly(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n), false);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static RequestKeyFile read(Path file) {
        byte[] content = readSmall(file);
        JsonNode n;
        try {
            n = JSON.readTree(content);
        } catch (IOException e) {
            throw bad(file, "not JSON");
        }
        if (n == null || !TYPE.equals(n.path("type").asText()) || n.path("format").asInt() != 1) {
            throw bad(file, "not a SeSeMI request key file (type " + TYPE + ", format 1)");
        }
        try {
            ModelId id = ModelId.parse(n.path("modelId").asText());
            Measurement m = Measurement.parse(n.path("measurement").asText());
            byte[] raw = Base64.getDecoder().decode(n.path("key").asText(""));
            try {
                return new RequestKeyFile(id, m, RequestKey.fromSecret(raw));
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
        } catch (IllegalArgumentException | CryptoException | AttestationException e) {
            throw bad(file, "invalid field (" + (e instanceof IllegalArgumentException ? "key is not base64" : e.getMessage()) + ")");
        }
    }

    private static byte[] readSmall(Path file) {
        try (var in = java.nio.file.Files.newInputStream(file)) {
            byte[] b = in.readNBytes(4097);
            if (b.length > 4096) {
                throw bad(file, "too large for a request key file");
            }
            return b;
        } catch (java.nio.file.NoSuchFileException e) {
            throw bad(file, "no such file");
        } catch (IOException e) {
            throw bad(file, "cannot read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static CryptoException bad(Path file, String why) {
        return new CryptoException(CryptoException.Reason.KEY_FILE, file + ": " + why);
    }

    @Override
    public String toString() {
        return "RequestKeyFile[" + modelId + ", " + measurement + ", key=<redacted>]";
    }
}
