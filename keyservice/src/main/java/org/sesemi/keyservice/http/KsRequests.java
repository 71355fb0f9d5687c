package org.sesemi.keyservice.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.protocol.keyservice.ErrorReason;
import org.sesemi.protocol.keyservice.WireFormatException;
import org.sesemi.protocol.keyservice.WireJson;
import org.sesemi.crypto.CryptoException;
import org.sesemi.http.Request;
import org.sesemi.keyservice.core.DeniedException;

/**
 * Strict reading of the KeyService's requests: JSON bodies (size-limited by the HTTP layer, {@code application/json}
 * only, wiped after decoding since they may hold keys), path parameters and query parameters. Every validation failure
 * is {@code malformed} with a message that never quotes a secret.
 */
final class KsRequests {
    static final String JSON = "application/json";
    private final int maxBodyBytes;

    KsRequests(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    <T> T body(Request r, Class<T> type) {
        byte[] b = read(r);
        if (b.length == 0) {
            throw new DeniedException(ErrorReason.MALFORMED, "a JSON body is required");
        }
        try {
            return WireJson.read(b, type);
        } catch (WireFormatException e) {
            throw new DeniedException(ErrorReason.MALFORMED, e.getMessage());
        } finally {
            java.util.Arrays.fill(b, (byte) 0);
        }
    }

    void noBody(Request r) {
        if (read(r).length != 0) {
            throw new DeniedException(ErrorReason.MALFORMED, "this operation takes no body");
        }
    }

    /** Register accepts no body or {@code {}}. */
    void optionalEmptyObject(Request r) {
        byte[] b = read(r);
        if (b.length != 0 && !new String(b, StandardCharsets.UTF_8).strip().equals("{}")) {
            throw new DeniedException(ErrorReason.MALFORMED, "register takes no body or {}");
        }
    }

    /** At most {@code maxBodyBytes} (the layer answers 413 beyond); a non-empty body must be {@code application/json}. */
    private byte[] read(Request r) {
        byte[] b = r.body(maxBodyBytes);
        if (b.length > 0) {
            String ct = r.header("Content-Type").orElse("");
            String mime = ct.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!mime.equals(JSON)) {
                java.util.Arrays.fill(b, (byte) 0);
                throw new DeniedException(ErrorReason.UNSUPPORTED_MEDIA_TYPE, "bodies must be sent as " + JSON);
            }
        }
        return b;
    }

    interface Parse<T> {
        T get();
    }

    /** Parses one field or path parameter; any validation failure is {@code malformed}. */
    static <T> T param(Parse<T> p, String what) {
        try {
            return p.get();
        } catch (CryptoException | AttestationException | IllegalArgumentException e) {
            throw new DeniedException(ErrorReason.MALFORMED, "invalid " + what + ": " + e.getMessage());
        }
    }

    static byte[] base64Key(String b64, String field) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new DeniedException(ErrorReason.MALFORMED, "field '" + field + "' is not base64");
        }
        if (raw.length != 32) {
            java.util.Arrays.fill(raw, (byte) 0);
            throw new DeniedException(ErrorReason.MALFORMED, "field '" + field + "' must be 32 bytes (AES-256), base64");
        }
        return raw;
    }

    /** A model key version from a path: a decimal 1..2^31-1 without sign or leading zeros. */
    static int version(String text) {
        if (!text.matches("[1-9][0-9]{0,9}")) {
            throw new IllegalArgumentException("a key version is a positive decimal number");
        }
        long v = Long.parseLong(text);
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a key version is at most " + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    /** A measurement or rule from a path: only its canonical form (lowercase, no spaces), as the store keys it. */
    static RuntimeRule strictRule(String text) {
        RuntimeRule r = RuntimeRule.parse(text);
        if (!r.value().equals(text)) {
            throw new IllegalArgumentException("not in canonical form (lowercase, no spaces)");
        }
        return r;
    }

    /** Strict query parsing: known keys only, each at most once, plain ASCII values. */
    record Query(Map<String, String> values) {
        static Query parse(String raw, List<String> known) {
            Map<String, String> m = new HashMap<>();
            if (raw != null && !raw.isEmpty()) {
                if (raw.length() > 1024) {
                    throw new DeniedException(ErrorReason.MALFORMED, "query too long");
                }
                for (String part : raw.split("&")) {
                    int eq = part.indexOf('=');
                    String k = eq < 0 ? part : part.substring(0, eq);
                    String v = eq < 0 ? "" : part.substring(eq + 1);
                    if (!known.contains(k) || m.put(k, v) != null) {
                        throw new DeniedException(ErrorReason.MALFORMED, "unknown or repeated query parameter");
                    }
                }
            }
            return new Query(m);
        }

        Optional<String> get(String k) {
            return Optional.ofNullable(values.get(k));
        }
    }
}
