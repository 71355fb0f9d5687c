package org.sesemi.runtime.core.keys;

/**
 * Keys for a pair never released to this runtime were not fetched because unproven pairs are over their fetch budget
 * ({@link KeyFetchLimits}); retrying later may succeed. Reason code {@code key_fetch_limited}.
 */
public final class KeyFetchLimitedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public KeyFetchLimitedException(String message) {
        super(message);
    }
}
