package org.sesemi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sesemi.runtime.core.engine.EngineConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sesemi bench ...}: end-to-end measurements of the secure runtime, written to JSON files. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure the secure runtime against plain ONNX Runtime.",
        subcommands = {BenchCommand.Overhead.class, BenchCommand.Concurrency.class, BenchPlatform.class, BenchPacker.class,
            BenchKeyService.class, BenchAll.class, BenchRedraw.class})
final class BenchCommand {

    /** Options shared by both measurements (a picocli mixin). */
    static class ModelOptions {
        @Option(names = "--model", required = true, description = "Plaintext ONNX model file (any model; inputs are generated from its metadata).")
        Path model;

        @Option(names = "--shape", description = "INPUT=d1,d2,... for dynamic dimensions (repeatable; unset dynamic dims are 1).")
        List<String> shapes;

        @Option(names = "--intra-op-threads", defaultValue = "1", description = "ONNX Runtime intra-op threads, same for plain and secure (default ${DEFAULT-VALUE}).")
        int intraOpThreads;

        @Option(names = "--ort-arena", description = "ONNX Runtime's CPU arena and memory-pattern planning on, for plain and secure "
                + "(the runtime's SESEMI_ORT_ARENA; default off, as in the runtime).")
        boolean ortArena;

        @Option(names = "--json-tensors", description = "Send tensors as JSON arrays instead of the binary-tensor extension.")
        boolean jsonTensors;

        @Option(names = "--envelope", defaultValue = "json", description = "Envelope form: json (base64 payload, what OpenWhisk carries) or binary (no base64; Knative). Default ${DEFAULT-VALUE}.")
        String envelope;

        @Option(names = "--out", required = true, description = "Directory for the result file.")
        Path out;

        @Option(names = "--crypto-warmup-mib", defaultValue = "2048", description = "MiB pushed through the envelope codecs and "
                + "AES-GCM before measuring, so their code is compiled as in a long-running runtime (default ${DEFAULT-VALUE}).")
        long cryptoWarmupMib;

        long cryptoWarmupBytes() {
            if (cryptoWarmupMib < 0) {
                throw new CliErrors.UserException("--crypto-warmup-mib must be 0 or more");
            }
            return cryptoWarmupMib << 20;
        }

        BenchOverhead open() throws Exception {
            Map<String, long[]> shapeMap = new LinkedHashMap<>();
            for (String s : shapes == null ? List.<String>of() : shapes) {
                var e = BenchInputs.parseShape(s);
                shapeMap.put(e.getKey(), e.getValue());
            }
            if (!envelope.equals("json") && !envelope.equals("binary")) {
                throw new CliErrors.UserException("--envelope must be json or binary");
            }
            return new BenchOverhead(Files.readAllBytes(model), shapeMap, EngineConfig.builder().intraOpThreads(intraOpThreads).arena(ortArena, ortArena).build(), !jsonTensors,
                    envelope.equals("binary"));
        }

        ObjectNode header(ObjectMapper m, BenchOverhead b) {
            ObjectNode n = m.createObjectNode();
            n.put("model", model.getFileName().toString());
            n.put("model_bytes", b.modelBytes().length);
            n.put("intra_op_threads", intraOpThreads);
            n.put("ort_arena", ortArena);
            n.put("malloc_mmap_threshold", System.getenv().getOrDefault(NativeHeap.MMAP_THRESHOLD, "glibc default (dynamic)"));
            n.put("tensors", jsonTensors ? "json" : "binary");
            n.put("envelope", envelope);
            ArrayNode in = n.putArray("inputs");
            b.inputs.forEach(t -> in.add(t.name() + ":" + t.type() + java.util.Arrays.toString(t.shape())));
            n.put("tee", "none: in-process core, measures the software path only");
            return n;
        }
    }

    @Command(name = "overhead", mixinStandardHelpOptions = true,
            description = "Plain ONNX Runtime vs the secure warm path (envelope -> core -> envelope), interleaved; writes DIR/overhead.json.")
    static final class Overhead implements Callable<Integer> {
        @Spec CommandSpec spec;
        @picocli.CommandLine.Mixin ModelOptions options;

        @Option(names = "--requests", defaultValue = "200", description = "Measured requests per path (default ${DEFAULT-VALUE}).")
        int requests;

        @Option(names = "--concurrency", defaultValue = "1", description = "Client threads (default ${DEFAULT-VALUE}).")
        int concurrency;

        @Option(names = "--warmup", defaultValue = "20", description = "Unrecorded warm-up pairs (default ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--naive", description = "Measure the naive baseline instead: no caches, every request repeats key release, "
                + "model fetch, decryption and session creation.")
        boolean naive;

