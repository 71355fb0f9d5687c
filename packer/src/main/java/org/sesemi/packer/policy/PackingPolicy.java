package org.sesemi.packer.policy;

import java.util.List;

/**
 * Decides which function instance of a pool serves each request, given only the request's model id (the payload is
 * encrypted). Policies are pure code: no I/O, no threads, time from an injected clock (a nanoTime-like
 * {@link org.sesemi.time.Ticker}), so the same policy runs in the gateway, in unit tests with a fake clock
 * and in the trace-driven simulator.
 *
 * <p>Protocol: {@link #offer} every request once; send each {@link Decision.Route} to its instance; report every
 * routed request's end with {@link #completed}, which may hand back queued requests that can now be routed (send
 * them too); when a {@link Decision.Queued} request's deadline passes, call {@link #cancel} and reject it if that
 * returns true. Request ids are the caller's and must be unique among requests not yet finished.
 *
 * <p>Policies keep a few numbers per model they have seen, so the caller must only offer model ids it has checked
 * (published models), never raw strings from requests.
 *
 * <p>Thread safety: implementations in this package are thread-safe (every public method is synchronized on the
 * policy), so a gateway may call them from its request threads. Calls are short and never block.
 */
public interface PackingPolicy {
    /** The policy's name as used in reports and on the command line. */
    String name();

    /** Decides for a new request of {@code model} at the clock's current time. */
    Decision offer(long requestId, String model);

    /**
     * Reports that a routed request finished on its instance.
     *
     * @param route the route this policy returned for it
     * @param executionNanos the observed execution time: the activation's duration as the platform reports it (time
     *     in the container, so including a cold start's init and a model load; the prototype used OpenWhisk's
     *     activation {@code Duration} the same way), which the policies use as the model's cost estimate
     * @return queued requests routed now that capacity is free, in the order to send them
     */
    List<Decision.Route> completed(Decision.Route route, long executionNanos);

    /**
     * Withdraws a queued request (its deadline passed, or its client went away).
     *
     * @return true if it was still queued (the caller rejects it); false if it was already routed or never queued
     */
    boolean cancel(long requestId);

    /**
     * Drops everything the policy keeps about {@code model} (its statistics, claims and believed cache entries; under
     * {@code dedicated}, its instance becomes free for another model), so that a caller can bound the models it
     * tracks. A model with requests in flight or queued is never forgotten.
     *
     * @return true if the model is now unknown to the policy (also when it was never seen); false if it is busy
     */
    boolean forget(String model);

    /** A snapshot of the policy's counters. */
    PolicyStats stats();
}
