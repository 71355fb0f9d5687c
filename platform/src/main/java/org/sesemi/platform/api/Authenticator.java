package org.sesemi.platform.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import org.sesemi.platform.store.PlatformStore;
import org.sesemi.platform.store.Subject;

/**
 * HTTP Basic authentication with OpenWhisk API keys {@code uuid:key}. The store holds only SHA-256 of the key;
 * the presented key is hashed and compared in constant time, and an unknown uuid is compared against a dummy hash
 * so that both failures take the same path. Neither the header nor the key is ever logged or echoed.
 */
public final class Authenticator {
    /** An authenticated caller; {@code apiKey} is the presented {@code uuid:key}, handed to actions that ask for it. */
    public record Caller(Subject subject, String apiKey) {
        @Override
        public String toString() {
            return "Caller[" + subject.name() + "]";
        }
    }

    private static final int MAX_HEADER = 1024;
    private static final byte[] DUMMY = new byte[32];
    private final PlatformStore store;

    public Authenticator(PlatformStore store) {
        this.store = store;
    }

    /** Hashes a key part for storage and comparison. */
    public static byte[] hashKey(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /**
     * Authenticates an {@code Authorization} header value.
     *
     * @throws ApiException 401 when the header is missing, malformed, or the key does not match
     */
    public Caller authenticate(Optional<String> header) {
        String h = header.orElseThrow(() -> new ApiException(401, Messages.AUTH_REQUIRED)).trim();
        if (h.length() > MAX_HEADER || h.length() < 6 || !h.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw new ApiException(401, Messages.AUTH_REQUIRED);
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(401, Messages.AUTH_INVALID);
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw new ApiException(401, Messages.AUTH_INVALID);
        }
        String uuid = decoded.substring(0, colon);
        byte[] presented = hashKey(decoded.substring(colon + 1));
        Optional<Subject> subject = store.subjectByUuid(uuid);
        byte[] expected = subject.map(Subject::keySha256).orElse(DUMMY);
        boolean match = MessageDigest.isEqual(presented, expected);
        if (subject.isEmpty() || !match) {
            throw new ApiException(401, Messages.AUTH_INVALID);
        }
        return new Caller(subject.get(), decoded);
    }
}
