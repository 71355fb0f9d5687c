package org.sesemi.http;

import java.io.IOException;
import java.io.InputStream;

/**
 * Discards a bounded part of a body nobody will read. After a refusal the answer is written and flushed first, then the
 * rest of the body is drained (at most the service's drain limit), then the connection is closed: a client still
 * sending its body reads the answer instead of a connection reset (closing a socket with unread input resets it, and
 * the reset can destroy the answer in flight). A client that stops sending is cut off by the JDK server's request
 * deadline ({@link JdkServerSettings}); beyond the drain limit the client may see a reset.
 */
final class Drain {
    private Drain() {}

    /** Reads and discards at most {@code atMost} bytes; returns how many were read. Never throws. */
    static long discard(InputStream in, long atMost) {
        byte[] sink = new byte[64 * 1024];
        long seen = 0;
        try {
            int k;
            while (seen < atMost && (k = in.read(sink, 0, (int) Math.min(sink.length, atMost - seen))) > 0) {
                seen += k;
            }
        } catch (IOException | RuntimeException e) {
            // the client stopped sending or went away: the answer is out either way
        }
        return seen;
    }
}
