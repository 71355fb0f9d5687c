package org.sesemi.platform.invoker;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One activation to run.
 *
 * @param activationId 32 lowercase hex characters
 * @param subject the authenticated subject that invoked
 * @param invocationNamespace the caller's namespace (containers are never shared across invocation namespaces)
 * @param params the invocation's parameters; the invoker merges {@link ActionSpec#defaultParams()} under them
 * @param receivedAtMillis when the controller received the request (epoch ms): {@code waitTime} counts from here
 * @param apiKey the invoking subject's {@code uuid:key}, passed as {@code api_key} to {@code /run} only when the
 *     action's {@code provide-api-key} annotation is true; else empty
 * @param transactionId the API request's transaction id (its {@code X-Request-ID}), passed as {@code transaction_id}
 *     and {@code __OW_TRANSACTION_ID} as OpenWhisk does; not the activation id
 */
public record Invocation(String activationId, String subject, String invocationNamespace, ActionSpec action, ObjectNode params,
        long receivedAtMillis, java.util.Optional<String> apiKey, String transactionId) {
    /** Without the parameters and the API key: safe to log. */
    @Override
    public String toString() {
        return "Invocation[" + activationId + " of " + action.path() + " by " + subject + " in " + invocationNamespace + "]";
    }
}
