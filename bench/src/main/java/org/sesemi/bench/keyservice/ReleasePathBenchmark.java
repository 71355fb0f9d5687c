package org.sesemi.bench.keyservice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.sesemi.client.keyservice.Grant;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.crypto.SealingKey;
import org.sesemi.keyservice.core.Caller;
import org.sesemi.keyservice.core.KeyServiceCore;
import org.sesemi.keyservice.store.KeyStore;

/**
 * The KeyService's release path in process, without TLS and HTTP: the access decision, two key unseals and the
 * group-committed audit record (with its state-head update). Isolates what the store costs per release.
 */
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@State(Scope.Benchmark)
public class ReleasePathBenchmark {
    Path dir;
    KeyStore store;
    KeyServiceCore core;
    Caller runtime;
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final PrincipalIdentity user = PrincipalIdentity.generate();
    ModelId model;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("ks-release-path");
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        store = KeyStore.open(dir.resolve("ks.db"), SealingKey.aesGcm(k), Clock.systemUTC());
        model = new ModelId(owner.id(), "bench-model");
        var m = org.sesemi.attestation.Measurement.sgx(new byte[32]);
        store.registerPrincipal(owner.id(), owner.subjectPublicKeyInfo());
        store.putModelKey(model, ModelKey.generate(1));
        store.addGrant(new Grant(model, user.id(), m));
        store.putRequestKey(model, m, user.id(), RequestKey.generate());
        core = new KeyServiceCore(store, Duration.ofSeconds(60), Clock.systemUTC(), false);
        runtime = new Caller.Runtime(m, "bench");
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @Threads(1)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public KeyServiceCore.Released release1() {
        return core.release(runtime, user.id(), model);
    }

    @Benchmark
    @Threads(8)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public KeyServiceCore.Released release8() {
        return core.release(runtime, user.id(), model);
    }
}
