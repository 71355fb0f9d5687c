package org.sesemi.models.workload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sesemi.models.SplitMix64;
import org.sesemi.models.workload.TraceFormatException.Reason;
import org.sesemi.models.workload.TraceFunction.DurationStats;
import org.sesemi.models.workload.TraceFunction.MemoryStats;

/**
 * A trace in the Azure Functions 2019 format (Shahrad et al., ATC'20; dataset {@code Azure/AzurePublicDataset},
 * CC-BY 4.0): per-minute invocation counts per function, with optional duration and memory percentiles.
 *
 * <p>Invocation file header: {@code [HashOwner,HashApp,]HashFunction,Trigger,1,2,...,N}; the published day files
 * have the owner and app columns and N = 1440, the 1,000-function sample drops them and has N = 60. Duration file:
 * {@code ...,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_{0,1,25,50,75,99,100}}. Memory file:
 * keyed by {@code HashFunction} or by {@code HashOwner,HashApp} (then it applies to every function of the app),
 * columns {@code SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct{1,5,25,50,75,95,99,100}}; extra columns
 * are ignored. Immutable.
 */
public final class AzureTrace {
    public static final String INVOCATIONS = "invocation.csv";
    public static final String DURATIONS = "duration.csv";
    public static final String MEMORY = "memory.csv";

    private final List<TraceFunction> functions;
    private final int minutes;

    private AzureTrace(List<TraceFunction> functions, int minutes) {
        this.functions = List.copyOf(functions);
        this.minutes = minutes;
    }

    /** Reads {@code invocation.csv} and, when present, {@code duration.csv} and {@code memory.csv} from a directory. */
    public static AzureTrace readDirectory(Path dir, TraceLimits limits) throws IOException {
        Path d = dir.resolve(DURATIONS);
        Path m = dir.resolve(MEMORY);
        return read(dir.resolve(INVOCATIONS), Files.exists(d) ? Optional.of(d) : Optional.empty(),
                Files.exists(m) ? Optional.of(m) : Optional.empty(), limits);
    }

    public static AzureTrace read(Path invocations, Optional<Path> durations, Optional<Path> memory,
            TraceLimits limits) throws IOException {
        InvocationParser inv = new InvocationParser(limits);
        inv.finish(CsvTable.read(invocations, limits, inv));
        List<TraceFunction> fns = inv.fns;
        int minutes = inv.minutes;
        Map<String, DurationStats> dur = durations.isPresent() ? readDurations(durations.get(), limits) : Map.of();
        Map<String, MemoryStats> mem = memory.isPresent() ? readMemory(memory.get(), limits) : Map.of();
        List<TraceFunction> joined = new ArrayList<>(fns.size());
        for (TraceFunction f : fns) {
            Optional<MemoryStats> m = Optional.ofNullable(mem.get(f.key()));
            if (m.isEmpty() && !f.owner().isEmpty()) {
                m = Optional.ofNullable(mem.get(f.owner() + "/" + f.app()));
            }
            joined.add(f.with(Optional.ofNullable(dur.get(f.key())), m));
        }
        return new AzureTrace(joined, minutes);
    }

    /** Reads invocation counts only, from a stream (e.g. a classpath resource or an upload). */
    public static AzureTrace readInvocations(String name, java.io.InputStream in, TraceLimits limits)
            throws IOException {
        InvocationParser p = new InvocationParser(limits);
        p.finish(CsvTable.read(name, in, limits, p));
        return new AzureTrace(p.fns, p.minutes);
    }

    /**
     * Turns rows into functions as they stream in: a day file of the published trace (~150 MB of text) is held as
     * int counts (about 4 bytes per function-minute), never as strings.
     */
    private static final class InvocationParser implements CsvTable.RowSink {
        private final TraceLimits limits;
        private final List<TraceFunction> fns = new ArrayList<>();
        private final Set<String> keys = new HashSet<>();
        private boolean headerChecked;
        private int owner;
        private int app;
        private int function;
        private int trigger;
        private int first;
        int minutes;

        InvocationParser(TraceLimits limits) {
            this.limits = limits;
        }

        /** A file with a header and no rows is valid (no functions); its header must still be right. */
        void finish(CsvTable inv) throws TraceFormatException {
            if (!headerChecked) {
                header(inv);
            }
        }

        private void header(CsvTable inv) throws TraceFormatException {
            owner = inv.column("HashOwner");
            app = inv.column("HashApp");
            if ((owner < 0) != (app < 0)) {
                throw new TraceFormatException(Reason.BAD_HEADER, inv.file, 1, "HashOwner and HashApp come together");
            }
            function = inv.require("HashFunction");
            trigger = inv.require("Trigger");
            first = trigger + 1;
            int expectedPrefix = owner < 0 ? 2 : 4;
            if (function != expectedPrefix - 2 || trigger != expectedPrefix - 1
                    || (owner >= 0 && (owner != 0 || app != 1))) {
                throw new TraceFormatException(Reason.BAD_HEADER, inv.file, 1,
                        "expected [HashOwner,HashApp,]HashFunction,Trigger,1..N");
            }
            minutes = inv.header.size() - first;
            if (minutes < 1) {
                throw new TraceFormatException(Reason.BAD_HEADER, inv.file, 1, "no minute columns");
            }
            if (minutes > limits.maxMinutes()) {
                throw new TraceFormatException(Reason.TOO_LARGE, inv.file, 1,
                        minutes + " minute columns, limit " + limits.maxMinutes());
            }
            for (int i = 0; i < minutes; i++) {
                if (!inv.header.get(first + i).equals(Integer.toString(i + 1))) {
                    throw new TraceFormatException(Reason.BAD_HEADER, inv.file, 1, "minute column " + (i + 1)
                            + " is named " + CsvTable.abbreviate(inv.header.get(first + i)));
                }
            }
            headerChecked = true;
        }

