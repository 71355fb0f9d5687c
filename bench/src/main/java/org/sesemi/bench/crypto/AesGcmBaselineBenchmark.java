package org.sesemi.bench.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
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
import org.openjdk.jmh.annotations.Warmup;
import org.sesemi.crypto.CryptoProvider;

/**
 * The floor {@link ModelDecryptBenchmark} is compared with: bare AES-256-GCM decryption of 100 MiB as 256 KiB
 * messages (the default segment size) through JCA, without the model format. A benchmark, not product code, so it
 * may call {@code Cipher} directly (the crypto module stays the only product code that does).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx3g", "-XX:MaxDirectMemorySize=1g"})
public class AesGcmBaselineBenchmark {
    private static final int SEGMENT = 256 << 10;
    private static final int COUNT = ModelDecryptBenchmark.MODEL_BYTES / SEGMENT;

    @Param({"jdk", "native"})
    public String provider;

    /** heap: byte[] in and out; direct: direct ByteBuffers in and out. */
    @Param({"heap", "direct"})
    public String io;

    private SecretKeySpec key;
    private byte[] nonce;
    private byte[] ct;
    private byte[] out;
    private ByteBuffer ctDirect;
    private ByteBuffer outDirect;
    private Provider jca;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
        byte[] k = new byte[32];
        new Random(1).nextBytes(k);
        key = new SecretKeySpec(k, "AES");
        nonce = new byte[12];
        CryptoProvider p = CryptoProvider.preferNative().awaitReady(Duration.ofSeconds(30));
        jca = provider.equals("jdk") ? java.security.Security.getProvider("SunJCE") : nativeProvider(p);
        byte[] plain = new byte[SEGMENT];
        new Random(2).nextBytes(plain);
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", jca);
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
        byte[] one = c.doFinal(plain);
        ct = new byte[COUNT * one.length];
        for (int i = 0; i < COUNT; i++) {
            System.arraycopy(one, 0, ct, i * one.length, one.length); // same nonce on purpose: decryption only
        }
        out = new byte[COUNT * SEGMENT];
        ctDirect = ByteBuffer.allocateDirect(ct.length).put(ct).flip();
        outDirect = ByteBuffer.allocateDirect(out.length);
    }

    private static Provider nativeProvider(CryptoProvider p) {
        if (!p.nativeActive()) {
            throw new IllegalStateException("native provider unavailable here: " + p.describe());
        }
        return java.security.Security.getProvider("AmazonCorrettoCryptoProvider") != null
                ? java.security.Security.getProvider("AmazonCorrettoCryptoProvider")
                : com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider.INSTANCE;
    }

    @Benchmark
    public int decrypt100MiB() throws GeneralSecurityException {
        int total = 0;
        int ctLen = SEGMENT + 16;
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", jca);
        for (int i = 0; i < COUNT; i++) {
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            if (io.equals("heap")) {
                total += c.doFinal(ct, i * ctLen, ctLen, out, i * SEGMENT);
            } else {
                total += c.doFinal(ctDirect.slice(i * ctLen, ctLen), outDirect.slice(i * SEGMENT, SEGMENT));
            }
        }
        return total;
    }
}
