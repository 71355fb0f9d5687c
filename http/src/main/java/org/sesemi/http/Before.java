package org.sesemi.http;

import java.util.Optional;

/**
 * Runs before routing for every request: sets headers every answer carries ({@link Request#setResponseHeader}), or
 * answers the request itself (e.g. CORS pre-flight {@code OPTIONS}) by returning a response.
 */
@FunctionalInterface
public interface Before {
    Optional<Response> apply(Request request);
}
