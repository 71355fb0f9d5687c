package org.sesemi.models.workload;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * A deterministic source of arrivals: the same configuration (seed included) gives the same stream every time.
 * Streams are produced lazily in time order, so long workloads need not fit in memory.
 */
public sealed interface WorkloadGenerator permits TraceWorkload, ZipfWorkload, BurstyWorkload {
    /** The arrivals in time order ({@link Arrival#ORDER}); each call starts afresh from the seed. */
    Stream<Arrival> arrivals();

    /** The length of the workload; every arrival's time is below it. */
    Duration length();

    /** The models the arrivals may name. */
    List<String> models();
}
