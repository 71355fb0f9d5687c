package org.sesemi.models.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.models.workload.TraceFormatException.Reason;

/** The Azure 2019 trace reader, on small trace files written by the tests themselves. */
class AzureTraceTest {
    @TempDir Path dir;

    static final String FULL_HEADER = "HashOwner,HashApp,HashFunction,Trigger,1,2,3,4";

    @Test
    void readsThePublishedDayFormatWithDurationsAndPerAppMemory() throws IOException {
        Path inv = write("inv.csv", FULL_HEADER, "o1,a1,f1,http,1,0,2,0", "o1,a1,f2,timer,0,0,0,1",
                "o2,a2,f1,queue,5,5,5,5");
        Path dur = write("dur.csv", "HashOwner,HashApp,HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,"
                + "percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,"
                + "percentile_Average_99,percentile_Average_100", "o1,a1,f1,336,287,23.0,4084.0,23,43,107,140,280,3317,4084");
        Path mem = write("mem.csv", "HashOwner,HashApp,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,"
                + "AverageAllocatedMb_pct5,AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,AverageAllocatedMb_pct75,"
                + "AverageAllocatedMb_pct95,AverageAllocatedMb_pct99,AverageAllocatedMb_pct100",
                "o1,a1,100,189,179,183,186,189,192,196,205,246");
        AzureTrace t = AzureTrace.read(inv, Optional.of(dur), Optional.of(mem), TraceLimits.defaults());
        assertThat(t.minutes()).isEqualTo(4);
        assertThat(t.functions()).extracting(TraceFunction::key).containsExactly("o1/a1/f1", "o1/a1/f2", "o2/a2/f1");
        TraceFunction f1 = t.functions().get(0);
        assertThat(f1.trigger()).isEqualTo("http");
        assertThat(IntStream.range(0, 4).mapToLong(f1::count).toArray()).containsExactly(1, 0, 2, 0);
        assertThat(f1.duration().orElseThrow().p50()).isEqualTo(140);
        assertThat(f1.duration().orElseThrow().count()).isEqualTo(287);
        // Memory is per app: both functions of o1/a1 get it, o2/a2 has none.
        assertThat(t.functions().get(1).memory().orElseThrow().averageMb()).isEqualTo(189);
        assertThat(t.functions().get(1).duration()).isEmpty();
        assertThat(t.functions().get(2).memory()).isEmpty();
        assertThat(t.totalInvocations()).isEqualTo(3 + 1 + 20);
    }

    @Test
    void readsTheSampleFormatFromADirectory() throws IOException {
        write(AzureTrace.INVOCATIONS, "HashFunction,Trigger,1,2", "0,timer,1,0", "1,http,10,3");
        write(AzureTrace.MEMORY, "HashFunction,SampleCount,AverageAllocatedMb,AverageAllocatedMb_pct1,"
                + "AverageAllocatedMb_pct5,AverageAllocatedMb_pct25,AverageAllocatedMb_pct50,AverageAllocatedMb_pct75,"
                + "AverageAllocatedMb_pct95,AverageAllocatedMb_pct99,AverageAllocatedMb_pct100,Ideal",
                "1,21262,91,66,73,87,93,97,103,111,114,93");
        AzureTrace t = AzureTrace.readDirectory(dir, TraceLimits.defaults());
        assertThat(t.functions()).extracting(TraceFunction::key).containsExactly("0", "1");
        assertThat(t.functions().get(1).memory().orElseThrow().p99()).isEqualTo(111);
        assertThat(t.functions().get(0).memory()).isEmpty();
        assertThat(t.mostInvoked(1).functions()).extracting(TraceFunction::key).containsExactly("1");
        assertThat(t.window(1, 1).functions().get(1).count(0)).isEqualTo(3);
    }

    @Test
    void toleratesCrlfAndBlankLines() throws IOException {
        Path inv = dir.resolve("crlf.csv");
        Files.writeString(inv, "HashFunction,Trigger,1\r\n\r\nx,http,4\r\n\n");
        assertThat(read(inv).functions().get(0).count(0)).isEqualTo(4);
    }

