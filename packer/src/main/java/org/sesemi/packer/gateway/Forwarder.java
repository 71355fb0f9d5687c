package org.sesemi.packer.gateway;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.client.platform.OpenWhiskException;
import org.sesemi.client.platform.RawInvoked;
import org.sesemi.http.Response;
import org.sesemi.packer.policy.Decision;
import org.sesemi.packer.policy.PackingPolicy;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.time.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a routed request to its function: a blocking invoke with the envelope's bytes as the parameters, as received
 * ({@link OpenWhiskClient#invokeRaw}), and the activation's result back as a slice of the platform's answer, neither
 * parsed nor re-written ({@link RawInvoked}). The activation's {@code duration} goes back to the policy as the model's
 * execution time, as the prototype did, and each completion hands the routes it makes to queued requests.
 *
 * <p>Every forwarded request ends exactly once ({@code onEnd}, after the policy learned of it): when the answer is
 * known, or, when the blocking invoke gave up before the activation ended (504), when the activation really ends —
 * watched on a virtual thread of its own, so the caller has its 504 at once.
 */
final class Forwarder {
    private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);
    /** How long a blocking invoke may wait on the platform (OpenWhisk's maximum). */
    static final long INVOKE_WAIT_MS = 60_000;
    /** After a 504, how long the gateway keeps watching the activation before it frees the policy's slot. */
    private static final Duration AFTER_TIMEOUT_WAIT = Duration.ofMinutes(5);
    private static final byte[] EMPTY_RESULT = "{}".getBytes(StandardCharsets.US_ASCII);

    private final OpenWhiskClient platform;
    private final FunctionPool pool;
    private final PackingPolicy policy;
    private final RouteQueue queue;
    private final Ticker ticker;
    private final ExecutorService watchers;

    Forwarder(OpenWhiskClient platform, FunctionPool pool, PackingPolicy policy, RouteQueue queue, Ticker ticker, ExecutorService watchers) {
        this.platform = platform;
        this.pool = pool;
        this.policy = policy;
        this.queue = queue;
        this.ticker = ticker;
        this.watchers = watchers;
    }

    /**
     * Invokes the routed function with {@code params} and answers with the runtime's answer: 200 with the sealed
     * response, or the failed activation's status with the runtime's rejection. Throws {@link GatewayRefusal} for 502
     * (platform), 503 (interrupted) and 504 (timeout).
     *
     * @param onEnd told once, when the activation is over, whether the runtime answered with a sealed response
     */
    Response forward(Decision.Route route, byte[] params, EnvelopeJson.Routing envelope, Consumer<Boolean> onEnd) {
        long t0 = ticker.read();
        String fn;
        RawInvoked r;
        try {
            fn = pool.function(route.instance());
            pool.routed(fn, route.model());
            r = platform.invokeRaw(fn, params, INVOKE_WAIT_MS);
        } catch (OpenWhiskException e) {
            end(route, ticker.read() - t0, false, onEnd);
            throw GatewayRefusal.platform("the platform refused the invocation: HTTP " + e.status() + " " + e.error());
        } catch (IOException e) {
            end(route, ticker.read() - t0, false, onEnd);
            throw GatewayRefusal.platform("the platform could not be reached: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(route, ticker.read() - t0, false, onEnd);
            throw GatewayRefusal.interrupted();
        } catch (RuntimeException e) {
            end(route, ticker.read() - t0, false, onEnd);
            throw e;
        }
        if (!r.completed()) {
            // The activation still runs: the policy learns of its end only when it really ends.
            try {
                watchers.execute(() -> watch(route, fn, r.activationId(), t0, onEnd));
            } catch (RejectedExecutionException closing) {
                end(route, ticker.read() - t0, false, onEnd);
            }
            throw GatewayRefusal.timeout("the function did not finish within " + INVOKE_WAIT_MS + " ms (activation " + r.activationId() + ")");
        }
        end(route, TimeUnit.MILLISECONDS.toNanos(Math.max(0, r.durationMs())), r.success() && !r.resultIsError(), onEnd);
        int status = r.success() ? 200 : r.status();
        if (LOG.isDebugEnabled()) {
            LOG.debug("request {} model {} -> {} (switch believed {}), HTTP {}, {} ms", envelope.requestId(), route.model(), fn,
                    route.modelSwitch(), status, r.durationMs());
        }
        // The activation's result goes back as the platform wrote it: a view of the record's bytes, not a re-write.
        return Response.parts(status, Response.JSON, List.of(r.resultOffset() < 0 ? ByteBuffer.wrap(EMPTY_RESULT) : r.result()));
    }

    /** After a 504: waits (bounded) for the activation's end, then reports it with its real duration. */
    private void watch(Decision.Route route, String fn, String activationId, long t0, Consumer<Boolean> onEnd) {
        long executionNanos = -1;
        try {
            executionNanos = platform.awaitActivation(activationId, AFTER_TIMEOUT_WAIT)
                    .map(a -> TimeUnit.MILLISECONDS.toNanos(a.path("duration").asLong())).orElse(ticker.read() - t0);
        } catch (OpenWhiskException | IOException e) {
            LOG.warn("activation {} of {}: its end could not be observed ({})", activationId, fn, e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            end(route, executionNanos >= 0 ? executionNanos : ticker.read() - t0, false, onEnd);
        }
    }

    /** Reports the completion to the policy, hands the routes it makes to queued requests, then tells {@code onEnd}. */
    private void end(Decision.Route route, long executionNanos, boolean served, Consumer<Boolean> onEnd) {
        try {
            for (Decision.Route next : policy.completed(route, executionNanos)) {
                queue.handOver(next);
            }
        } finally {
            onEnd.accept(served);
        }
    }
}
