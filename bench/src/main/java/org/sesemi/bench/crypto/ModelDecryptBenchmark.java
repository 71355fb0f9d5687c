package org.sesemi.bench.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Warmup;
import org.sesemi.crypto.CryptoProvider;
import org.sesemi.crypto.DecryptedModel;
import org.sesemi.crypto.ModelCipher;
import org.sesemi.crypto.ModelCipher.BufferKind;
import org.sesemi.crypto.ModelCipher.DecryptOptions;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;

/**
 * Warm throughput of {@link ModelCipher} decryption of a 100 MiB model. One operation decrypts the whole model, so
 * MB/s = 104.8576 / (ms per op) * 1000; {@code bench/run-jmh crypto} prints that conversion next to
 * {@code openssl speed} and the raw AES-GCM baseline ({@link AesGcmBaselineBenchmark}) measured in the same session.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx3g", "-XX:MaxDirectMemorySize=1g"})
public class ModelDecryptBenchmark {
    /** Model size: the 100 MB. */
    static final int MODEL_BYTES = 100 << 20;

    @Param({"65536", "262144", "1048576", "4194304"})
    public int segmentSize;

    @Param({"HEAP", "DIRECT"})
    public BufferKind buffer;

    @Param({"jdk", "native"})
    public String provider;

    private byte[] ciphertext;
    private ByteBuffer ciphertextDirect;
    private ModelId id;
    private ModelKey key;
    private DecryptOptions options;
    private DecryptOptions options2;
    private DecryptedModel last;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        byte[] plain = new byte[MODEL_BYTES];
        new Random(42).nextBytes(plain);
        id = new ModelId(PrincipalId.parse("0".repeat(64)), "bench");
        key = ModelKey.generate(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(MODEL_BYTES + (1 << 20));
        ModelCipher.encrypt(new ByteArrayInputStream(plain), plain.length, out, id, key, segmentSize, done -> {});
        ciphertext = out.toByteArray();
        ciphertextDirect = ByteBuffer.allocateDirect(ciphertext.length).put(ciphertext).flip();
        CryptoProvider p = provider.equals("jdk") ? CryptoProvider.jdk() : CryptoProvider.preferNative().awaitReady(Duration.ofSeconds(30));
        if (provider.equals("native") && !p.nativeActive()) {
            throw new IllegalStateException("native provider unavailable here: " + p.describe());
        }
        options = new DecryptOptions(p, 1);
        options2 = new DecryptOptions(p, 2);
    }

    /** Wiping 100 MiB is not decryption: the model is closed outside the measured operation. */
    @TearDown(Level.Invocation)
    public void close() {
        if (last != null) {
            last.close();
            last = null;
        }
    }

    /** The stream overload, as {@code sesemi model decrypt} and a runtime reading a file use it. */
    @Benchmark
    public long stream() throws IOException {
        last = ModelCipher.decrypt(new ByteArrayInputStream(ciphertext), id, key, buffer, options, done -> {});
        return last.size();
    }

    /** The in-memory overload on a direct (e.g. mapped) ciphertext, one thread. */
    @Benchmark
    public long inMemory1Thread() {
        last = ModelCipher.decrypt(ciphertextDirect, id, key, buffer, options);
        return last.size();
    }

    /** The in-memory overload, two threads (this machine has two cores). */
    @Benchmark
    public long inMemory2Threads() {
        last = ModelCipher.decrypt(ciphertextDirect, id, key, buffer, options2);
        return last.size();
    }
}
