package org.sesemi.models.workload;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.sesemi.models.SplitMix64;

/**
 * A synthetic workload with Zipf popularity: one Poisson process of the given total rate, each arrival's model drawn
 * with probability proportional to 1/rank^exponent ({@code models.get(0)} is rank 1, the most popular).
 *
 * @param models the models by popularity rank
 * @param exponent Zipf exponent s (0 = uniform; around 1 for web-like skew)
 * @param ratePerSecond total arrivals per second
 * @param length the workload's length
 * @param seed all randomness derives from it
 */
public record ZipfWorkload(List<String> models, double exponent, double ratePerSecond, Duration length, long seed)
        implements WorkloadGenerator {
    public ZipfWorkload {
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no models");
        }
        if (!(exponent >= 0) || Double.isInfinite(exponent)) {
            throw new IllegalArgumentException("exponent must be finite and >= 0");
        }
        if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be positive and finite");
        }
        if (length.isNegative() || length.isZero()) {
            throw new IllegalArgumentException("length must be positive");
        }
    }

    /** The popularity of each rank (sums to 1). */
    public double[] probabilities() {
        double[] w = new double[models.size()];
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = 1.0 / StrictMath.pow(i + 1, exponent);
            sum += w[i];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] /= sum;
        }
        return w;
    }

    @Override
    public Stream<Arrival> arrivals() {
        double[] p = probabilities();
        double[] cumulative = new double[p.length];
        double acc = 0;
        for (int i = 0; i < p.length; i++) {
            acc += p[i];
            cumulative[i] = acc;
        }
        double total = acc;
        SplitMix64 times = SplitMix64.forStream(seed, "zipf.times");
        SplitMix64 picks = SplitMix64.forStream(seed, "zipf.models");
        long end = length.toNanos();
        double[] t = {0};
        return Stream.iterate(next(times, t), at -> at < end, at -> next(times, t))
                .map(at -> {
                    int i = Arrays.binarySearch(cumulative, picks.nextDouble() * total);
                    int rank = Math.min(i >= 0 ? i + 1 : -i - 1, cumulative.length - 1);
                    return new Arrival(at, models.get(rank), "zipf");
                });
    }

    private long next(SplitMix64 rng, double[] t) {
        t[0] += rng.nextExponential(ratePerSecond) * 1e9;
        return (long) t[0];
    }
}
