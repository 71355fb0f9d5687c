package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Threads, open file descriptors and resident memory of processes, read from Linux's {@code /proc} (the soak's leak
 * check). Elsewhere the check is skipped with a message.
 */
final class Resources {
    /** Allowed growth from the warm-up level: threads and fds absolutely, RSS relatively (the heap may grow) plus slack. */
    static final int MORE_THREADS = 25;
    static final int MORE_FDS = 25;
    static final double RSS_FACTOR = 2.0;
    static final long RSS_SLACK = 128L << 20;

    private Resources() {}

    record Usage(long pid, int threads, int fds, long rssBytes) {
        @Override
        public String toString() {
            return "pid " + pid + ": " + threads + " threads, " + fds + " fds, " + (rssBytes >> 20) + " MiB RSS";
        }
    }

    /** The platform, its runtime containers (its direct children), the gateway and this JVM (the KeyService). */
    record Snapshot(Usage platform, List<Usage> runtimes, Usage gateway, Usage self) {
        @Override
        public String toString() {
            return "platform " + platform + "; runtimes " + runtimes + "; gateway " + gateway + "; test JVM " + self;
        }
    }

    static Snapshot snapshot(ProcessHandle platform, ProcessHandle gateway) {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "no /proc: the leak check needs Linux");
        List<Usage> runtimes = platform.children().map(Resources::usage).flatMap(Optional::stream).toList();
        return new Snapshot(usage(platform).orElseThrow(() -> new AssertionError("the platform process is gone")), runtimes,
                usage(gateway).orElseThrow(() -> new AssertionError("the gateway process is gone")), usage(ProcessHandle.current()).orElseThrow());
    }

    static Optional<Usage> usage(ProcessHandle p) {
        Path proc = Path.of("/proc", Long.toString(p.pid()));
        try {
            int threads = 0;
            long rss = 0;
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring(8).trim());
                } else if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
                }
            }
            int fds;
            try (Stream<Path> s = Files.list(proc.resolve("fd"))) {
                fds = (int) s.count();
            }
            return Optional.of(new Usage(p.pid(), threads, fds, rss));
        } catch (IOException | RuntimeException gone) {
            return Optional.empty(); // the process ended meanwhile
        }
    }

    /** Fails unless every process of {@code end} is near the level of its counterpart (or, for runtimes, the largest) in {@code base}. */
    static void assertNear(Snapshot base, Snapshot end) {
        near("platform", base.platform(), end.platform());
        near("gateway", base.gateway(), end.gateway());
        near("test JVM", base.self(), end.self());
        if (!base.runtimes().isEmpty()) {
            Usage largest = new Usage(0, base.runtimes().stream().mapToInt(Usage::threads).max().orElse(0),
                    base.runtimes().stream().mapToInt(Usage::fds).max().orElse(0),
                    base.runtimes().stream().mapToLong(Usage::rssBytes).max().orElse(0));
            for (Usage r : end.runtimes()) {
                near("runtime container", largest, r);
            }
        }
    }

    private static void near(String what, Usage base, Usage end) {
        assertThat(end.threads()).as(what + " threads (after warm-up " + base + ", now " + end + ")")
                .isLessThanOrEqualTo(base.threads() + MORE_THREADS);
        assertThat(end.fds()).as(what + " file descriptors (after warm-up " + base + ", now " + end + ")")
                .isLessThanOrEqualTo(base.fds() + MORE_FDS);
        assertThat(end.rssBytes()).as(what + " RSS (after warm-up " + base + ", now " + end + ")")
                .isLessThanOrEqualTo((long) (base.rssBytes() * RSS_FACTOR) + RSS_SLACK);
    }
}
