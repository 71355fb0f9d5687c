package org.sesemi.packer.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import org.sesemi.http.Handler;
import org.sesemi.http.Request;

/**
 * The callers' credential: with a token configured, a guarded route needs {@code Authorization: Bearer <token>} and
 * answers 401 ({@code unauthenticated}, with {@code WWW-Authenticate: Bearer}) without it. The token is kept as its
 * SHA-256 and compared digest to digest (constant time, length hidden). Without a token every route is open.
 */
final class CallerToken {
    private final Optional<byte[]> digest;

    CallerToken(Optional<String> token) {
        this.digest = token.map(CallerToken::sha256);
    }

    /** {@code handler}, answered only for callers with the token. */
    Handler guard(Handler handler) {
        return r -> {
            if (!admits(r)) {
                r.setResponseHeader("WWW-Authenticate", "Bearer");
                throw GatewayRefusal.unauthenticated();
            }
            return handler.handle(r);
        };
    }

    private boolean admits(Request r) {
        if (digest.isEmpty()) {
            return true;
        }
        Optional<String> h = r.header("Authorization");
        if (h.isEmpty() || !h.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(digest.get(), sha256(h.get().substring(7).strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