        @Override
        public void row(CsvTable inv, String[] cells, long line) throws TraceFormatException {
            if (!headerChecked) {
                header(inv);
            }
            if (fns.size() >= limits.maxFunctions()) {
                throw new TraceFormatException(Reason.TOO_LARGE, inv.file, line,
                        "more than " + limits.maxFunctions() + " functions");
            }
            int[] counts = new int[minutes];
            long max = Math.min(limits.maxCountPerMinute(), Integer.MAX_VALUE);
            for (int i = 0; i < minutes; i++) {
                counts[i] = (int) inv.count(cells, line, first + i, max);
            }
            TraceFunction f = new TraceFunction(owner < 0 ? "" : inv.id(cells, line, owner, "HashOwner"),
                    app < 0 ? "" : inv.id(cells, line, app, "HashApp"), inv.id(cells, line, function, "HashFunction"),
                    inv.id(cells, line, trigger, "Trigger"), counts, Optional.empty(), Optional.empty());
            if (!keys.add(f.key())) {
                throw new TraceFormatException(Reason.DUPLICATE_FUNCTION, inv.file, line,
                        "function " + CsvTable.abbreviate(f.key()) + " appears twice");
            }
            fns.add(f);
        }
    }

    private static String rowKey(CsvTable t, int r, boolean appOnly) throws TraceFormatException {
        int owner = t.column("HashOwner");
        int app = t.column("HashApp");
        String prefix = owner >= 0 && app >= 0 ? t.id(r, owner, "HashOwner") + "/" + t.id(r, app, "HashApp") : "";
        if (appOnly) {
            return prefix;
        }
        String fn = t.id(r, t.require("HashFunction"), "HashFunction");
        return prefix.isEmpty() ? fn : prefix + "/" + fn;
    }

    private static Map<String, DurationStats> readDurations(Path path, TraceLimits limits) throws IOException {
        CsvTable t = CsvTable.read(path, limits);
        t.require("HashFunction");
        int count = t.require("Count");
        int[] cols = t.requireAll("Average", "Minimum", "Maximum", "percentile_Average_0", "percentile_Average_1",
                "percentile_Average_25", "percentile_Average_50", "percentile_Average_75", "percentile_Average_99",
                "percentile_Average_100");
        Map<String, DurationStats> out = new HashMap<>();
        for (int r = 0; r < t.rows.size(); r++) {
            double[] v = t.measures(r, cols);
            out.put(rowKey(t, r, false), new DurationStats(v[0], t.count(r, count, Long.MAX_VALUE), v[1], v[2], v[3],
                    v[4], v[5], v[6], v[7], v[8], v[9]));
        }
        return out;
    }

    private static Map<String, MemoryStats> readMemory(Path path, TraceLimits limits) throws IOException {
        CsvTable t = CsvTable.read(path, limits);
        boolean perFunction = t.column("HashFunction") >= 0;
        if (!perFunction && (t.column("HashOwner") < 0 || t.column("HashApp") < 0)) {
            throw new TraceFormatException(Reason.BAD_HEADER, t.file, 1,
                    "memory rows need HashFunction or HashOwner,HashApp");
        }
        int samples = t.require("SampleCount");
        int[] cols = t.requireAll("AverageAllocatedMb", "AverageAllocatedMb_pct1", "AverageAllocatedMb_pct5",
                "AverageAllocatedMb_pct25", "AverageAllocatedMb_pct50", "AverageAllocatedMb_pct75",
                "AverageAllocatedMb_pct95", "AverageAllocatedMb_pct99", "AverageAllocatedMb_pct100");
        Map<String, MemoryStats> out = new HashMap<>();
        for (int r = 0; r < t.rows.size(); r++) {
            double[] v = t.measures(r, cols);
            out.put(rowKey(t, r, !perFunction), new MemoryStats(t.count(r, samples, Long.MAX_VALUE), v[0], v[1], v[2],
                    v[3], v[4], v[5], v[6], v[7], v[8]));
        }
        return out;
    }

    public List<TraceFunction> functions() {
        return functions;
    }

    public int minutes() {
        return minutes;
    }

    public long totalInvocations() {
        return functions.stream().mapToLong(TraceFunction::totalInvocations).sum();
    }

    /** The {@code n} most invoked functions (ties by key), in that order. */
    public AzureTrace mostInvoked(int n) {
        return new AzureTrace(functions.stream().sorted(Comparator.comparingLong(TraceFunction::totalInvocations)
                .reversed().thenComparing(TraceFunction::key)).limit(n).toList(), minutes);
    }

    /** {@code n} functions drawn without replacement, deterministic from the seed, kept in trace order. */
    public AzureTrace sample(int n, long seed) {
        if (n >= functions.size()) {
            return this;
        }
        SplitMix64 rng = new SplitMix64(seed);
        int[] idx = new int[functions.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < n; i++) {
            int j = i + rng.nextInt(idx.length - i);
            int tmp = idx[i];
            idx[i] = idx[j];
            idx[j] = tmp;
        }
        int[] chosen = java.util.Arrays.copyOf(idx, n);
        java.util.Arrays.sort(chosen);
        return new AzureTrace(java.util.Arrays.stream(chosen).mapToObj(functions::get).toList(), minutes);
    }

    /** Minutes {@code from} (0-based) to {@code from + count}, exclusive. */
    public AzureTrace window(int from, int count) {
        if (from < 0 || count < 1 || from + count > minutes) {
            throw new IllegalArgumentException("window " + from + "+" + count + " outside 0.." + minutes);
        }
        return new AzureTrace(functions.stream().map(f -> f.window(from, count)).toList(), count);
    }
}
