package org.sesemi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts of the benches' JSON results (XChart), written next to the JSON. Each method reads only the JSON a bench
 * wrote, so a chart can be redrawn from a kept result file; {@code sesemi bench all} uses the same methods.
 */
final class BenchCharts {
    /** The size of one chart; files of two charts side by side are 2W x H, packer.png's four charts 2W x 2H. */
    static final int W = 900, H = 520;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private BenchCharts() {}

    /**
     * Overhead: plain ONNX Runtime vs the secure warm path per model (one or more overhead.json): p50 and p99 latency,
     * and the secure/plain ratios next to them (models of very different sizes share the ratio axis).
     */
    static List<Path> overhead(Path dir, List<JsonNode> runs) throws IOException {
        List<String> models = runs.stream().map(r -> stripOnnx(r.path("model").asText())).toList();
        CategoryChart lat = category("Latency per request: plain vs secure", "model", "ms");
        lat.addSeries("plain p50", models, values(runs, "plain_p50_ms"));
        lat.addSeries("secure p50", models, values(runs, "secure_p50_ms"));
        lat.addSeries("plain p99", models, values(runs, "plain_p99_ms"));
        lat.addSeries("secure p99", models, values(runs, "secure_p99_ms"));
        CategoryChart ratio = category("Secure / plain", "model", "ratio");
        ratio.addSeries("p50", models, runs.stream().map(r -> r.path("secure_p50_ms").asDouble() / r.path("plain_p50_ms").asDouble()).toList());
        ratio.addSeries("p99", models, runs.stream().map(r -> r.path("secure_p99_ms").asDouble() / r.path("plain_p99_ms").asDouble()).toList());
        ratio.getStyler().setYAxisMin(0.0);
        Path file = dir.resolve("overhead.png");
        Files.createDirectories(dir);
        BitmapEncoder.saveBitmap(List.of(lat, ratio), 1, 2, strip(file), BitmapEncoder.BitmapFormat.PNG);
        return List.of(file);
    }

    /** Concurrency: throughput vs request streams, one shared session vs one session per stream. */
    static List<Path> concurrency(Path dir, JsonNode n) throws IOException {
        XYChart c = xy("Secure throughput vs concurrent streams (" + stripOnnx(n.path("model").asText()) + ")", "streams", "requests/s");
        JsonNode rows = n.path("results");
        c.addSeries("one shared session", column(rows, "streams"), column(rows, "shared_session_rps")).setMarker(SeriesMarkers.CIRCLE);
        c.addSeries("one session per stream", column(rows, "streams"), column(rows, "session_per_stream_rps")).setMarker(SeriesMarkers.SQUARE);
        return List.of(save(c, dir.resolve("concurrency.png")));
    }

    /** Platform: each cold start's phases as a stacked bar, and the warm latency CDF (platform vs straight to /run). */
    static List<Path> platform(Path dir, JsonNode n) throws IOException {
        CategoryChart cold = category("Cold start phases (embedded platform, MiniLM)", "cold start", "ms");
        cold.getStyler().setStacked(true);
        List<String> starts = new ArrayList<>();
        JsonNode colds = n.path("cold_starts");
        for (int i = 0; i < colds.size(); i++) {
            starts.add("#" + (i + 1));
        }
        String[][] phases = {{"container process (wait)", "wait_ms"}, {"/init: TEE + KeyService connection", "init_ms"},
            {"key release", "key_fetch_ms"}, {"model fetch", "model_fetch_ms"}, {"decrypt", "decrypt_ms"}, {"session", "session_ms"},
            {"inference", "inference_ms"}};
        for (String[] p : phases) {
            List<Double> v = new ArrayList<>();
            colds.forEach(r -> v.add(Math.max(0, r.path(p[1]).asDouble())));
            cold.addSeries(p[0], starts, v);
        }
        List<Double> rest = new ArrayList<>();
        colds.forEach(r -> {
            double sum = 0;
            for (String[] p : phases) {
                sum += Math.max(0, r.path(p[1]).asDouble());
            }
            rest.add(Math.max(0, r.path("round_trip_ms").asDouble() - sum));
        });
        cold.addSeries("rest of the round trip", starts, rest);
        List<Path> out = new ArrayList<>(List.of(save(cold, dir.resolve("platform-cold-start.png"))));
        if (n.has("plain_cold_start_median_ms")) {
            out.add(save(coldComparison(n, phases), dir.resolve("platform-cold-profile.png")));
        }

        XYChart cdf = xy("Warm request latency CDF (MiniLM, 1 sentence)", "round trip (ms)", "fraction of requests");
        cdf.getStyler().setXAxisLogarithmic(true);
        cdf.getStyler().setYAxisMin(0.0);
        cdf.getStyler().setYAxisMax(1.0);
        cdf.getStyler().setYAxisDecimalPattern("0.0");
        addCdf(cdf, "through the platform", n.path("warm_platform_samples_ms"));
        addCdf(cdf, "straight to the runtime's /run", n.path("warm_direct_samples_ms"));
        if (!cdf.getSeriesMap().isEmpty()) {
            out.add(save(cdf, dir.resolve("platform-warm-cdf.png")));
        }
        return out;
    }

