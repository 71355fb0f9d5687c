package org.sesemi.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.time.SystemTime;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sesemi runtime aot-train --out FILE}: the training run of JDK 25's ahead-of-time cache (JEP 483/514/515) for
 * the runtime. It starts the whole system on loopback ({@link LocalStack}), then one runtime process exactly as the
 * platform starts it ({@link PlatformCommand#semirtImage()}'s JVM, options and class path) plus
 * {@code -XX:AOTCacheOutput=FILE}, and drives it through what a cold start does: listening, {@code /init} (TEE, attested
 * KeyService connection, engine) and first requests (key release, model fetch, decryption, session, inference), then
 * some warm ones; it stops the process (SIGTERM), whose JVM then writes the cache. {@code bin/sesemi} runs this after
 * building the jar and keeps the cache next to it; a JVM of another build ignores it ({@code docs/benchmarks.md}).
 */
@Command(name = "aot-train", mixinStandardHelpOptions = true,
        description = {"Write JDK 25's AOT cache for the runtime: start a runtime with -XX:AOTCacheOutput=FILE and drive it through",
            "/init and inference requests against a KeyService and model on loopback (bin/sesemi runs this after a build)."})
final class AotTraining implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", required = true, description = "The AOT cache file to write.")
    Path out;

    @Option(names = "--requests", defaultValue = "40", description = "Requests after the first (default ${DEFAULT-VALUE}).")
    int requests;

    @Override
    public Integer call() throws Exception {
        if (Runtime.version().feature() < 25) {
            throw new CliErrors.UserException("the AOT cache needs JDK 25 or newer; this is " + Runtime.version());
        }
        PrintWriter err = spec.commandLine().getErr();
        Path target = out.toAbsolutePath();
        Files.deleteIfExists(target);
        try (LocalStack stack = LocalStack.start("sesemi-aot-train-", 1024, false)) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            List<String> cmd = new ArrayList<>(PlatformCommand.jvm().stream().filter(a -> !a.startsWith("-XX:AOT")).toList());
            cmd.addAll(PlatformCommand.containerMemoryOptions(256)); // as the platform starts it, in OpenWhisk's default container
            cmd.add("-XX:AOTCacheOutput=" + target);
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "runtime", "serve", "--platform", "openwhisk",
                    "--bind", "127.0.0.1", "--port", Integer.toString(port)));
            Path log = stack.work.resolve("training.log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("__OW_ALLOW_CONCURRENT", "true");
            pb.environment().put(NativeHeap.MMAP_THRESHOLD, NativeHeap.mmapThreshold(System.getenv()));
            err.println("aot-train: training a runtime process (" + String.join(" ", cmd.subList(1, cmd.indexOf("-cp"))) + ")");
            err.flush();
            Process p = pb.start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                URI base = URI.create("http://127.0.0.1:" + port);
                awaitListening(http, base, p);
                Map<String, String> init = stack.initParameters(Map.of(RuntimeSettings.ACTION_MEMORY, "256", RuntimeSettings.ACTION_CONCURRENCY, "8",
                        RuntimeSettings.TIMING, "true"));
                String body = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("value", Map.of("name", "aot-train", "env", init)));
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/init")).timeout(Duration.ofMinutes(5))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    throw new CliErrors.UserException("aot-train: the runtime's /init failed with HTTP " + r.statusCode() + ": " + r.body());
                }
                InferenceClient client = new InferenceClient(base.resolve("/run"), InferenceClient.Protocol.OPENWHISK_RUN, stack.user.id(),
                        stack.model, stack.requestKey);
                InferenceRequest req = stack.sentence("The training run covers the runtime's cold start and its first requests");
                for (int i = 0; i <= requests; i++) {
                    client.infer(req, (i & 1) == 0); // both the binary and the JSON tensor forms
                }
                http.send(HttpRequest.newBuilder(base.resolve("/health")).build(), HttpResponse.BodyHandlers.discarding());
            } finally {
                p.destroy(); // SIGTERM: the JVM exits normally and writes the cache (tens of seconds under load)
                if (!p.waitFor(10, TimeUnit.MINUTES)) {
                    p.destroyForcibly();
                }
            }
            if (!Files.isRegularFile(target) || Files.size(target) == 0) {
                err.println(Files.readString(log));
                throw new CliErrors.UserException("aot-train: the runtime wrote no AOT cache (its output is above)");
            }
        }
        err.println("aot-train: wrote " + target + " (" + Files.size(target) / (1 << 20) + " MiB)");
        err.flush();
        return 0;
    }

    private static void awaitListening(HttpClient http, URI base, Process p) throws IOException, InterruptedException {
        long deadline = SystemTime.ticker().read() + TimeUnit.MINUTES.toNanos(5);
        while (true) {
            try {
                http.send(HttpRequest.newBuilder(base.resolve("/health")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                if (!p.isAlive() || SystemTime.ticker().read() > deadline) {
                    throw new CliErrors.UserException("aot-train: the runtime process did not start listening");
                }
                Thread.sleep(50);
            }
        }
    }
}
