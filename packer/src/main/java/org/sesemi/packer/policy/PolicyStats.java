package org.sesemi.packer.policy;

/**
 * Counters of what a policy decided (its beliefs; the simulator reports what really happened).
 *
 * @param offered requests offered
 * @param routed requests routed (at once or after queueing)
 * @param queued requests that were queued at least once
 * @param rejected requests rejected at once or cancelled while queued
 * @param believedSwitches routes the policy believed to be model switches
 * @param completed completions reported
 * @param instances instances the policy has used so far
 */
public record PolicyStats(long offered, long routed, long queued, long rejected, long believedSwitches,
        long completed, int instances) {}
