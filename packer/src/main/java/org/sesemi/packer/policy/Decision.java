package org.sesemi.packer.policy;

import java.util.Optional;

/**
 * What a {@link PackingPolicy} decided for one request. The gateway (or the simulator) acts on it: a {@link Route} is
 * sent to that function instance now, a {@link Queued} request is held by the policy until an instance frees up
 * (it comes back from {@link PackingPolicy#completed}) or its deadline passes (the caller then calls
 * {@link PackingPolicy#cancel}), and a {@link Rejected} request fails at once.
 */
public sealed interface Decision {
    /** The caller's id for the request, unique among requests the policy has not finished with. */
    long requestId();

    /** The model the request is for. */
    String model();

    /**
     * Send the request to function instance {@code instance} of the pool.
     *
     * @param modelSwitch whether the policy believes the instance does not hold the model yet, so it pays a model
     *     load (key release, fetch, decrypt, session creation); the simulator counts what really happens
     * @param evicted the model the policy believes the load pushes out of the instance's cache, if any
     */
    record Route(long requestId, String model, int instance, boolean modelSwitch, Optional<String> evicted)
            implements Decision {
        public Route {
            if (instance < 0) {
                throw new IllegalArgumentException("negative instance");
            }
        }
    }

    /** Held by the policy; rejected by the caller ({@link PackingPolicy#cancel}) if still held at the deadline. */
    record Queued(long requestId, String model, long deadlineNanos) implements Decision {}

    /** Failed at once ({@code "All Busy"} in the prototype). */
    record Rejected(long requestId, String model, String reason) implements Decision {}
}
