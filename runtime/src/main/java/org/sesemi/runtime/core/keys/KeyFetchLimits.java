package org.sesemi.runtime.core.keys;

import java.time.Duration;

/**
 * Bounds on the key fetches that requests can cause before their payload can be authenticated (an envelope names any
 * model and user; only the request key, which comes from the KeyService, proves it genuine).
 *
 * <ul>
 *   <li>A denial is remembered per (user, model) for {@code denialTtl} (at most {@code maxDenials} pairs): repeats
 *       are refused at once with the same reason, without a KeyService round trip or another audit row. So a grant
 *       added right after a refusal takes effect within {@code denialTtl}.
 *   <li>A pair whose keys were never released to this runtime is <em>unproven</em>: its fetches share a token bucket
 *       ({@code unprovenPerSecond}, {@code unprovenBurst}) and at most {@code unprovenInFlight} run at once; beyond
 *       that the request is refused with {@code key_fetch_limited} (retry later). Pairs released before (at most
 *       {@code provenPairs} remembered) are never limited, so a flood of junk pairs cannot starve them. Keep the
 *       unproven rate below the KeyService's per-runtime rate limit so that the rest of it stays for proven pairs.
 * </ul>
 */
public record KeyFetchLimits(Duration denialTtl, int maxDenials, double unprovenPerSecond, int unprovenBurst, int unprovenInFlight,
        int provenPairs) {
    public KeyFetchLimits {
        if (denialTtl.isNegative() || maxDenials < 1 || !(unprovenPerSecond > 0) || unprovenBurst < 1 || unprovenInFlight < 1
                || provenPairs < 1) {
            throw new IllegalArgumentException("invalid key fetch limits: denialTtl >= 0, maxDenials >= 1, unprovenPerSecond > 0, "
                    + "unprovenBurst >= 1, unprovenInFlight >= 1, provenPairs >= 1");
        }
    }

    /** Denials kept 5 s (4,096 pairs); unproven fetches 10/s, burst 20, 4 at once; 65,536 proven pairs remembered. */
    public static KeyFetchLimits defaults() {
        return new KeyFetchLimits(Duration.ofSeconds(5), 4096, 10, 20, 4, 65_536);
    }

    /** No denial memory and (practically) no limit: the cache's behaviour before these bounds (for tests that need it). */
    public static KeyFetchLimits unlimited() {
        return new KeyFetchLimits(Duration.ZERO, 1, 1e9, Integer.MAX_VALUE, Integer.MAX_VALUE, 1);
    }
}
