package org.sesemi.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.sesemi.models.workload.ArrivalCsv;
import org.sesemi.models.workload.AzureTrace;
import org.sesemi.models.workload.BurstyWorkload;
import org.sesemi.models.workload.FunctionMapping;
import org.sesemi.models.workload.TraceLimits;
import org.sesemi.models.workload.TraceWorkload;
import org.sesemi.models.workload.WorkloadGenerator;
import org.sesemi.models.workload.ZipfWorkload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sesemi models workload trace|zipf|bursty}: arrivals as CSV ({@code at_ns,model,source}), from a seed. */
@Command(name = "workload", mixinStandardHelpOptions = true,
        description = "Generate request arrivals (CSV at_ns,model,source) from an Azure Functions 2019 trace or a "
                + "synthetic model; deterministic from --seed.",
        subcommands = {ModelsWorkloadCommand.Trace.class, ModelsWorkloadCommand.Zipf.class, ModelsWorkloadCommand.Bursty.class})
final class ModelsWorkloadCommand {

    /** Options every workload verb has. */
    static final class Common {
        @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--out", defaultValue = "-", description = "CSV file to write, or - for stdout (default).")
        String out;
    }

    static int emit(CommandSpec spec, Common common, WorkloadGenerator w) throws IOException {
        long n;
        if (common.out.equals("-")) {
            Writer wr = spec.commandLine().getOut();
            n = ArrivalCsv.write(w.arrivals(), wr);
            wr.flush();
        } else {
            Path target = Path.of(common.out).toAbsolutePath();
            Path tmp = target.resolveSibling(target.getFileName() + ".partial");
            try (Writer wr = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(tmp), StandardCharsets.UTF_8))) {
                n = ArrivalCsv.write(w.arrivals(), wr);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        spec.commandLine().getErr().printf("%,d arrivals for %,d models over %.1f s%n", n, w.models().size(),
                w.length().toNanos() / 1e9);
        return 0;
    }

    static <T> T valid(java.util.function.Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UserException(e.getMessage());
        }
    }

    static List<String> modelList(List<String> models, int count) {
        if (!models.isEmpty()) {
            return models;
        }
        if (count < 1) {
            throw new CliErrors.UserException("give --models a,b,c or --model-count N");
        }
        return IntStream.range(0, count).mapToObj(i -> String.format("model-%05d", i)).toList();
    }

    @Command(name = "trace", mixinStandardHelpOptions = true,
            description = "Replay an Azure Functions 2019 trace directory (invocation.csv [+ duration.csv, memory.csv]): "
                    + "each function is a model (or is hashed onto --models), Poisson arrivals within each minute.")
    static final class Trace implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Common common;

        @Option(names = "--trace", required = true, description = "Trace directory.")
        Path dir;

        @Option(names = "--top", description = "Keep only the N most invoked functions.")
        Optional<Integer> top;

        @Option(names = "--sample", description = "Keep N functions drawn at random (seeded).")
        Optional<Integer> sample;

        @Option(names = "--from-minute", defaultValue = "0", description = "First trace minute, 0-based (default ${DEFAULT-VALUE}).")
        int from;

        @Option(names = "--minutes", description = "Number of minutes (default: to the end).")
        Optional<Integer> minutes;

        @Option(names = "--compression", defaultValue = "1", description = "Time compression factor, e.g. 60 = a minute per second (default ${DEFAULT-VALUE}).")
        double compression;

        @Option(names = "--poisson-rate", description = "Draw each minute's count from a Poisson law around the trace's count instead of keeping it exactly.")
        boolean poissonRate;

        @Option(names = "--models", split = ",", description = "Hash functions onto these models instead of one model per function.")
        List<String> models = List.of();

        @Override
        public Integer call() throws IOException {
            AzureTrace t = AzureTrace.readDirectory(dir, TraceLimits.defaults());
            if (top.isPresent()) {
                t = t.mostInvoked(top.get());
            }
            if (sample.isPresent()) {
                t = t.sample(sample.get(), common.seed);
            }
            AzureTrace base = t;
            AzureTrace windowed = valid(() -> base.window(from, minutes.orElse(base.minutes() - from)));
            FunctionMapping map = models.isEmpty() ? new FunctionMapping.PerFunction("fn-")
                    : new FunctionMapping.Hashed(models, common.seed);
            TraceWorkload w = valid(() -> new TraceWorkload(windowed, map, new TraceWorkload.Config(common.seed, compression,
                    poissonRate ? TraceWorkload.MinuteArrivals.POISSON_RATE : TraceWorkload.MinuteArrivals.EXACT_COUNT)));
            return emit(spec, common, w);
        }
    }

    @Command(name = "zipf", mixinStandardHelpOptions = true,
            description = "Poisson arrivals with Zipf model popularity (first model most popular).")
    static final class Zipf implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Common common;

        @Option(names = "--models", split = ",", description = "Models by popularity rank.")
        List<String> models = List.of();

        @Option(names = "--model-count", defaultValue = "0", description = "Or: this many models named model-00000...")
        int count;

        @Option(names = "--exponent", defaultValue = "1.0", description = "Zipf exponent (default ${DEFAULT-VALUE}).")
        double exponent;

        @Option(names = "--rate", required = true, description = "Total arrivals per second.")
        double rate;

        @Option(names = "--seconds", required = true, description = "Length in seconds.")
        double seconds;

        @Override
        public Integer call() throws IOException {
            List<String> m = modelList(models, count);
            return emit(spec, common, valid(() -> new ZipfWorkload(m, exponent, rate, seconds(seconds), common.seed)));
        }
    }

    @Command(name = "bursty", mixinStandardHelpOptions = true,
            description = "Per-model on/off bursts: exponential ON/OFF periods, Poisson arrivals at --on-rate while ON.")
    static final class Bursty implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Common common;

        @Option(names = "--models", split = ",", description = "Models.")
        List<String> models = List.of();

        @Option(names = "--model-count", defaultValue = "0", description = "Or: this many models named model-00000...")
        int count;

        @Option(names = "--on-seconds", defaultValue = "5", description = "Mean ON period (default ${DEFAULT-VALUE}).")
        double on;

        @Option(names = "--off-seconds", defaultValue = "30", description = "Mean OFF period (default ${DEFAULT-VALUE}).")
        double off;

        @Option(names = "--on-rate", required = true, description = "Arrivals per second per model while ON.")
        double onRate;

        @Option(names = "--off-rate", defaultValue = "0", description = "Arrivals per second while OFF (default ${DEFAULT-VALUE}).")
        double offRate;

        @Option(names = "--seconds", required = true, description = "Length in seconds.")
        double seconds;

        @Override
        public Integer call() throws IOException {
            List<String> m = modelList(models, count);
            return emit(spec, common, valid(() -> new BurstyWorkload(m, seconds(on), seconds(off), onRate, offRate,
                    seconds(seconds), common.seed)));
        }
    }

    static Duration seconds(double s) {
        if (!(s > 0) || s > 1e9) {
            throw new IllegalArgumentException("durations must be positive seconds, got " + s);
        }
        return Duration.ofNanos((long) (s * 1e9));
    }
}
