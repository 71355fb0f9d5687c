package org.sesemi.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sesemi.models.RealModels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sesemi bench all}: every end-to-end bench, one after the other, each into its own folder under {@code --out}
 * with its JSON and PNG charts, plus {@code overhead/overhead.png} comparing the models; {@code --figures} then copies
 * the charts docs/benchmarks.md embeds ({@link BenchRedraw#FIGURES}). The benches run as the same
 * {@code sesemi bench ...} commands a user would type (printed before each step), so every number can be reproduced
 * one bench at a time. {@code --quick} shortens every bench (fewer requests, shorter workloads) to finish within 15
 * minutes on 2 cores (measured: 11 min 53 s at load average ≈ 19); the full settings take about an hour.
 */
@Command(name = "all", mixinStandardHelpOptions = true,
        description = "Run every bench (overhead on three models, concurrency, platform, packer, keyservice) into DIR/<bench>/ with charts.")
final class BenchAll implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--quick", description = "Short settings (within 15 minutes on 2 cores, even under load) instead of the full ones (about an hour).")
    boolean quick;

    @Option(names = "--out", required = true, description = "Directory for the results: DIR/overhead, DIR/concurrency, DIR/platform, DIR/packer, DIR/keyservice.")
    Path out;

    @Option(names = "--figures", paramLabel = "FIGDIR", description = "Also copy the charts docs/benchmarks.md embeds into FIGDIR (e.g. docs/figures) at the end.")
    Path figures;

    @Override
    public Integer call() throws Exception {
        BenchCommand.longServerDeadlines();
        PrintWriter w = spec.commandLine().getOut();
        Path root = out.toAbsolutePath();
        Path models = root.resolve("models");
        Files.createDirectories(models);
        long start = System.nanoTime();
        List<String[]> steps = new ArrayList<>();
        // Three models of different sizes and kinds: a small CNN, a larger CNN, a transformer with three INT64 inputs.
        steps.add(new String[] {"models", "generate", "mobilenet-v2", "--out", models.resolve("mobilenet-v2.onnx").toString()});
        steps.add(new String[] {"models", "generate", "densenet-121", "--out", models.resolve("densenet-121.onnx").toString()});
        steps.add(new String[] {"models", "generate", "bert-mini", "--seq-len", "64", "--out", models.resolve("bert-mini.onnx").toString()});
        String[][] overhead = {{"mobilenet-v2", quick ? "300" : "2000", quick ? "20" : "500"}, {"densenet-121", quick ? "50" : "500",
            quick ? "5" : "50"}, {"bert-mini", quick ? "300" : "2000", quick ? "20" : "500"}};
        for (String[] o : overhead) {
            steps.add(new String[] {"bench", "overhead", "--model", models.resolve(o[0] + ".onnx").toString(), "--envelope", "binary",
                "--requests", o[1], "--warmup", o[2], "--out", root.resolve("overhead").resolve(o[0]).toString()});
        }
        steps.add(new String[] {"bench", "concurrency", "--model", models.resolve("mobilenet-v2.onnx").toString(), "--envelope", "binary",
            "--requests-per-stream", quick ? "25" : "400", "--out", root.resolve("concurrency").toString()});
        steps.add(quick
                ? new String[] {"bench", "platform", "--cold-starts", "3", "--requests", "100", "--warmup", "40", "--naive-requests", "5",
                    "--out", root.resolve("platform").toString()}
                : new String[] {"bench", "platform", "--out", root.resolve("platform").toString()});
        steps.add(new String[] {"bench", "packer", "--models", quick ? "4" : "6", "--rate", "4", "--seconds", quick ? "15" : "60",
            "--out", root.resolve("packer").toString()});
        steps.add(new String[] {"bench", "keyservice", "--runtimes", quick ? "1,4,16,64" : "1,2,4,8,16,32,64", "--seconds", quick ? "3" : "10",
            "--out", root.resolve("keyservice").toString()});

        for (int i = 0; i < steps.size(); i++) {
            String[] args = steps.get(i);
            w.printf("[%d/%d, %s elapsed] sesemi %s%n", i + 1, steps.size(), elapsed(start), String.join(" ", args));
            w.flush();
            CommandLine cl = SesemiCommand.commandLine();
            cl.setOut(spec.commandLine().getOut());
            cl.setErr(spec.commandLine().getErr());
            int rc = cl.execute(args);
            if (rc != 0) {
                w.printf("step %d failed (exit %d); the results so far are in %s%n", i + 1, rc, root);
                w.flush();
                return rc;
            }
        }
        // The models side by side: DIR/overhead/overhead.png (each model's chart is drawn again on the way, unchanged).
        for (Path p : BenchRedraw.redraw(root.resolve("overhead"))) {
            if (p.getParent().equals(root.resolve("overhead"))) {
                w.println("wrote " + p);
            }
        }
        if (figures != null) {
            for (Path p : BenchRedraw.copyFigures(root, figures)) {
                w.println("copied " + p);
            }
        }
        w.printf("all benches done in %s; results and charts under %s (MiniLM from %s)%n", elapsed(start), root,
                RealModels.miniLmAvailable() ? "Maven Central" : "nowhere: the platform and packer benches need it");
        w.flush();
        return 0;
    }

    private static String elapsed(long start) {
        long s = (System.nanoTime() - start) / 1_000_000_000L;
        return String.format("%d:%02d", s / 60, s % 60);
    }
}
