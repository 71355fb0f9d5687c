package org.sesemi.platform.store;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One activation record and the columns it is queried and billed by.
 *
 * @param namespace the invoking subject's namespace (who may read it)
 * @param activationId 32 lowercase hex characters
 * @param actionPath the action relative to its namespace: {@code name} or {@code pkg/name} (the list filter)
 * @param start epoch ms, the list's order and the since/upto filter
 * @param durationMs billed duration (init + run on a cold start)
 * @param memoryMb the action's configured memory, what GB-seconds count
 * @param cold whether the activation ran {@code /init} (cold or prewarm start)
 * @param statusCode 0..3
 * @param record the full activation record as the API returns it, logs included
 */
public record StoredActivation(String namespace, String activationId, String actionPath, long start, long durationMs, int memoryMb,
        boolean cold, int statusCode, ObjectNode record) {}
