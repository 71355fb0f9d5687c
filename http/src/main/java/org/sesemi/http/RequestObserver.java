package org.sesemi.http;

/**
 * Told of every finished exchange (the metrics hook: request count and duration per route). Called on the exchange's
 * thread after the answer went out; must not block.
 */
@FunctionalInterface
public interface RequestObserver {
    /**
     * @param method   a bounded label: {@code GET PUT POST DELETE HEAD OPTIONS PATCH}, else {@code OTHER}
     * @param route    the matched route template ({@code /v1/models/{owner}/{name}/key}), or {@link Request#UNMATCHED}
     * @param status   the status sent, or -1 when no answer could be sent (the client went away)
     * @param nanos    from the request's arrival at the handler to the end of the answer
     * @param bytesIn  request body bytes read (not counting a drained, refused body)
     * @param bytesOut response body bytes written
     */
    void completed(String method, String route, int status, long nanos, long bytesIn, long bytesOut);

    RequestObserver NONE = (m, r, s, n, i, o) -> { };
}
