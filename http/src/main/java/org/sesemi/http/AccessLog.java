package org.sesemi.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log (logger {@code org.sesemi.http.access}, DEBUG): server, method label, route template, status,
 * duration, body bytes in and out. Never a path parameter, query value, header value or body: those may be secrets
 * (API keys, model ids of users, tokens).
 */
final class AccessLog implements RequestObserver {
    private static final Logger LOG = LoggerFactory.getLogger("org.sesemi.http.access");
    private final String server;

    AccessLog(String server) {
        this.server = server;
    }

    @Override
    public void completed(String method, String route, int status, long nanos, long bytesIn, long bytesOut) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} {} {} {} {} ms in={} out={}", server, method, route, status, String.format("%.3f", nanos / 1e6), bytesIn, bytesOut);
        }
    }
}
