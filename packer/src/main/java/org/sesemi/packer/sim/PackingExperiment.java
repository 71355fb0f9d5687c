package org.sesemi.packer.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.sesemi.models.workload.Arrival;
import org.sesemi.models.workload.WorkloadGenerator;
import org.sesemi.models.workload.ZipfWorkload;
import org.sesemi.packer.policy.Policies;

/**
 * Runs every packing policy ({@link Policies#NAMES}) on the same workload and cost model and writes the comparison:
 * {@value #JSON_FILE} (the {@link Report}, every number) and {@value #TEXT_FILE} (a short table for humans). This is
 * the entry point behind {@code sesemi packer simulate}.
 */
public final class PackingExperiment {
    public static final String JSON_FILE = "packing-report.json";
    public static final String TEXT_FILE = "packing-summary.txt";

    private PackingExperiment() {}

    /**
     * The experiment's inputs and results.
     *
     * @param workload a description of the workload (free text, e.g. the generator's configuration)
     * @param poolSize instances in the pool of {@code paper} and {@code affinity}
     * @param cost the cost model every policy ran against
     * @param results one per policy, in {@link Policies#NAMES} order
     */
    public record Report(String workload, int poolSize, CostModel cost, List<SimulationResult> results) {
        public Report {
            results = List.copyOf(results);
        }

        public SimulationResult result(String policy) {
            return results.stream().filter(r -> r.policy().equals(policy)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no result for policy " + policy));
        }
    }

    /** Runs the policies on a generator's arrivals (each policy gets a fresh stream from the same seed). */
    public static Report run(WorkloadGenerator workload, int poolSize, CostModel cost, Path outDir) throws IOException {
        return run(describe(workload), workload::arrivals, poolSize, cost, outDir);
    }

    /** A one-line description of a generator (its configuration without the model list). */
    public static String describe(WorkloadGenerator workload) {
        String models = workload.models().size() + " models";
        return switch (workload) {
            case ZipfWorkload z -> String.format(Locale.ROOT, "zipf: %s, exponent %.2f, %.1f requests/s, %s, seed %d",
                    models, z.exponent(), z.ratePerSecond(), z.length(), z.seed());
            default -> workload.getClass().getSimpleName() + ": " + models + ", " + workload.length();
        };
    }

    /**
     * Runs the policies on arrivals from {@code workload}, which must give the same time-ordered stream on every call,
     * and writes the report into {@code outDir} (created if needed).
     */
    public static Report run(String description, Supplier<Stream<Arrival>> workload, int poolSize, CostModel cost,
            Path outDir) throws IOException {
        Report report = compare(description, workload, poolSize, cost);
        Files.createDirectories(outDir);
        Files.writeString(outDir.resolve(TEXT_FILE), table(report), StandardCharsets.UTF_8);
        mapper().writeValue(outDir.resolve(JSON_FILE).toFile(), report);
        return report;
    }

    /** Runs the policies without writing anything. */
    public static Report compare(String description, Supplier<Stream<Arrival>> workload, int poolSize,
            CostModel cost) {
        List<SimulationResult> results = new ArrayList<>();
        for (String name : Policies.NAMES) {
            try (Stream<Arrival> arrivals = workload.get()) {
                results.add(Simulator.run(arrivals, name, poolSize, cost));
            }
        }
        return new Report(description, poolSize, cost, results);
    }

    /** The JSON mapper the report is written with (durations as ISO-8601 strings, indented). */
    public static ObjectMapper mapper() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule()
                        .addSerializer(java.time.Duration.class, new com.fasterxml.jackson.databind.ser.std
                                .ToStringSerializer(java.time.Duration.class)));
    }

    /** A fixed-width table: one row per policy. */
    public static String table(Report report) {
        StringBuilder sb = new StringBuilder();
        sb.append("workload: ").append(report.workload()).append('\n');
        sb.append(String.format(Locale.ROOT, "pool %d, capacity %d, cache %d model(s), cold start %d ms, switch %d ms,"
                        + " execution %d ms, keep-alive %d s, %d MB per function%n", report.poolSize(),
                report.cost().capacity(), report.cost().cacheSlots(), report.cost().coldStart().toMillis(),
                report.cost().switchCost().toMillis(), report.cost().execution().toMillis(),
                report.cost().keepAlive().toSeconds(), report.cost().memoryMb()));
        sb.append(String.format(Locale.ROOT, "%-10s %9s %9s %9s %8s %8s %8s %7s %8s %9s %10s %10s%n", "policy",
                "requests", "completed", "rejected", "p50 ms", "p95 ms", "p99 ms", "colds", "switches", "instances",
                "GB-s alive", "GB-s billed"));
        for (SimulationResult r : report.results()) {
            sb.append(String.format(Locale.ROOT, "%-10s %9d %9d %9d %8.1f %8.1f %8.1f %7d %8d %9d %10.1f %10.1f%n",
                    r.policy(), r.requests(), r.completed(), r.rejected(), r.latencyP50Ms(), r.latencyP95Ms(),
                    r.latencyP99Ms(), r.coldStarts(), r.modelSwitches(), r.instancesUsed(), r.gbSecondsAlive(),
                    r.gbSecondsBilled()));
        }
        return sb.toString();
    }
}
