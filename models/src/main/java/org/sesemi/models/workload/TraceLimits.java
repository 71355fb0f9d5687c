package org.sesemi.models.workload;

/**
 * Bounds for reading trace files, which may come from anywhere: the reader refuses input beyond them with
 * {@link TraceFormatException.Reason#TOO_LARGE} instead of running out of memory. The defaults admit one full day
 * file of the Azure 2019 trace (about 46k functions × 1,440 minutes, ~150 MB).
 */
public record TraceLimits(long maxFileBytes, int maxLineChars, int maxFunctions, int maxMinutes,
        long maxCountPerMinute) {
    public TraceLimits {
        if (maxFileBytes < 1 || maxLineChars < 16 || maxFunctions < 1 || maxMinutes < 1 || maxCountPerMinute < 1) {
            throw new IllegalArgumentException("trace limits must be positive");
        }
    }

    public static TraceLimits defaults() {
        return new TraceLimits(512L << 20, 64 << 10, 200_000, 14 * 1440, 100_000_000L);
    }
}
