package org.sesemi.models.workload;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One function of an Azure Functions 2019 trace: identity, trigger, invocations per minute, and the matching
 * duration and memory percentiles when the trace has them. Immutable.
 */
public final class TraceFunction {
    private final String owner;
    private final String app;
    private final String function;
    private final String trigger;
    private final int[] perMinute;
    private final long total;
    private final Optional<DurationStats> duration;
    private final Optional<MemoryStats> memory;

    TraceFunction(String owner, String app, String function, String trigger, int[] perMinute,
            Optional<DurationStats> duration, Optional<MemoryStats> memory) {
        this.owner = owner;
        this.app = app;
        this.function = function;
        this.trigger = trigger;
        this.perMinute = perMinute;
        this.total = Arrays.stream(perMinute).asLongStream().sum();
        this.duration = duration;
        this.memory = memory;
    }

    /** Owner hash; empty in samples that drop it (then {@link #key()} is the function hash alone). */
    public String owner() {
        return owner;
    }

    public String app() {
        return app;
    }

    public String function() {
        return function;
    }

    /** {@code owner/app/function} when owner and app are known, else {@code function}: unique within a trace. */
    public String key() {
        return owner.isEmpty() && app.isEmpty() ? function : owner + "/" + app + "/" + function;
    }

    /** {@code http}, {@code timer}, {@code queue}, {@code event}, {@code orchestration}, {@code storage}, {@code others}. */
    public String trigger() {
        return trigger;
    }

    public int minutes() {
        return perMinute.length;
    }

    /** Invocations in minute {@code minute}, 0-based (the trace's column "1" is minute 0). */
    public long count(int minute) {
        return perMinute[minute];
    }

    public long totalInvocations() {
        return total;
    }

    public Optional<DurationStats> duration() {
        return duration;
    }

    public Optional<MemoryStats> memory() {
        return memory;
    }

    TraceFunction window(int from, int count) {
        return new TraceFunction(owner, app, function, trigger, Arrays.copyOfRange(perMinute, from, from + count),
                duration, memory);
    }

    TraceFunction with(Optional<DurationStats> d, Optional<MemoryStats> m) {
        return new TraceFunction(owner, app, function, trigger, perMinute, d, m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TraceFunction t && key().equals(t.key()) && trigger.equals(t.trigger)
                && Arrays.equals(perMinute, t.perMinute) && duration.equals(t.duration) && memory.equals(t.memory);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key(), Arrays.hashCode(perMinute));
    }

    @Override
    public String toString() {
        return key() + " (" + trigger + ", " + total + " invocations in " + perMinute.length + " min)";
    }

    /**
     * Execution time in ms, per function (weighted percentiles of 30-second averages; cold starts excluded).
     */
    public record DurationStats(double averageMs, long count, double minimumMs, double maximumMs, double p0, double p1,
            double p25, double p50, double p75, double p99, double p100) {}

    /** Committed memory in MB (per app in the full trace; the 1,000-function sample has it per function). */
    public record MemoryStats(long sampleCount, double averageMb, double p1, double p5, double p25, double p50,
            double p75, double p95, double p99, double p100) {}
}