    /**
     * The per-phase profile of a median cold start side by side: the INSECURE plaintext baseline, the secure runtime,
     * and (when measured) the runtime with the variant's JVM options — a lever's before and after.
     */
    private static CategoryChart coldComparison(JsonNode n, String[][] phases) {
        CategoryChart c = category("Median cold start by phase (MiniLM, " + n.path("function_memory_mb").asInt() + " MB function)", "", "ms");
        c.getStyler().setStacked(true);
        List<String> bars = new ArrayList<>(List.of("INSECURE plaintext", "secure"));
        List<JsonNode> rows = new ArrayList<>(List.of(n.path("plain_cold_start_median_ms"), n.path("cold_start_median_ms")));
        for (JsonNode v : n.path("variants")) {
            // Short labels (long ones are dropped from the axis): the variant's options, shortened.
            String o = v.path("jvm_options").asText().replace("-XX:", "").replace("-Dsesemi.runtime.", "");
            bars.add(o.length() > 24 ? o.substring(0, 22) + "…" : o);
            rows.add(v.path("cold_start_median_ms"));
        }
        for (String[] p : phases) {
            List<Double> v = new ArrayList<>();
            rows.forEach(r -> v.add(Math.max(0, r.path(p[1]).asDouble(0))));
            c.addSeries(p[0], bars, v);
        }
        List<Double> rest = new ArrayList<>();
        rows.forEach(r -> {
            double sum = 0;
            for (String[] p : phases) {
                sum += Math.max(0, r.path(p[1]).asDouble(0));
            }
            rest.add(Math.max(0, r.path("round_trip_ms").asDouble() - sum));
        });
        c.addSeries("rest of the round trip", bars, rest);
        return c;
    }

    /** Packer: cold starts, model loads, GB-s and latency percentiles per policy, measured next to simulated. */
    static List<Path> packer(Path dir, JsonNode n) throws IOException {
        JsonNode rows = n.path("results");
        List<String> policies = new ArrayList<>();
        rows.forEach(r -> policies.add(r.path("policy").asText()));
        List<Chart<?, ?>> charts = new ArrayList<>();
        for (String[] k : new String[][] {{"cold starts", "cold_starts"}, {"model loads", "model_loads"}, {"GB-s billed", "gb_s_billed"}}) {
            CategoryChart c = category(k[0], "policy", k[0]);
            c.addSeries("measured", policies, perPolicy(rows, "measured", k[1]));
            c.addSeries("simulated", policies, perPolicy(rows, "simulated", k[1]));
            charts.add(c);
        }
        CategoryChart lat = category("latency (measured)", "policy", "ms");
        lat.addSeries("p50", policies, perPolicy(rows, "measured", "p50_ms"));
        lat.addSeries("p99", policies, perPolicy(rows, "measured", "p99_ms"));
        charts.add(lat);
        Path file = dir.resolve("packer.png");
        Files.createDirectories(dir);
        BitmapEncoder.saveBitmap(charts, 2, 2, strip(file), BitmapEncoder.BitmapFormat.PNG);
        return List.of(file);
    }

