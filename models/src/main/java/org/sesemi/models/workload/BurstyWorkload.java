package org.sesemi.models.workload;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.sesemi.models.SplitMix64;

/**
 * A synthetic bursty workload: every model alternates between ON and OFF periods of exponentially distributed
 * length (means {@code meanOn}, {@code meanOff}); while ON its requests are a Poisson process of rate
 * {@code onRatePerSecond}, while OFF of rate {@code offRatePerSecond} (often 0). This is a two-state
 * Markov-modulated Poisson process per model; models are independent, and each starts ON with the stationary
 * probability meanOn / (meanOn + meanOff).
 */
public record BurstyWorkload(List<String> models, Duration meanOn, Duration meanOff, double onRatePerSecond,
        double offRatePerSecond, Duration length, long seed) implements WorkloadGenerator {
    public BurstyWorkload {
        models = List.copyOf(models);
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no models");
        }
        if (!positive(meanOn) || !positive(meanOff) || !positive(length)) {
            throw new IllegalArgumentException("periods and length must be positive");
        }
        if (!(onRatePerSecond > 0) || Double.isInfinite(onRatePerSecond) || !(offRatePerSecond >= 0)
                || Double.isInfinite(offRatePerSecond)) {
            throw new IllegalArgumentException("rates must be finite, ON positive, OFF non-negative");
        }
    }

    private static boolean positive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }

    /** The long-run mean rate of one model. */
    public double meanRatePerSecond() {
        double on = meanOn.toNanos();
        double off = meanOff.toNanos();
        return (onRatePerSecond * on + offRatePerSecond * off) / (on + off);
    }

    @Override
    public Stream<Arrival> arrivals() {
        PriorityQueue<Source> queue = new PriorityQueue<>((a, b) -> Arrival.ORDER.compare(a.head, b.head));
        long end = length.toNanos();
        for (String m : models) {
            Source s = new Source(m, SplitMix64.forStream(seed, "bursty." + m), end);
            if (s.advance()) {
                queue.add(s);
            }
        }
        Iterator<Arrival> it = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !queue.isEmpty();
            }

            @Override
            public Arrival next() {
                Source s = queue.poll();
                if (s == null) {
                    throw new NoSuchElementException();
                }
                Arrival a = s.head;
                if (s.advance()) {
                    queue.add(s);
                }
                return a;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE), false);
    }

    /** One model's on/off process, advanced one arrival at a time. */
    private final class Source {
        final String model;
        final SplitMix64 rng;
        final double end;
        boolean on;
        double now;
        double periodEnd;
        Arrival head;

        Source(String model, SplitMix64 rng, long end) {
            this.model = model;
            this.rng = rng;
            this.end = end;
            double pOn = meanOn.toNanos() / (double) (meanOn.toNanos() + meanOff.toNanos());
            this.on = rng.nextDouble() < pOn;
            this.periodEnd = period();
        }

        private double period() {
            double mean = (on ? meanOn : meanOff).toNanos();
            return now + rng.nextExponential(1.0 / mean);
        }

        /** Moves to the next arrival; false once past the end. Memorylessness lets rate changes restart the clock. */
        boolean advance() {
            while (now < end) {
                double rate = (on ? onRatePerSecond : offRatePerSecond) / 1e9;
                double candidate = rate > 0 ? now + rng.nextExponential(rate) : Double.POSITIVE_INFINITY;
                if (candidate < periodEnd) {
                    now = candidate;
                    if (now >= end) {
                        return false;
                    }
                    head = new Arrival((long) now, model, on ? "on" : "off");
                    return true;
                }
                now = periodEnd;
                on = !on;
                periodEnd = period();
            }
            return false;
        }
    }
}