    @Test
    void rejectsMalformedInputWithTypedReasonsAndLineNumbers() throws IOException {
        expect(Reason.EMPTY, 0, write("e.csv"));
        expect(Reason.EMPTY, 0, write("e2.csv", "", "  "));
        expect(Reason.BAD_HEADER, 1, write("h1.csv", "HashFunction,1,2", "f,1,2"));
        expect(Reason.BAD_HEADER, 1, write("h2.csv", "HashFunction,Trigger,1,3", "f,http,1,2"));
        expect(Reason.BAD_HEADER, 1, write("h3.csv", "HashFunction,Trigger", "f,http"));
        expect(Reason.BAD_HEADER, 1, write("h4.csv", "HashApp,HashFunction,Trigger,1", "a,f,http,1"));
        expect(Reason.BAD_HEADER, 1, write("h5.csv", "Trigger,HashFunction,1", "http,f,1"));
        expect(Reason.BAD_ROW, 3, write("r1.csv", "HashFunction,Trigger,1,2", "f,http,1,2", "g,http,1"));
        expect(Reason.BAD_ROW, 2, write("r2.csv", "HashFunction,Trigger,1", ",http,1"));
        expect(Reason.BAD_ROW, 2, write("r3.csv", "HashFunction,Trigger,1", "\"f\",http,1"));
        expect(Reason.BAD_NUMBER, 2, write("n1.csv", "HashFunction,Trigger,1", "f,http,-1"));
        expect(Reason.BAD_NUMBER, 2, write("n2.csv", "HashFunction,Trigger,1", "f,http,1.5"));
        expect(Reason.BAD_NUMBER, 2, write("n3.csv", "HashFunction,Trigger,1", "f,http,99999999999999999999999"));
        expect(Reason.BAD_NUMBER, 2, write("n4.csv", "HashFunction,Trigger,1", "f,http,"));
        expect(Reason.DUPLICATE_FUNCTION, 3, write("d.csv", "HashFunction,Trigger,1", "f,http,1", "f,timer,2"));
    }

    @Test
    void rejectsTruncatedAndTamperedFiles() throws IOException {
        String good = "HashOwner,HashApp,HashFunction,Trigger,1,2,3\no,a,f,http,1,2,3\no,a,g,http,4,5,6\n";
        Path truncated = dir.resolve("t.csv");
        Files.writeString(truncated, good.substring(0, good.length() - 4));
        expect(Reason.BAD_ROW, 3, truncated);
        Path tampered = dir.resolve("x.csv");
        byte[] bytes = good.getBytes(StandardCharsets.US_ASCII);
        bytes[good.indexOf("4,5")] = (byte) 0xff;
        Files.write(tampered, bytes);
        expect(Reason.BAD_ROW, 3, tampered);
        Path badDuration = write("dur.csv", "HashFunction,Average,Count,Minimum,Maximum,percentile_Average_0,"
                + "percentile_Average_1,percentile_Average_25,percentile_Average_50,percentile_Average_75,"
                + "percentile_Average_99,percentile_Average_100", "f,NaN,1,1,1,1,1,1,1,1,1,1");
        Path inv = write("inv.csv", "HashFunction,Trigger,1", "f,http,1");
        assertThatThrownBy(() -> AzureTrace.read(inv, Optional.of(badDuration), Optional.empty(), TraceLimits.defaults()))
                .isInstanceOfSatisfying(TraceFormatException.class, e -> assertThat(e.reason()).isEqualTo(Reason.BAD_NUMBER))
                .hasMessageContaining("dur.csv:2");
    }

    @Test
    void enforcesLimitsOnOversizedInput() throws IOException {
        TraceLimits small = new TraceLimits(4096, 64, 2, 3, 100);
        expectWith(small, Reason.TOO_LARGE, write("l1.csv", "HashFunction,Trigger,1", "f," + "x".repeat(100) + ",1"));
        expectWith(small, Reason.TOO_LARGE, write("l2.csv", "HashFunction,Trigger,1", "f,http,1", "g,http,1", "h,http,1"));
        expectWith(small, Reason.TOO_LARGE, write("l3.csv", "HashFunction,Trigger,1,2,3,4", "f,http,1,1,1,1"));
        expectWith(small, Reason.BAD_NUMBER, write("l4.csv", "HashFunction,Trigger,1", "f,http,101"));
        List<String> lines = new ArrayList<>(List.of("HashFunction,Trigger,1"));
        for (int i = 0; i < 500; i++) {
            lines.add("f" + i + ",http,1");
        }
        expectWith(small, Reason.TOO_LARGE, write("l5.csv", lines.toArray(String[]::new)));
    }

    @Property(tries = 60)
    void writtenTracesReadBack(@ForAll @Size(min = 1, max = 8) List<@Size(min = 1, max = 5) List<@IntRange(max = 1000) Integer>> rows,
            @ForAll boolean withOwner) throws IOException {
        int minutes = rows.get(0).size();
        Path tmp = Files.createTempFile("trace", ".csv");
        try {
            StringBuilder sb = new StringBuilder(withOwner ? "HashOwner,HashApp," : "").append("HashFunction,Trigger");
            IntStream.rangeClosed(1, minutes).forEach(m -> sb.append(',').append(m));
            sb.append('\n');
            for (int r = 0; r < rows.size(); r++) {
                List<Integer> row = rows.get(r);
                sb.append(withOwner ? "own,app" + r + "," : "").append("fn").append(r).append(",http");
                for (int m = 0; m < minutes; m++) {
                    sb.append(',').append(row.get(m % row.size()));
                }
                sb.append('\n');
            }
            Files.writeString(tmp, sb);
            AzureTrace t = read(tmp);
            assertThat(t.functions()).hasSize(rows.size());
            for (int r = 0; r < rows.size(); r++) {
                for (int m = 0; m < minutes; m++) {
                    assertThat(t.functions().get(r).count(m)).isEqualTo((long) rows.get(r).get(m % rows.get(r).size()));
                }
            }
        } finally {
            Files.delete(tmp);
        }
    }

