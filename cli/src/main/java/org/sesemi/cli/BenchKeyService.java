package org.sesemi.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.keyservice.KeyServiceServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sesemi bench keyservice}: key releases against a real KeyService (simulated TEE, RA-TLS both ways, every
 * release audited) on loopback, from N concurrent runtimes, each with its own attested identity and persistent
 * connection, calling in a closed loop for a fixed time. The end-to-end counterpart of the JMH
 * {@code KeyReleaseBenchmark}: it also runs from the CLI, writes JSON and a chart.
 */
@Command(name = "keyservice", mixinStandardHelpOptions = true,
        description = "Key release throughput and latency vs concurrent runtimes (closed loop, RA-TLS, loopback); writes DIR/keyservice.json and keyservice.png.")
final class BenchKeyService implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--runtimes", split = ",", defaultValue = "1,2,4,8,16,32,64", description = "Concurrent runtimes (default ${DEFAULT-VALUE}).")
    List<Integer> runtimes;

    @Option(names = "--seconds", defaultValue = "5", description = "Measured seconds per step, after 1 s of warm-up (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--out", required = true, description = "Directory for keyservice.json and keyservice.png.")
    Path out;

    @Override
    public Integer call() throws Exception {
        BenchCommand.longServerDeadlines();
        if (runtimes.isEmpty() || runtimes.stream().anyMatch(r -> r < 1 || r > 512) || seconds <= 0) {
            throw new CliErrors.UserException("--runtimes must be 1..512 each and --seconds positive");
        }
        PrintWriter w = spec.commandLine().getOut();
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode n = m.createObjectNode();
        n.put("what", "POST /v1/release, closed loop, one persistent RA-TLS connection per runtime, loopback, same JVM and cores as the callers");
        n.put("tee", "simulated (no TEE overhead measured)");
        n.put("seconds_per_step", seconds);
        ArrayNode rows = n.putArray("results");
        Path dir = Files.createTempDirectory("sesemi-bench-ks-");
        Path teeDir = dir.resolve("tee");
        // No rate limit: the bench measures how many releases the KeyService serves, not how many it admits.
        try (KeyServiceServer server = KeyServiceServer.start(SimulatedKeyService.config(dir.resolve("ks.db"), teeDir, 0).toBuilder().rateLimit(0, 1).build())) {
            KeyServiceEndpoint endpoint = SimulatedKeyService.endpoint(server, teeDir);
            SimulatedTee runtimeTee = SimulatedTee.open(teeDir, "bench-runtime");
            PrincipalIdentity owner = PrincipalIdentity.generate(), user = PrincipalIdentity.generate();
            ModelId model = new ModelId(owner.id(), "bench-model");
            SimulatedKeyService.register(endpoint, owner, user);
            SimulatedKeyService.share(endpoint, owner, user, model, Optional.of(ModelKey.generate(1)), List.of(runtimeTee.measurement()),
                    RequestKey.generate());
            w.println("runtimes  releases/s     p50 ms     p99 ms");
            w.flush();
            for (int r : runtimes) {
                Step s = step(endpoint, runtimeTee, user, model, r);
                ObjectNode row = rows.addObject();
                row.put("runtimes", r);
                row.put("releases", s.latencies.length);
                row.put("releases_per_s", BenchCommand.round(s.latencies.length / seconds));
                row.put("errors", s.errors);
                if (s.latencies.length == 0) {
                    // Every release took longer than the step (a heavily loaded machine): reported, not fatal.
                    row.putNull("p50_ms");
                    row.putNull("p99_ms");
                    w.printf("%8d  no release completed within %.0f s%n", r, seconds);
                    w.flush();
                    continue;
                }
                row.put("p50_ms", BenchCommand.round(BenchOverhead.percentile(s.latencies, 0.5)));
                row.put("p99_ms", BenchCommand.round(BenchOverhead.percentile(s.latencies, 0.99)));
                w.printf("%8d  %10.0f  %9.2f  %9.2f%s%n", r, s.latencies.length / seconds, row.path("p50_ms").asDouble(),
                        row.path("p99_ms").asDouble(), s.errors > 0 ? "  (" + s.errors + " errors)" : "");
                w.flush();
            }
        } finally {
            LocalStack.deleteTree(dir);
        }
        BenchCommand.writeResult(w, m, n, out, "keyservice.json", BenchCharts::keyService);
        return 0;
    }

    private record Step(double[] latencies, long errors) {}

    /** {@code r} runtimes connect (handshake outside the measurement), warm up 1 s, then are measured for the step. */
    private Step step(KeyServiceEndpoint endpoint, SimulatedTee tee, PrincipalIdentity user, ModelId model, int r) throws Exception {
        List<KeyServiceClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < r; i++) {
                KeyServiceClient c = KeyServiceClient.forRuntime(endpoint, RaTls.issue(tee, Duration.ofHours(1)));
                clients.add(c);
                c.release(user.id(), model);
            }
            AtomicBoolean measuring = new AtomicBoolean(), stop = new AtomicBoolean();
            List<List<Double>> samples = new ArrayList<>();
            long[] errors = new long[r];
            CountDownLatch done = new CountDownLatch(r);
            for (int i = 0; i < r; i++) {
                List<Double> mine = new ArrayList<>();
                samples.add(mine);
                KeyServiceClient c = clients.get(i);
                int idx = i;
                Thread.ofVirtual().start(() -> {
                    try {
                        while (!stop.get()) {
                            long t0 = System.nanoTime();
                            try {
                                c.release(user.id(), model);
                            } catch (RuntimeException e) {
                                errors[idx]++;
                                continue;
                            }
                            if (measuring.get()) {
                                mine.add((System.nanoTime() - t0) / 1e6);
                            }
                        }
                    } finally {
                        done.countDown();
                    }
                });
            }
            Thread.sleep(1000);
            measuring.set(true);
            Thread.sleep((long) (seconds * 1000));
            measuring.set(false);
            stop.set(true);
            done.await();
            double[] all = samples.stream().flatMap(List::stream).mapToDouble(Double::doubleValue).toArray();
            return new Step(all, java.util.Arrays.stream(errors).sum());
        } finally {
            clients.forEach(KeyServiceClient::close);
        }
    }
}