        @Override
        public Integer call() throws Exception {
            if (requests < 1 || concurrency < 1 || warmup < 0) {
                throw new CliErrors.UserException("--requests and --concurrency must be >= 1, --warmup >= 0");
            }
            ModelOptions o = options;
            BenchOverhead b = o.open();
            try {
                BenchOverhead.Overhead r = b.overhead(requests, concurrency, warmup, naive, o.cryptoWarmupBytes());
                ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                ObjectNode n = o.header(m, b);
                double p50 = BenchOverhead.percentile(r.plain(), 0.5), p99 = BenchOverhead.percentile(r.plain(), 0.99);
                double s50 = BenchOverhead.percentile(r.secure(), 0.5), s99 = BenchOverhead.percentile(r.secure(), 0.99);
                n.put("requests", requests);
                n.put("concurrency", concurrency);
                n.put("warmup", warmup);
                n.put("crypto_warmup_bytes", o.cryptoWarmupBytes());
                n.put("path_warmup_iterations", naive ? 0 : BenchOverhead.WARM_PATH_ITERATIONS);
                n.put("mode", naive ? "naive (no caches)" : "semirt (warm caches)");
                n.put("plain_p50_ms", round(p50));
                n.put("plain_p99_ms", round(p99));
                n.put("secure_p50_ms", round(s50));
                n.put("secure_p99_ms", round(s99));
                n.put("ratio_p50", round(s50 / p50));
                n.put("ratio_p99", round(s99 / p99));
                // Robustness aids on a shared machine (not part of the required fields): the median of per-pair
                // ratios, the minima, and the secure path's added work measured inside the core.
                double[] pairs = new double[r.plain().length];
                for (int i = 0; i < pairs.length; i++) {
                    pairs[i] = r.secure()[i] / r.plain()[i];
                }
                double a50 = BenchOverhead.percentile(r.added(), 0.5);
                n.put("paired_ratio_p50", round(BenchOverhead.percentile(pairs, 0.5)));
                n.put("plain_min_ms", round(BenchOverhead.percentile(r.plain(), 0)));
                n.put("secure_min_ms", round(BenchOverhead.percentile(r.secure(), 0)));
                n.put("secure_added_p50_ms", round(a50));
                n.put("secure_added_p99_ms", round(BenchOverhead.percentile(r.added(), 0.99)));
                n.put("ratio_added_p50", round((p50 + a50) / p50));
                PrintWriter w = spec.commandLine().getOut();
                w.printf("plain  p50 %.3f ms  p99 %.3f ms%nsecure p50 %.3f ms  p99 %.3f ms%nratio  p50 %.3f     p99 %.3f%n"
                        + "added by the secure path (inside the core) p50 %.3f ms -> (plain p50 + added p50) / plain p50 = %.3f%n",
                        p50, p99, s50, s99, s50 / p50, s99 / p99, a50, (p50 + a50) / p50);
                writeResult(w, m, n, o.out, "overhead.json", (dir, result) -> BenchCharts.overhead(dir, List.of(result)));
                return 0;
            } finally {
                b.cleanup();
            }
        }
    }

    @Command(name = "concurrency", mixinStandardHelpOptions = true,
            description = "Secure throughput at 1, 2, 4, 8 streams: one shared session vs one session per stream; writes DIR/concurrency.json.")
    static final class Concurrency implements Callable<Integer> {
        @Spec CommandSpec spec;
        @picocli.CommandLine.Mixin ModelOptions options;

        @Option(names = "--requests-per-stream", defaultValue = "50", description = "Requests each stream sends (default ${DEFAULT-VALUE}).")
        int perStream;

        @Option(names = "--streams", split = ",", defaultValue = "1,2,4,8", description = "Stream counts (default ${DEFAULT-VALUE}).")
        List<Integer> streams;

        @Override
        public Integer call() throws Exception {
            ModelOptions o = options;
            BenchOverhead b = o.open();
            try {
                ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                ObjectNode n = o.header(m, b);
                n.put("requests_per_stream", perStream);
                ArrayNode rows = n.putArray("results");
                PrintWriter w = spec.commandLine().getOut();
                b.warmCrypto(o.cryptoWarmupBytes());
                b.throughput(2, perStream, true); // JIT warm-up, not recorded
                b.throughput(2, perStream, false);
                w.println("streams  shared_rps  per_stream_rps");
                for (int s : streams) {
                    // Alternate which variant runs first so neither always profits from the other's warm-up.
                    boolean sharedFirst = (rows.size() & 1) == 0;
                    double first = b.throughput(s, perStream, sharedFirst);
                    double second = b.throughput(s, perStream, !sharedFirst);
                    double shared = sharedFirst ? first : second;
                    double separate = sharedFirst ? second : first;
                    ObjectNode row = rows.addObject();
                    row.put("streams", s);
                    row.put("shared_session_rps", round(shared));
                    row.put("session_per_stream_rps", round(separate));
                    row.put("sessions_shared", 1);
                    row.put("sessions_per_stream", s);
                    w.printf("%7d  %10.1f  %14.1f%n", s, shared, separate);
                    w.flush();
                }
                writeResult(w, m, n, o.out, "concurrency.json", BenchCharts::concurrency);
                return 0;
            } finally {
                b.cleanup();
            }
        }
    }

    /**
     * The benches start their own servers on loopback and may load them far beyond normal use: a bench process raises the
     * JDK server's request and response deadlines (30 s and 330 s by default, JVM-wide, read once per process) to 10
     * minutes before its first server starts, so a slow phase is measured rather than cut off (through the HTTP layer's
     * {@link org.sesemi.http.JdkServerSettings}, the one place that sets them).
     */
    static void longServerDeadlines() {
        org.sesemi.http.JdkServerSettings.useDeadlines(java.time.Duration.ofMinutes(10), java.time.Duration.ofMinutes(10));
    }

    /** Draws a bench's charts from its result ({@link BenchCharts}), into a directory; returns the files. */
    @FunctionalInterface
    interface Charts {
        List<Path> draw(Path dir, JsonNode result) throws IOException;
    }

    /**
     * Writes a bench's result to {@code out/fileName}, with the machine's load average when it ended (to judge the
     * numbers by), and its charts next to it, printing each file written.
     */
    static void writeResult(PrintWriter w, ObjectMapper m, ObjectNode result, Path out, String fileName, Charts charts) throws IOException {
        result.put("load_average", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        Files.createDirectories(out);
        Path file = out.resolve(fileName);
        m.writeValue(file.toFile(), result);
        w.println("wrote " + file);
        for (Path png : charts.draw(out, result)) {
            w.println("wrote " + png);
        }
        w.flush();
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
