package org.sesemi.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real assembled {@code sesemi} command (target/sesemi.jar) in a child JVM, as a user would. */
final class SesemiProcess {
    record Result(int exitCode, String stdout, String stderr) {}

    private SesemiProcess() {}

    static Result run(String... args) {
        return run(Map.of(), args);
    }

    /** The java command line that runs {@code sesemi args...}. */
    private static List<String> command(String... args) {
        return command(List.of(), args);
    }

    /** The java command line that runs {@code sesemi args...} with extra JVM options (e.g. scheduler settings). */
    private static List<String> command(List<String> jvmOptions, String... args) {
        Path jar = Path.of(System.getProperty("sesemi.jar", "target/sesemi.jar"));
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Dsesemi.shared=" + System.getProperty("sesemi.shared", "../../shared")));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts a long-running {@code sesemi args...} (a server), its output going to {@code out} and {@code err}; the caller stops it. */
    static Process start(Path out, Path err, String... args) throws IOException {
        return builder(command(args)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    /** As {@link #start(Path, Path, String...)}, with extra JVM options before {@code -jar}. */
    static Process start(List<String> jvmOptions, Path out, Path err, String... args) throws IOException {
        return builder(command(jvmOptions, args)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    /** A process of {@code cmd} with the environment bin/sesemi gives the JVM (the C allocator's setting, NativeHeap). */
    private static ProcessBuilder builder(List<String> cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put(NativeHeap.MMAP_THRESHOLD, NativeHeap.mmapThreshold(System.getenv()));
        return pb;
    }

    /** The simulated runtime measurement of runtimes started from the assembled jar ({@code sesemi measure}). */
    static org.sesemi.attestation.Measurement jarRuntimeMeasurement() {
        Result r = run("measure", "--role", "runtime");
        if (r.exitCode() != 0) {
            throw new AssertionError("sesemi measure failed: " + r.stderr());
        }
        try {
            String value = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.stdout()).path("measurements").path("runtime").asText();
            return org.sesemi.attestation.Measurement.parse(value);
        } catch (IOException e) {
            throw new AssertionError("sesemi measure printed no JSON: " + r.stdout(), e);
        }
    }

    /** A thread dump of a running JVM (jcmd Thread.print), for failure messages of tests that catch a hang. */
    static String threadDump(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no thread dump: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(no thread dump: interrupted)";
        }
    }

    /** A free loopback port for a server to take (a race with other programs remains possible, as with any such choice). */
    static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Result run(Map<String, String> env, String... args) {
        List<String> cmd = command(args);
        try {
            Path out = Files.createTempFile("sesemi-out", ".txt");
            Path err = Files.createTempFile("sesemi-err", ".txt");
            ProcessBuilder pb = builder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("sesemi " + String.join(" ", args) + " did not finish");
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
