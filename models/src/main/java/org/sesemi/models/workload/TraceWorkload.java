package org.sesemi.models.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.sesemi.models.SplitMix64;

/**
 * Arrivals replayed from a per-minute trace. Within each minute a function's arrivals are a Poisson process:
 * either conditioned on the trace's count (that many arrival times, independent and uniform over the minute — the
 * default, which reproduces the counts exactly), or with the count's rate (the count itself Poisson-distributed).
 * Time can be compressed by a factor (60 = one trace minute per second).
 *
 * <p>Each (function, minute) draws from its own seeded stream, so a function's arrivals do not change when other
 * functions are sampled away. Arrivals are produced minute by minute: memory holds one minute, not the trace.
 */
public final class TraceWorkload implements WorkloadGenerator {
    private static final long MINUTE_NANOS = 60_000_000_000L;

    /** How each minute's count becomes arrival times. */
    public enum MinuteArrivals {
        /** Exactly the trace's count, at independent uniform times (Poisson process given its count). */
        EXACT_COUNT,
        /** A homogeneous Poisson process with rate count/minute; the number of arrivals varies around the count. */
        POISSON_RATE
    }

    /**
     * @param seed all randomness derives from it
     * @param compression trace time divided by this factor (1 = real time; must be at least 1e-3)
     * @param mode see {@link MinuteArrivals}
     */
    public record Config(long seed, double compression, MinuteArrivals mode) {
        public Config {
            if (!(compression >= 1e-3) || Double.isInfinite(compression)) {
                throw new IllegalArgumentException("compression must be a finite factor >= 0.001, got " + compression);
            }
        }

        public static Config defaults() {
            return new Config(1, 1.0, MinuteArrivals.EXACT_COUNT);
        }
    }

    private final AzureTrace trace;
    private final Config config;
    private final List<String> modelOf;
    private final List<String> models;

    public TraceWorkload(AzureTrace trace, FunctionMapping mapping, Config config) {
        this.trace = trace;
        this.config = config;
        this.modelOf = trace.functions().stream().map(mapping::modelFor).toList();
        this.models = List.copyOf(new LinkedHashSet<>(modelOf));
    }

    @Override
    public List<String> models() {
        return models;
    }

    @Override
    public Duration length() {
        return Duration.ofNanos(scale(trace.minutes() * MINUTE_NANOS));
    }

    private long scale(long traceNanos) {
        return config.compression() == 1.0 ? traceNanos : (long) Math.floor(traceNanos / config.compression());
    }

    @Override
    public Stream<Arrival> arrivals() {
        Iterator<Arrival> it = new Iterator<>() {
            private int minute = -1;
            private List<Arrival> buffer = List.of();
            private int next;

            @Override
            public boolean hasNext() {
                while (next >= buffer.size() && minute + 1 < trace.minutes()) {
                    buffer = minute(++minute);
                    next = 0;
                }
                return next < buffer.size();
            }

            @Override
            public Arrival next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return buffer.get(next++);
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE), false);
    }

    private List<Arrival> minute(int m) {
        List<Arrival> out = new ArrayList<>();
        long base = m * MINUTE_NANOS;
        List<TraceFunction> fns = trace.functions();
        for (int i = 0; i < fns.size(); i++) {
            TraceFunction f = fns.get(i);
            long count = f.count(m);
            if (count == 0) {
                continue;
            }
            SplitMix64 rng = SplitMix64.forStream(config.seed(), f.key() + "@" + m);
            long n = config.mode() == MinuteArrivals.EXACT_COUNT ? count : rng.nextPoisson(count);
            for (long k = 0; k < n; k++) {
                long offset = (long) (rng.nextDouble() * MINUTE_NANOS);
                out.add(new Arrival(scale(base + offset), modelOf.get(i), f.key()));
            }
        }
        out.sort(Arrival.ORDER);
        return out;
    }
}
