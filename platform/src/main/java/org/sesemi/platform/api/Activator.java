package org.sesemi.platform.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import org.sesemi.platform.invoker.ActionSpec;
import org.sesemi.platform.invoker.ActivationOutcome;
import org.sesemi.platform.invoker.Invocation;
import org.sesemi.platform.invoker.Invoker;
import org.sesemi.platform.store.PlatformStore;
import org.sesemi.platform.store.StoredActivation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts activations: hands an {@link Invocation} to the {@link Invoker}, and when the outcome arrives turns it into
 * the activation record, queues it for the store, releases the throttle permit, and completes the future a blocking
 * request waits on (OpenWhisk's active ack: the answer does not wait for the write). The record is queued before the
 * future completes and the store runs its statements in order on one thread, so a client that got a result and then
 * asks for the record always finds it.
 *
 * <p>An invoker failure (an exception instead of an outcome) becomes a recorded whisk internal error, so every
 * activation id handed out leads to a record.
 */
final class Activator {
    private static final Logger LOG = LoggerFactory.getLogger(Activator.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A finished activation: the full stored record and its status code. */
    record Completed(ObjectNode record, int statusCode) {}

    /** A started activation. */
    record Pending(String activationId, CompletableFuture<Completed> completion) {}

    private final PlatformStore store;
    private final Invoker invoker;
    private final Clock clock;

    Activator(PlatformStore store, Invoker invoker, Clock clock) {
        this.store = store;
        this.invoker = invoker;
        this.clock = clock;
    }

    static String newActivationId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /**
     * Starts one activation; {@code permit} is released when it completes, whatever happens.
     *
     * @param actionPath the action relative to its namespace ({@code name} or {@code pkg/name})
     * @param transactionId the API request's transaction id ({@code X-Request-ID}), passed to the container
     */
    Pending start(Authenticator.Caller caller, ActionSpec action, String actionPath, ObjectNode params, long receivedAt,
            boolean provideApiKey, Throttles.Permit permit, String transactionId) {
        String id = newActivationId();
        Invocation inv = new Invocation(id, caller.subject().name(), caller.subject().namespace(), action, params, receivedAt,
                provideApiKey ? Optional.of(caller.apiKey()) : Optional.empty(), transactionId);
        CompletableFuture<ActivationOutcome> running;
        try {
            running = invoker.invoke(inv);
        } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
        }
        // On the thread that completed the outcome: nothing here blocks (the store write is queued), so no thread hop.
        CompletableFuture<Completed> done = running.handle((outcome, failure) -> {
            try {
                ActivationOutcome o = outcome;
                if (failure != null || o == null) {
                    LOG.warn("activation {} of {} failed in the invoker", id, action.path(), failure);
                    long now = clock.millis();
                    ObjectNode error = JsonNodeFactory.instance.objectNode().put("error", "An internal error occurred while running the action.");
                    o = new ActivationOutcome(now, now, ActivationOutcome.INTERNAL_ERROR, error, List.of(), OptionalLong.empty(),
                            Math.max(0, now - receivedAt), false, "none");
                }
                ObjectNode record = ActivationRecords.record(inv, caller.subject().name(), o);
                store.addActivationLater(new StoredActivation(inv.invocationNamespace(), id, actionPath, o.start(),
                        Math.max(0, o.end() - o.start()), action.limits().memoryMb(), o.initTimeMs().isPresent(), o.statusCode(), record))
                        .whenComplete((stored, e) -> {
                            if (e == null) {
                                return;
                            }
                            if (store.isClosed()) {
                                LOG.debug("activation {} finished after the platform stopped; its record is dropped", id);
                            } else {
                                LOG.error("activation {} could not be stored", id, e);
                            }
                        });
                return new Completed(record, o.statusCode());
            } finally {
                permit.release();
            }
        });
        return new Pending(id, done);
    }
}
