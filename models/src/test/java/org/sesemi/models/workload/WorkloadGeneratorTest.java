package org.sesemi.models.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.models.workload.TraceWorkload.Config;
import org.sesemi.models.workload.TraceWorkload.MinuteArrivals;

/**
 * Arrival generators. Statistical checks use fixed seeds, so they are deterministic; their tolerances are several
 * standard deviations wide so that a correct generator passes for any seed.
 */
class WorkloadGeneratorTest {
    @TempDir Path dir;

    private AzureTrace trace() throws IOException {
        Path p = dir.resolve("inv.csv");
        Files.writeString(p, """
                HashOwner,HashApp,HashFunction,Trigger,1,2,3
                o,a,f1,http,3,0,7
                o,a,f2,timer,1,1,1
                o,b,f3,queue,0,250,0
                """);
        return AzureTrace.read(p, Optional.empty(), Optional.empty(), TraceLimits.defaults());
    }

    @Test
    void exactCountModeReproducesTheTraceCountsMinuteByMinute() throws IOException {
        AzureTrace t = trace();
        TraceWorkload w = new TraceWorkload(t, new FunctionMapping.PerFunction("m-"), Config.defaults());
        List<Arrival> arrivals = w.arrivals().toList();
        assertThat(arrivals).isSortedAccordingTo(Arrival.ORDER).hasSize((int) t.totalInvocations());
        for (TraceFunction f : t.functions()) {
            for (int m = 0; m < t.minutes(); m++) {
                long lo = m * 60_000_000_000L;
                long hi = lo + 60_000_000_000L;
                assertThat(arrivals.stream().filter(a -> a.source().equals(f.key()) && a.atNanos() >= lo && a.atNanos() < hi)
                        .count()).as("%s minute %d", f.key(), m).isEqualTo(f.count(m));
            }
        }
        assertThat(w.models()).containsExactly("m-o/a/f1", "m-o/a/f2", "m-o/b/f3");
        assertThat(w.length()).isEqualTo(Duration.ofMinutes(3));
        assertThat(arrivals).allSatisfy(a -> assertThat(a.atNanos()).isLessThan(w.length().toNanos()));
    }

    @Test
    void arrivalsWithinAMinuteAreSpreadUniformly() throws IOException {
        List<Arrival> minute2 = new TraceWorkload(trace(), new FunctionMapping.PerFunction(""), Config.defaults())
                .arrivals().filter(a -> a.source().equals("o/b/f3")).toList();
        double mean = minute2.stream().mapToDouble(a -> a.atSeconds() - 60).average().orElseThrow();
        // Uniform on [0, 60): mean 30, sd of the mean 60/sqrt(12*250) ≈ 1.1 s.
        assertThat(mean).isCloseTo(30, within(6.0));
        assertThat(minute2).allSatisfy(a -> assertThat(a.atSeconds()).isBetween(60.0, 120.0));
    }

    @Test
    void sameSeedSameArrivalsOtherSeedOtherArrivals() throws IOException {
        AzureTrace t = trace();
        FunctionMapping map = new FunctionMapping.Hashed(List.of("resnet-50", "bert-base"), 3);
        List<Arrival> a = new TraceWorkload(t, map, new Config(9, 1, MinuteArrivals.EXACT_COUNT)).arrivals().toList();
        List<Arrival> b = new TraceWorkload(t, map, new Config(9, 1, MinuteArrivals.EXACT_COUNT)).arrivals().toList();
        List<Arrival> c = new TraceWorkload(t, map, new Config(10, 1, MinuteArrivals.EXACT_COUNT)).arrivals().toList();
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        assertThat(a).extracting(Arrival::model).allMatch(m -> m.equals("resnet-50") || m.equals("bert-base"));
    }

