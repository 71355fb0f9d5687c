package org.sesemi.platform.invoker;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a container answered to {@code /init} or {@code /run} (reference §1.3, §1.5), as the activation reports it:
 * {@link #result()} is the activation's {@code response.result}, {@link #statusCode()} its status code.
 */
sealed interface ProxyReply {
    JsonNode result();

    int statusCode();

    /** The action answered as it should: {@code /init} succeeded, or {@code /run} produced a result. */
    record Success(JsonNode result) implements ProxyReply {
        @Override
        public int statusCode() {
            return ActivationOutcome.SUCCESS;
        }
    }

    /** The action ran and reported an error of its own ({@code {"error": ...}} with 200), or answered too much. */
    record ApplicationError(JsonNode result) implements ProxyReply {
        @Override
        public int statusCode() {
            return ActivationOutcome.APPLICATION_ERROR;
        }
    }

    /**
     * The container answered, but not as the protocol asks (a non-200 status, no valid JSON); {@code httpStatus} is
     * its status ({@code 503}: busy, or for a stock OpenWhisk unhealthy).
     */
    record DeveloperError(int httpStatus, JsonNode result) implements ProxyReply {
        @Override
        public int statusCode() {
            return ActivationOutcome.DEVELOPER_ERROR;
        }
    }

    /** No answer within the action's time limit. */
    record Timeout(JsonNode result) implements ProxyReply {
        @Override
        public int statusCode() {
            return ActivationOutcome.DEVELOPER_ERROR;
        }
    }

    /**
     * The connection failed ({@code httpStatus} 0) or the container answered without a length (it exited while
     * answering; {@code httpStatus} is what it had answered).
     */
    record ConnectionFailure(int httpStatus, JsonNode result) implements ProxyReply {
        @Override
        public int statusCode() {
            return ActivationOutcome.DEVELOPER_ERROR;
        }
    }

    /** The container answered {@code 503}: it has no room now (a SeMIRT runtime's full admission queue). */
    default boolean busy() {
        return this instanceof DeveloperError d && d.httpStatus() == 503
                || this instanceof ConnectionFailure c && c.httpStatus() == 503;
    }

    default boolean timedOut() {
        return this instanceof Timeout;
    }
}
