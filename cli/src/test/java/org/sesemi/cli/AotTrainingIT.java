package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sesemi runtime aot-train} drives a real runtime process through {@code /init} and requests and leaves JDK
 * 25's AOT cache behind, which a JVM with the same class path then maps (and a JVM given a broken cache still runs,
 * quietly, without it). Needs JDK 25 or newer; skips otherwise.
 */
class AotTrainingIT {
    @TempDir Path dir;

    @Test
    void trainsACacheThatTheRuntimeJvmUses() throws Exception {
        assumeTrue(Runtime.version().feature() >= 25, "the AOT cache needs JDK 25+; this test runs on " + Runtime.version());
        Path cache = dir.resolve("sesemi.aot");
        var r = SesemiProcess.run("runtime", "aot-train", "--out", cache.toString(), "--requests", "4");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stderr()).contains("aot-train: wrote " + cache);
        assertThat(Files.size(cache)).isGreaterThan(1 << 20);

        // The application's own classes come from the cache, not from the jar.
        assertThat(version(cache, "-Xlog:class+load=info")).contains("org.sesemi.cli.Main source: shared objects file", "sesemi ");
        Path broken = Files.write(dir.resolve("broken.aot"), new byte[4096]);
        String quiet = version(broken, "-Xlog:aot=off");
        assertThat(quiet).startsWith("sesemi ").doesNotContain("aot]");
    }

    /** {@code sesemi --version} in a JVM with {@code -XX:AOTCache=cache} and the runtime processes' options; stdout + stderr. */
    private static String version(Path cache, String log) throws Exception {
        // The class path exactly as the training run's runtime process had it (the cache records it).
        Path jar = Path.of(System.getProperty("sesemi.jar", "target/sesemi.jar"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:AOTCache=" + cache, log, "-cp", jar.toString(), Main.class.getName(), "--version"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
