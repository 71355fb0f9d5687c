package org.sesemi.platform.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official {@code openwhisk} npm client (the version pinned in {@code src/test/node/package.json}) drives the
 * platform end to end: {@code src/test/node/compat.mjs} creates, reads, updates, invokes and deletes a blackbox action
 * and reads activations, asserting what Apache OpenWhisk answers. This is the compatibility claim of the platform
 * checked with a client the project did not write.
 *
 * <p>The Node project is copied under {@code target/}, installed with {@code npm ci} from its lock file, and run with
 * {@code node} against a real {@link PlatformFixture} (ephemeral loopback port, {@code TestAction} processes). The test
 * is skipped, with the reason, when {@code node} or {@code npm} is missing or the npm registry cannot be reached;
 * any failed check of the script fails it. Every process has a time limit and is destroyed with its descendants.
 */
class NpmClientCompatibilityTest {
    private static final Duration TOOL_PROBE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration NPM_CI_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(90);
    private static final List<String> NODE_PROJECT_FILES = List.of("package.json", "package-lock.json", "compat.mjs");
    /** npm's ways of saying the registry was not reachable (codes of Node's network errors, npm's own wording). */
    private static final Pattern NETWORK_ERROR = Pattern.compile(
            "ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ESOCKETTIMEDOUT|ENETUNREACH|EHOSTUNREACH|ENETDOWN|"
                    + "EPROTO|CERT_|UNABLE_TO_GET_ISSUER|SELF_SIGNED|npm (?:ERR!|error) network|request to \\S+ failed");

    @TempDir
    Path dir;

    @Test
    void theOfficialOpenWhiskNpmClientWorksAgainstThePlatform() throws Exception {
        if (!probe("node", "--version")) {
            skip("node is not on the PATH (or does not run): this check needs Node.js");
        }
        if (!probe("npm", "--version")) {
            skip("npm is not on the PATH (or does not run): this check needs npm");
        }

        Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        Path source = module.resolve("src/test/node");
        Path target = module.resolve("target");
        Files.createDirectories(target);
        Path project = Files.createTempDirectory(target, "npm-compat-");
        try {
            for (String file : NODE_PROJECT_FILES) {
                Files.copy(source.resolve(file), project.resolve(file));
            }
            install(project);
            try (PlatformFixture platform = PlatformFixture.start(dir, c -> c)) {
                Result run = run(project, SCRIPT_TIMEOUT, Map.of(
                        "OW_APIHOST", platform.base.toString().replaceAll("/$", ""),
                        "OW_API_KEY", PlatformFixture.GUEST,
                        "OW_NAMESPACE", "guest", // the namespace of the guest key, bootstrapped by PlatformServer
                        "OW_IMAGE", PlatformFixture.IMAGE), "node", "compat.mjs");
                if (run.timedOut() || run.exitCode() != 0) {
                    fail("node compat.mjs " + (run.timedOut() ? "did not finish in " + SCRIPT_TIMEOUT.toSeconds() + " s"
                            : "exited with " + run.exitCode()) + "; its output:\n" + run.output());
                }
                assertThat(run.output()).contains("\"summary\":true").contains("compat: all checks passed");
                System.out.println(run.output());
            }
        } finally {
            deleteRecursively(project);
        }
    }

    /** {@code npm ci} from the lock file; a registry that cannot be reached skips the test, any other failure fails it. */
    private static void install(Path project) throws IOException, InterruptedException {
        Result ci = run(project, NPM_CI_TIMEOUT, Map.of(), "npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts",
                "--prefer-offline");
        if (ci.timedOut()) {
            skip("npm ci did not finish in " + NPM_CI_TIMEOUT.toSeconds() + " s (npm registry unreachable or too slow); its output:\n"
                    + ci.output());
        }
        if (ci.exitCode() != 0) {
            if (NETWORK_ERROR.matcher(ci.output()).find()) {
                skip("the npm registry cannot be reached (npm ci failed with a network error); its output:\n" + ci.output());
            }
            fail("npm ci exited with " + ci.exitCode() + "; its output:\n" + ci.output());
        }
        assertThat(project.resolve("node_modules/openwhisk/package.json")).exists();
    }

    /** Aborts the test as skipped, saying why also on stderr (the build log shows no assumption messages otherwise). */
    private static void skip(String reason) {
        System.err.println("NpmClientCompatibilityTest skipped: " + reason);
        Assumptions.abort(reason);
    }

    /** True if the command runs and exits 0 within the probe timeout; false if it is not on the PATH or fails. */
    private static boolean probe(String... command) throws InterruptedException {
        try {
            Result r = run(Path.of("."), TOOL_PROBE_TIMEOUT, Map.of(), command);
            return !r.timedOut() && r.exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    record Result(boolean timedOut, int exitCode, String output) {}

    /**
     * Runs a command in {@code workDir} with stdout and stderr merged into a file (so a chatty child can never block on
     * a full pipe), waits at most {@code timeout}, and always destroys the process and its descendants.
     */
    private static Result run(Path workDir, Duration timeout, Map<String, String> env, String... command)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("npm-compat-", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        Map<String, String> environment = pb.environment();
        if (env.containsKey("OW_APIHOST")) {
            // the client would send loopback calls through a proxy, and read defaults (even headers) from __OW_* variables
            environment.keySet().removeIf(k -> k.toLowerCase(Locale.ROOT).endsWith("proxy") || k.startsWith("__OW_"));
        }
        environment.putAll(env);
        Process process = pb.start();
        try {
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Result(!finished, finished ? process.exitValue() : -1, Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            destroyTree(process);
            Files.deleteIfExists(log);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static void destroyTree(Process process) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        descendants.forEach(ProcessHandle::destroy);
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
