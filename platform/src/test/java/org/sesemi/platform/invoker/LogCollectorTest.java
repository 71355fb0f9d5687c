package org.sesemi.platform.invoker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Process output is untrusted: the collector must cut, bound and label it whatever arrives. */
class LogCollectorTest {
    private static final String S = LogCollector.SENTINEL;

    private static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void cutsEachActivationAtItsSentinelsAndStripsThem() throws Exception {
        LogCollector logs = new LogCollector(1 << 20);
        logs.follow(stream("one\r\ntwo\n" + S + "\nthree\n" + S + "\n"), "stdout");
        logs.follow(stream("err\n" + S + "\n" + S + "\n"), "stderr");
        List<String> first = logs.collect(5000, 1 << 20);
        assertThat(first).hasSize(3);
        assertThat(first).anyMatch(l -> l.endsWith(" stdout: one")).anyMatch(l -> l.endsWith(" stdout: two"))
                .anyMatch(l -> l.endsWith(" stderr: err"));
        assertThat(first).allMatch(l -> l.matches("\\S+Z (stdout|stderr): .*"));
        assertThat(logs.collect(5000, 1 << 20)).singleElement().asString().endsWith(" stdout: three");
    }

    @Test
    void missingSentinelsEndTheWaitAndAreNoted() throws Exception {
        LogCollector logs = new LogCollector(1 << 20);
        PipedOutputStream out = new PipedOutputStream();
        PipedOutputStream err = new PipedOutputStream();
        logs.follow(new PipedInputStream(out), "stdout");
        logs.follow(new PipedInputStream(err), "stderr");
        out.write("no marker\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        long started = System.nanoTime();
        List<String> lines = logs.collect(300, 1 << 20);
        assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(250);
        assertThat(lines.getLast()).contains("Logs may be incomplete");
        out.close();
        err.close();
    }

    @Test
    void overlongLinesAndFloodsAreBounded() throws Exception {
        LogCollector logs = new LogCollector(200_000);
        String huge = "z".repeat(LogCollector.MAX_LINE_BYTES * 3);
        StringBuilder flood = new StringBuilder(huge).append('\n');
        for (int i = 0; i < 30_000; i++) {
            flood.append("line ").append(i).append('\n');
        }
        flood.append(S).append('\n');
        logs.follow(stream(flood.toString()), "stdout");
        logs.follow(stream(S + "\n"), "stderr");
        List<String> lines = logs.collect(5000, 10 * 1024 * 1024);
        assertThat(lines.getFirst()).endsWith(" [line truncated]");
        assertThat(lines.getFirst().length()).isLessThan(LogCollector.MAX_LINE_BYTES + 100);
        assertThat(lines.getLast()).contains("Logs were truncated");
        assertThat(lines.size()).isLessThan(30_000);
    }

    @Test
    void theLimitCutsWithANoteAndZeroMeansNoLogs() throws Exception {
        LogCollector logs = new LogCollector(1 << 20);
        logs.follow(stream("aaaa\nbbbb\ncccc\n" + S + "\n" + "dddd\n" + S + "\n"), "stdout");
        logs.follow(stream(S + "\n" + S + "\n"), "stderr");
        List<String> cut = logs.collect(5000, 9);
        assertThat(cut).hasSize(3);
        assertThat(cut.get(2)).endsWith("Logs were truncated because the total bytes size exceeds the limit of 9 bytes.");
        assertThat(logs.collect(5000, 0)).isEmpty();
    }

    @Test
    void discardingKeepsNothing() throws Exception {
        LogCollector logs = new LogCollector(1 << 20);
        logs.discardFromNowOn();
        logs.follow(stream("secret-ish output\n" + S + "\n"), "stdout");
        logs.follow(stream(S + "\n"), "stderr");
        assertThat(logs.collect(2000, 1 << 20)).isEmpty();
    }

    @Test
    void invalidUtf8IsReplacedNotFatal() throws IOException, InterruptedException {
        LogCollector logs = new LogCollector(1 << 20);
        byte[] bytes = {(byte) 0xff, (byte) 0xfe, 'o', 'k', '\n'};
        logs.follow(new ByteArrayInputStream(bytes), "stdout");
        logs.follow(stream(""), "stderr");
        assertThat(logs.collect(2000, 1 << 20)).singleElement().asString().endsWith("ok");
    }
}