    @Test
    void timeCompressionDividesEveryTimestamp() throws IOException {
        AzureTrace t = trace();
        FunctionMapping map = new FunctionMapping.PerFunction("");
        List<Arrival> real = new TraceWorkload(t, map, new Config(5, 1, MinuteArrivals.EXACT_COUNT)).arrivals().toList();
        TraceWorkload fast = new TraceWorkload(t, map, new Config(5, 60, MinuteArrivals.EXACT_COUNT));
        List<Arrival> compressed = fast.arrivals().toList();
        assertThat(fast.length()).isEqualTo(Duration.ofSeconds(3));
        assertThat(compressed).hasSameSizeAs(real);
        for (int i = 0; i < real.size(); i++) {
            assertThat(compressed.get(i).atNanos()).isEqualTo((long) Math.floor(real.get(i).atNanos() / 60.0));
            assertThat(compressed.get(i).source()).isEqualTo(real.get(i).source());
        }
        assertThatThrownBy(() -> new Config(1, 0, MinuteArrivals.EXACT_COUNT)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Config(1, Double.NaN, MinuteArrivals.EXACT_COUNT))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFunctionsArrivalsDoNotDependOnWhichOtherFunctionsAreSampled() throws IOException {
        AzureTrace t = trace();
        FunctionMapping map = new FunctionMapping.PerFunction("");
        Function<AzureTrace, List<Arrival>> f2 = tr -> new TraceWorkload(tr, map, Config.defaults()).arrivals()
                .filter(a -> a.source().equals("o/a/f1")).toList();
        assertThat(f2.apply(t.mostInvoked(2))).isEqualTo(f2.apply(t)).hasSize(10);
    }

    @Test
    void poissonRateModeVariesCountsAroundTheTraceRate() throws IOException {
        Path p = dir.resolve("steady.csv");
        StringBuilder sb = new StringBuilder("HashFunction,Trigger");
        IntStream.rangeClosed(1, 200).forEach(m -> sb.append(',').append(m));
        sb.append("\nf,http").append(",20".repeat(200)).append('\n');
        Files.writeString(p, sb);
        AzureTrace t = AzureTrace.read(p, Optional.empty(), Optional.empty(), TraceLimits.defaults());
        List<Arrival> a = new TraceWorkload(t, new FunctionMapping.PerFunction(""),
                new Config(4, 1, MinuteArrivals.POISSON_RATE)).arrivals().toList();
        // 4,000 expected, sd 63: within 5 sd.
        assertThat(a.size()).isBetween(4000 - 320, 4000 + 320).isNotEqualTo(4000);
        Map<Long, Long> perMinute = a.stream().collect(Collectors.groupingBy(x -> x.atNanos() / 60_000_000_000L,
                Collectors.counting()));
        assertThat(perMinute.values().stream().distinct().count()).as("counts vary by minute").isGreaterThan(5);
    }

    @Test
    void explicitMappingMustCoverEveryFunction() throws IOException {
        AzureTrace t = trace();
        assertThatThrownBy(() -> new TraceWorkload(t, new FunctionMapping.Explicit(Map.of("f1", "x")), Config.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("o/a/f2");
        TraceWorkload w = new TraceWorkload(t, new FunctionMapping.Explicit(Map.of("f1", "x", "o/a/f2", "y", "f3", "z")),
                Config.defaults());
        assertThat(w.models()).containsExactly("x", "y", "z");
    }

    @Test
    void zipfFollowsItsPopularityAndRate() {
        List<String> models = IntStream.range(0, 20).mapToObj(i -> "m" + i).toList();
        ZipfWorkload z = new ZipfWorkload(models, 1.0, 200, Duration.ofSeconds(100), 11);
        List<Arrival> a = z.arrivals().toList();
        assertThat(a).isSortedAccordingTo(Arrival.ORDER).isEqualTo(z.arrivals().toList());
        assertThat(a).allSatisfy(x -> assertThat(x.atNanos()).isLessThan(Duration.ofSeconds(100).toNanos()));
        // 20,000 expected arrivals (sd 141).
        assertThat(a.size()).isBetween(20000 - 710, 20000 + 710);
        double[] p = z.probabilities();
        assertThat(p[0] / p[1]).isCloseTo(2.0, within(1e-9));
        Map<String, Long> counts = a.stream().collect(Collectors.groupingBy(Arrival::model, Collectors.counting()));
        for (int i : new int[] {0, 1, 4, 19}) {
            double expected = p[i] * a.size();
            assertThat((double) counts.getOrDefault("m" + i, 0L)).as("rank %d", i + 1)
                    .isCloseTo(expected, within(5 * Math.sqrt(expected) + 1));
        }
        assertThat(new ZipfWorkload(models, 1.0, 200, Duration.ofSeconds(100), 12).arrivals().limit(50).toList())
                .isNotEqualTo(a.subList(0, 50));
        assertThatThrownBy(() -> new ZipfWorkload(List.of(), 1, 1, Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ZipfWorkload(models, 1, 0, Duration.ofSeconds(1), 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void burstyOnOffHasTheRightMeanRateAndIsBurstierThanPoisson() {
        List<String> models = List.of("a", "b", "c");
        BurstyWorkload w = new BurstyWorkload(models, Duration.ofSeconds(5), Duration.ofSeconds(20), 50, 0,
                Duration.ofSeconds(2000), 21);
        List<Arrival> a = w.arrivals().toList();
        assertThat(a).isSortedAccordingTo(Arrival.ORDER).isEqualTo(w.arrivals().toList());
        assertThat(a).allSatisfy(x -> assertThat(x.source()).isEqualTo("on"));
        assertThat(w.meanRatePerSecond()).isCloseTo(10, within(1e-9));
        // 3 models × 10/s × 2000 s = 60,000 expected; on/off periods make the count noisy (≈80 cycles per model).
        assertThat(a.size()).isBetween(45_000, 75_000);
        // Index of dispersion of per-second counts of one model: 1 for Poisson, far above for on/off bursts.
        long[] perSecond = new long[2000];
        a.stream().filter(x -> x.model().equals("a")).forEach(x -> perSecond[(int) (x.atNanos() / 1_000_000_000L)]++);
        double mean = java.util.Arrays.stream(perSecond).average().orElseThrow();
        double var = java.util.Arrays.stream(perSecond).mapToDouble(c -> (c - mean) * (c - mean)).sum() / perSecond.length;
        assertThat(var / mean).isGreaterThan(5);
        assertThat(new BurstyWorkload(models, Duration.ofSeconds(5), Duration.ofSeconds(20), 50, 0,
                Duration.ofSeconds(2000), 22).arrivals().limit(100).toList()).isNotEqualTo(a.subList(0, 100));
    }

    @Test
    void burstyWithOffTrafficMarksBothStates() {
        BurstyWorkload w = new BurstyWorkload(List.of("x"), Duration.ofSeconds(1), Duration.ofSeconds(1), 100, 10,
                Duration.ofSeconds(200), 3);
        List<String> states = new ArrayList<>(w.arrivals().map(Arrival::source).distinct().toList());
        assertThat(states).containsExactlyInAnyOrder("on", "off");
    }
}
