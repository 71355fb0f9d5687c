package org.sesemi.platform.invoker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.OptionalLong;

/**
 * What running an activation produced; the API turns it into the activation record.
 *
 * @param start epoch ms: start of {@code /init} for a cold or prewarm start, else start of {@code /run}
 * @param end epoch ms: end of {@code /run} (or of the failed {@code /init})
 * @param statusCode 0 success, 1 application error, 2 action developer error, 3 whisk internal error
 * @param result the activation's {@code response.result} (an object; errors are {@code {"error": ...}})
 * @param logs log lines, {@code "<ISO-8601 time> stdout: <line>"} / {@code stderr}, sentinels removed
 * @param initTimeMs time spent in {@code /init}; present only for cold and prewarm starts
 * @param waitTimeMs from {@link Invocation#receivedAtMillis()} to the start of init (cold) or run (warm)
 * @param timeout init + run reached the action's timeout
 * @param containerState how the container was obtained: {@code warm}, {@code prewarmed}, {@code cold}
 */
public record ActivationOutcome(long start, long end, int statusCode, JsonNode result, List<String> logs, OptionalLong initTimeMs,
        long waitTimeMs, boolean timeout, String containerState) {
    public static final int SUCCESS = 0, APPLICATION_ERROR = 1, DEVELOPER_ERROR = 2, INTERNAL_ERROR = 3;
}