    @Property(tries = 300)
    void arbitraryBytesEitherParseOrFailWithATypedError(@ForAll @Size(max = 300) byte[] tail, @ForAll boolean withHeader) {
        byte[] head = withHeader ? "HashFunction,Trigger,1,2\nf,http,1,2\n".getBytes(StandardCharsets.US_ASCII) : new byte[0];
        byte[] input = new byte[head.length + tail.length];
        System.arraycopy(head, 0, input, 0, head.length);
        System.arraycopy(tail, 0, input, head.length, tail.length);
        try {
            AzureTrace t = AzureTrace.readInvocations("p.csv", new java.io.ByteArrayInputStream(input), TraceLimits.defaults());
            assertThat(t.minutes()).isPositive();
        } catch (TraceFormatException expected) {
            assertThat(expected.getMessage()).startsWith("p.csv");
        } catch (IOException e) {
            throw new AssertionError("untyped failure", e);
        }
    }

    @Test
    void aHeaderWithoutRowsIsAnEmptyTraceButItsHeaderIsStillChecked() throws IOException {
        assertThat(read(write("h.csv", "HashFunction,Trigger,1,2")).functions()).isEmpty();
        expect(Reason.BAD_HEADER, 1, write("h0.csv", "HashFunction,Trigger,2"));
    }

    @Test
    void samplingIsDeterministicAndKeepsTraceOrder() throws IOException {
        List<String> lines = new ArrayList<>(List.of("HashFunction,Trigger,1"));
        for (int i = 0; i < 50; i++) {
            lines.add(String.format("f%02d,http,%d", i, i));
        }
        AzureTrace t = read(write("s.csv", lines.toArray(String[]::new)));
        List<String> a = t.sample(10, 7).functions().stream().map(TraceFunction::key).toList();
        assertThat(a).hasSize(10).isSorted().doesNotHaveDuplicates()
                .isEqualTo(t.sample(10, 7).functions().stream().map(TraceFunction::key).toList())
                .isNotEqualTo(t.sample(10, 8).functions().stream().map(TraceFunction::key).toList());
        assertThat(t.mostInvoked(3).functions()).extracting(TraceFunction::key).containsExactly("f49", "f48", "f47");
        assertThatThrownBy(() -> t.window(0, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The real sample vendored in this module's test resources (provenance and licence in its README.md). */
    static Path azureSample() throws Exception {
        java.net.URL url = AzureTraceTest.class.getResource("azure2019-1000fn-60min/" + AzureTrace.INVOCATIONS);
        assertThat(url).as("the vendored Azure trace sample in the test resources").isNotNull();
        return Path.of(url.toURI()).getParent();
    }

    @Test
    void readsTheVendoredAzureSample() throws Exception {
        AzureTrace t = AzureTrace.readDirectory(azureSample(), TraceLimits.defaults());
        assertThat(t.functions()).hasSize(1000);
        assertThat(t.minutes()).isEqualTo(60);
        // The sample was drawn with 10..1000 invocations per hour per function.
        assertThat(t.functions()).allSatisfy(f -> assertThat(f.totalInvocations()).isBetween(10L, 1000L * 60));
        assertThat(t.functions().stream().filter(f -> f.duration().isPresent() && f.memory().isPresent()).count())
                .isEqualTo(1000);
        assertThat(t.functions().stream().map(TraceFunction::trigger).collect(Collectors.toSet())).contains("http", "timer");
        // Replayed one trace minute per second: every invocation becomes one arrival within the hour's minute.
        TraceWorkload w = new TraceWorkload(t, new FunctionMapping.PerFunction("fn-"),
                new TraceWorkload.Config(1, 60, TraceWorkload.MinuteArrivals.EXACT_COUNT));
        assertThat(w.arrivals().count()).isEqualTo(t.totalInvocations());
        assertThat(w.models()).hasSize(1000);
        assertThat(w.length()).isEqualTo(java.time.Duration.ofSeconds(60));
    }

    private AzureTrace read(Path p) throws IOException {
        return AzureTrace.read(p, Optional.empty(), Optional.empty(), TraceLimits.defaults());
    }

    private void expect(Reason reason, long line, Path file) {
        assertThatThrownBy(() -> read(file)).as(file.getFileName().toString())
                .isInstanceOfSatisfying(TraceFormatException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.line()).isEqualTo(line);
                    assertThat(e.getMessage()).startsWith(file.getFileName().toString());
                });
    }

    private void expectWith(TraceLimits limits, Reason reason, Path file) {
        assertThatThrownBy(() -> AzureTrace.read(file, Optional.empty(), Optional.empty(), limits))
                .as(file.getFileName().toString())
                .isInstanceOfSatisfying(TraceFormatException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    private Path write(String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, lines.length == 0 ? "" : String.join("\n", lines) + "\n");
        return p;
    }
}
