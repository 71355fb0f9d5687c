package org.sesemi.packer.sim;

import java.util.Map;

/**
 * What one simulated run produced. Latencies are from arrival at the gateway to completion, for completed requests
 * only. Plain record of numbers and maps, so Jackson serialises it as is.
 *
 * @param policy the policy's name
 * @param requests arrivals replayed
 * @param completed requests that finished
 * @param rejected requests rejected at once or after their queue deadline
 * @param rejectedByReason rejections by reason ("All Busy", "queue timeout", "queue full")
 * @param queued requests the gateway queued at least once
 * @param instanceQueued requests routed to an instance already at its concurrency limit, which the platform then
 *     held until a slot freed (only {@code paper} does this: the prototype leaves overflow to OpenWhisk)
 * @param latencyP50Ms median latency
 * @param latencyP95Ms 95th percentile (nearest rank)
 * @param latencyP99Ms 99th percentile (nearest rank)
 * @param latencyMeanMs mean latency
 * @param latencyMaxMs worst latency
 * @param coldStarts container starts
 * @param modelSwitches model loads on a container that was already running (loads right after a cold start are part
 *     of the cold start and not counted here)
 * @param instancesUsed instances that ever ran a request
 * @param instanceSecondsAlive total time containers were alive: from cold start to keep-alive expiry, cut at the end
 *     of the simulation
 * @param gbSecondsAlive {@code instanceSecondsAlive} × memory: what the platform's operator pays for; the headline
 *     cost, since packing saves by keeping fewer containers warm
 * @param gbSecondsBilled memory × each activation's duration (from reaching the instance, so including a cold
 *     start's wait, the model load and execution, to completion; concurrent activations each billed), as OpenWhisk
 *     providers bill users
 * @param simulatedSeconds simulated time from 0 to the last event
 * @param perModel counts per model
 */
public record SimulationResult(String policy, long requests, long completed, long rejected,
        Map<String, Long> rejectedByReason, long queued, long instanceQueued, double latencyP50Ms, double latencyP95Ms,
        double latencyP99Ms, double latencyMeanMs, double latencyMaxMs, long coldStarts, long modelSwitches,
        int instancesUsed, double instanceSecondsAlive, double gbSecondsAlive, double gbSecondsBilled,
        double simulatedSeconds, Map<String, ModelCounts> perModel) {

    /** One model's share of the run. */
    public record ModelCounts(long requests, long completed, long rejected, long coldStarts, long modelSwitches) {}

    public SimulationResult {
        rejectedByReason = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(rejectedByReason));
        perModel = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(perModel));
    }
}