    /** KeyService: releases/s and p99 vs concurrent runtimes. */
    static List<Path> keyService(Path dir, JsonNode n) throws IOException {
        com.fasterxml.jackson.databind.node.ArrayNode rows = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        n.path("results").forEach(r -> {
            if (r.path("p50_ms").isNumber()) { // steps where no release completed have no latency
                rows.add(r);
            }
        });
        // Runtimes usually double from step to step: evenly spaced categories, joined by lines.
        List<String> runtimes = new ArrayList<>();
        rows.forEach(r -> runtimes.add(r.path("runtimes").asText()));
        CategoryChart tput = category("Key releases/s vs concurrent runtimes", "concurrent runtimes", "releases/s");
        tput.getStyler().setDefaultSeriesRenderStyle(CategorySeriesRenderStyle.Line);
        tput.addSeries("releases/s", runtimes, list(column(rows, "releases_per_s"))).setMarker(SeriesMarkers.CIRCLE);
        tput.getStyler().setYAxisMin(0.0);
        CategoryChart p99 = category("Release latency vs concurrent runtimes", "concurrent runtimes", "ms");
        p99.getStyler().setDefaultSeriesRenderStyle(CategorySeriesRenderStyle.Line);
        p99.getStyler().setOverlapped(true); // both series at the category's x, not side by side as bars
        p99.addSeries("p50", runtimes, list(column(rows, "p50_ms"))).setMarker(SeriesMarkers.CIRCLE);
        p99.addSeries("p99", runtimes, list(column(rows, "p99_ms"))).setMarker(SeriesMarkers.SQUARE);
        p99.getStyler().setYAxisMin(0.0);
        Path file = dir.resolve("keyservice.png");
        Files.createDirectories(dir);
        BitmapEncoder.saveBitmap(List.of(tput, p99), 1, 2, strip(file), BitmapEncoder.BitmapFormat.PNG);
        return List.of(file);
    }

    // ------------------------------------------------------------------ helpers

    private static CategoryChart category(String title, String x, String y) {
        CategoryChart c = new CategoryChartBuilder().width(W).height(H).title(title).xAxisTitle(x).yAxisTitle(y).build();
        style(c.getStyler());
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        return c;
    }

    private static XYChart xy(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(W).height(H).title(title).xAxisTitle(x).yAxisTitle(y).build();
        style(c.getStyler());
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        return c;
    }

    private static void style(Styler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendBorderColor(Color.LIGHT_GRAY);
        s.setAntiAlias(true);
    }

    private static void addCdf(XYChart c, String name, JsonNode samples) {
        if (!samples.isArray() || samples.isEmpty()) {
            return;
        }
        double[] x = new double[samples.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.max(1e-3, samples.get(i).asDouble());
        }
        Arrays.sort(x);
        double[] y = new double[x.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = (i + 1.0) / y.length;
        }
        c.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
    }

    private static List<Double> values(List<JsonNode> runs, String field) {
        return runs.stream().map(r -> r.path(field).asDouble()).toList();
    }

    private static double[] column(JsonNode rows, String field) {
        double[] v = new double[rows.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = rows.get(i).path(field).asDouble();
        }
        return v;
    }

    private static List<Double> list(double[] v) {
        return Arrays.stream(v).boxed().toList();
    }

    private static List<Double> perPolicy(JsonNode rows, String kind, String field) {
        List<Double> v = new ArrayList<>();
        rows.forEach(r -> v.add(r.path(kind).path(field).asDouble()));
        return v;
    }

    private static String stripOnnx(String model) {
        return model.endsWith(".onnx") ? model.substring(0, model.length() - 5) : model;
    }

    private static Path save(Chart<?, ?> c, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        BitmapEncoder.saveBitmap(c, strip(file), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /** XChart appends the extension itself. */
    private static String strip(Path file) {
        String s = file.toString();
        return s.endsWith(".png") ? s.substring(0, s.length() - 4) : s;
    }
}
