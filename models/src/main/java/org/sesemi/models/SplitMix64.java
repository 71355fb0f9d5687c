package org.sesemi.models;

/**
 * A tiny, fully specified pseudo-random generator (Steele, Lea and Flood's SplitMix64), used wherever the project
 * needs "same seed, same result" across JDK versions: generated model weights and synthetic workloads. The JDK's
 * generators are not guaranteed to keep their exact sequences forever, so the arithmetic lives here.
 *
 * <p>Not cryptographic. Not thread-safe: use one instance per thread or per stream.
 */
public final class SplitMix64 {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** A generator for one named stream of a seed: independent-looking streams for different names. */
    public static SplitMix64 forStream(long seed, String name) {
        return new SplitMix64(mix(seed ^ mix(fnv1a64(name))));
    }

    public long nextLong() {
        return mix(state += GOLDEN_GAMMA);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, 1) with 24 random bits (the float mantissa). */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        // Lemire's multiply-shift with rejection.
        long m = (nextLong() >>> 32) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextLong() >>> 32) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** An exponentially distributed value with the given rate (mean 1/rate); StrictMath keeps it reproducible. */
    public double nextExponential(double rate) {
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be positive and finite: " + rate);
        }
        return -StrictMath.log1p(-nextDouble()) / rate;
    }

    /**
     * A Poisson-distributed count with the given mean: Knuth's product method for small means, and for large means
     * the sum of Poisson pieces of mean at most 30 (Poisson variables add), so no approximation is involved.
     */
    public long nextPoisson(double mean) {
        if (!(mean >= 0) || Double.isInfinite(mean)) {
            throw new IllegalArgumentException("mean must be non-negative and finite: " + mean);
        }
        long total = 0;
        double remaining = mean;
        while (remaining > 0) {
            double piece = Math.min(remaining, 30.0);
            remaining -= piece;
            double limit = StrictMath.exp(-piece);
            double p = nextDouble();
            long k = 0;
            while (p > limit) {
                p *= nextDouble();
                k++;
            }
            total += k;
        }
        return total;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
