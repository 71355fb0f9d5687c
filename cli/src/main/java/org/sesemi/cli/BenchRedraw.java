package org.sesemi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sesemi bench charts DIR}: draws the charts again from the JSON results kept under DIR (one bench's
 * {@code --out} folder, or the whole tree {@code bench all} writes), without running anything; with
 * {@code --figures}, copies the charts that docs/benchmarks.md embeds into one folder. {@code bench all} ends with the
 * same steps.
 */
@Command(name = "charts", mixinStandardHelpOptions = true,
        description = "Redraw the PNG charts from the JSON results under DIR (no bench runs); --figures copies the charts the docs embed.")
final class BenchRedraw implements Callable<Integer> {
    /** A result file's name and the chart it is drawn into. */
    private static final Map<String, BenchCommand.Charts> CHARTS = Map.of(
            "overhead.json", (dir, n) -> BenchCharts.overhead(dir, List.of(n)),
            "concurrency.json", BenchCharts::concurrency,
            "platform.json", BenchCharts::platform,
            "packer.json", BenchCharts::packer,
            "keyservice.json", BenchCharts::keyService);

    /** The charts docs/benchmarks.md embeds, where {@code bench all} leaves them (relative to its --out), by file name. */
    static final List<String> FIGURES = List.of("overhead/overhead.png", "concurrency/concurrency.png", "platform/platform-cold-start.png",
            "platform/platform-warm-cdf.png", "packer/packer.png", "keyservice/keyservice.png");

    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "A bench's --out directory, or the one of 'bench all'.")
    Path dir;

    @Option(names = "--figures", paramLabel = "FIGDIR", description = "Also copy the charts the docs embed (from a 'bench all' tree) into FIGDIR, e.g. docs/figures.")
    Path figures;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new CliErrors.UserException("no such directory: " + dir);
        }
        PrintWriter w = spec.commandLine().getOut();
        List<Path> drawn = redraw(dir);
        if (drawn.isEmpty()) {
            throw new CliErrors.UserException("no bench results (" + String.join(", ", CHARTS.keySet().stream().sorted().toList()) + ") under " + dir);
        }
        drawn.forEach(p -> w.println("wrote " + p));
        if (figures != null) {
            copyFigures(dir, figures).forEach(p -> w.println("copied " + p));
        }
        w.flush();
        return 0;
    }

    /**
     * Draws every result's charts in its own folder, and one overhead chart comparing the models wherever several
     * models' overhead results sit in subfolders of one folder (as {@code bench all} writes them).
     */
    static List<Path> redraw(Path dir) throws IOException {
        Path root = dir.normalize();
        ObjectMapper m = new ObjectMapper();
        List<Path> results;
        try (Stream<Path> s = Files.walk(root)) {
            results = s.filter(p -> CHARTS.containsKey(p.getFileName().toString()) && Files.isRegularFile(p)).sorted().toList();
        }
        List<Path> out = new ArrayList<>();
        Map<Path, List<JsonNode>> overheadByParent = new java.util.TreeMap<>();
        for (Path r : results) {
            JsonNode n = m.readTree(r.toFile());
            String name = r.getFileName().toString();
            out.addAll(CHARTS.get(name).draw(r.getParent(), n));
            if (name.equals("overhead.json") && !r.getParent().equals(root)) {
                overheadByParent.computeIfAbsent(r.getParent().getParent(), k -> new ArrayList<>()).add(n);
            }
        }
        for (var e : overheadByParent.entrySet()) {
            out.addAll(BenchCharts.overhead(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** Copies {@link #FIGURES} from a {@code bench all} tree into {@code target}; an absent chart is an error naming it. */
    static List<Path> copyFigures(Path root, Path target) throws IOException {
        List<String> missing = FIGURES.stream().filter(f -> !Files.isRegularFile(root.resolve(f))).toList();
        if (!missing.isEmpty()) {
            throw new CliErrors.UserException("not in " + root + " (did every bench of 'bench all' finish?): " + String.join(", ", missing));
        }
        Files.createDirectories(target);
        List<Path> copied = new ArrayList<>();
        for (String f : FIGURES) {
            Path to = target.resolve(Path.of(f).getFileName());
            Files.copy(root.resolve(f), to, StandardCopyOption.REPLACE_EXISTING);
            copied.add(to);
        }
        return copied;
    }
}
