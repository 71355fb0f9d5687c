package org.sesemi.attestation.collateral;

import java.time.Instant;
import java.util.Optional;

/**
 * What a collateral source has done so far, for {@code /metrics} and health output.
 *
 * @param source the setting it came from, e.g. {@code pccs:https://pccs.example:8081}
 * @param fetches successful fetches (first fetches and refreshes)
 * @param failures fetches or refreshes that failed (network, HTTP status, parse, signer, expiry); each is logged
 * @param cached platforms with cached collateral
 * @param earliestNextUpdate the soonest {@code nextUpdate} among cached collateral (when it goes stale)
 * @param lastFailure the last failure's message (never contains secrets: collateral is public)
 */
public record CollateralStats(String source, long fetches, long failures, int cached, Optional<Instant> earliestNextUpdate,
        Optional<String> lastFailure) {
    /** Stats of a source that never fetches (none, a directory). */
    public static CollateralStats idle(String source) {
        return new CollateralStats(source, 0, 0, 0, Optional.empty(), Optional.empty());
    }
}
