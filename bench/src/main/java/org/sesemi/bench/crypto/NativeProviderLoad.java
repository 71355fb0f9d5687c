package org.sesemi.bench.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where the time of loading ACCP goes, as the first work of a fresh JVM: class initialisation (extracting and loading
 * the native library), self-tests, first AES-GCM operation. Run it from different class paths (signed ACCP jar,
 * unsigned copy, pre-extracted library with {@code -Dcom.amazon.corretto.crypto.provider.useExternalLib=true
 * -Djava.library.path=DIR}) to compare deployments; see {@code docs/benchmarks.md}, "Crypto: model decryption".
 * Benchmark code, so it may touch the provider directly.
 */
public final class NativeProviderLoad {
    private NativeProviderLoad() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        AmazonCorrettoCryptoProvider p = AmazonCorrettoCryptoProvider.INSTANCE;
        long t1 = System.nanoTime();
        Throwable error = p.getLoadingError();
        if (error != null) {
            System.out.println("{\"error\":\"" + error.getClass().getSimpleName() + "\"}");
            System.exit(1);
        }
        p.assertHealthy(); // runs the self-tests
        long t2 = System.nanoTime();
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", p);
        c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[32], "AES"), new GCMParameterSpec(128, new byte[12]));
        c.doFinal(new byte[1 << 20]);
        long t3 = System.nanoTime();
        System.out.printf(Locale.ROOT, "{\"loadMs\":%.1f,\"selfTestMs\":%.1f,\"firstOpMs\":%.1f,\"totalMs\":%.1f}%n",
                (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t3 - t0) / 1e6);
    }
}
