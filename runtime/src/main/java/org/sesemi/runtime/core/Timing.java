package org.sesemi.runtime.core;

/**
 * Non-secret timing of one request, in milliseconds (0 when a phase did not run, e.g. on a warm request).
 *
 * @param cold true if this request fetched keys or loaded the model
 */
public record Timing(boolean cold, double keyFetchMs, double modelFetchMs, double decryptMs, double sessionMs, double inferenceMs,
        double totalMs) {}
