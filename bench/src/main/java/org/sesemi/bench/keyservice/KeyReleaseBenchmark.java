package org.sesemi.bench.keyservice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.attestation.ratls.RaTlsIdentity;
import org.sesemi.client.keyservice.KeyRelease;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.keyservice.KeyServiceConfig;
import org.sesemi.keyservice.KeyServiceServer;

/**
 * Key releases against a real KeyService (SIMULATED TEE, SQLite WAL + synchronous=FULL, every release audited
 * durably) on loopback, in the same JVM as the runtimes (so server and clients share the machine's cores).
 *
 * <p>Each JMH thread is one runtime with its own RA-TLS identity and its own persistent connection. Throughput mode
 * gives releases/s; sample mode gives the latency distribution (p50/p99). {@link #freshConnection} measures a new
 * runtime connection: TLS 1.3 handshake with RA-TLS verification on both sides, plus one release.
 */
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
public class KeyReleaseBenchmark {

    /** One KeyService with one granted (model, user, runtime measurement). */
    @State(Scope.Benchmark)
    public static class Ks {
        Path dir;
        KeyServiceServer server;
        KeyServiceEndpoint endpoint;
        SimulatedTee runtimeTee;
        final PrincipalIdentity owner = PrincipalIdentity.generate();
        final PrincipalIdentity user = PrincipalIdentity.generate();
        ModelId model;

        /** true: every release waits for its audit record's fsync (see docs/operations.md, "Durability"). */
        @Param({"false"})
        public boolean auditFsync;

        @Setup(Level.Trial)
        public void start() throws IOException {
            dir = Files.createTempDirectory("ks-bench");
            Path tee = dir.resolve("tee");
            // Rate limit off: the benchmark measures the service, not the limiter.
            server = KeyServiceServer.start(KeyServiceConfig.builder().port(0).database(dir.resolve("ks.db"))
                    .tee(TeeConfig.simulated(tee, "keyservice")).rateLimit(0, 1).releaseAuditFsync(auditFsync).build());
            endpoint = new KeyServiceEndpoint(server.uri(), VerificationPolicy.simulated(SimulatedTee.open(tee, "keyservice"))
                    .toBuilder().expectMeasurement(server.measurement()).build());
            runtimeTee = SimulatedTee.open(tee, "bench-runtime");
            model = new ModelId(owner.id(), "bench-model");
            try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner);
                    KeyServiceClient u = KeyServiceClient.forPrincipal(endpoint, user)) {
                o.register();
                u.register();
                o.putModelKey(model, ModelKey.generate(1));
                o.addGrant(model, user.id(), runtimeTee.measurement());
                u.putRequestKey(model, runtimeTee.measurement(), RequestKey.generate());
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            server.close();
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One runtime: its own RA-TLS identity and persistent connection. */
    @State(Scope.Thread)
    public static class Runtime {
        KeyServiceClient client;
        RaTlsIdentity identity;

        @Setup(Level.Trial)
        public void connect(Ks ks) {
            identity = RaTls.issue(ks.runtimeTee, Duration.ofHours(2));
            client = KeyServiceClient.forRuntime(ks.endpoint, identity);
            client.release(ks.user.id(), ks.model); // handshake outside the measurement
        }

        @TearDown(Level.Trial)
        public void close() {
            client.close();
        }
    }

    @Benchmark
    @Threads(1)
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public KeyRelease release1(Ks ks, Runtime rt) {
        return rt.client.release(ks.user.id(), ks.model);
    }

    @Benchmark
    @Threads(8)
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public KeyRelease release8(Ks ks, Runtime rt) {
        return rt.client.release(ks.user.id(), ks.model);
    }

    @Benchmark
    @Threads(64)
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public KeyRelease release64(Ks ks, Runtime rt) {
        return rt.client.release(ks.user.id(), ks.model);
    }

    /** A fresh connection per operation: TLS 1.3 + RA-TLS verification both ways + one release. */
    @Benchmark
    @Threads(1)
    @BenchmarkMode({Mode.AverageTime, Mode.SampleTime})
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public KeyRelease freshConnection(Ks ks, Runtime rt) {
        try (KeyServiceClient c = KeyServiceClient.forRuntime(ks.endpoint, rt.identity)) {
            return c.release(ks.user.id(), ks.model);
        }
    }
}
