package org.sesemi.crypto;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.security.Provider;
import java.security.Security;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Chooses the JCA provider that runs AES-256-GCM for model envelopes. The format never depends on it: every provider
 * computes the same bytes, only speed differs.
 *
 * <p>Why this exists: the JDK's AES-GCM is fast once its intrinsics are compiled (several GB/s) but runs at
 * 100–200 MB/s in the first second of a fresh JVM, exactly when a serverless function decrypts its model. The Amazon
 * Corretto Crypto Provider (ACCP, AWS-LC in native code) is fast from its first call but needs a few hundred
 * milliseconds to load its native library. {@link #preferNative()} therefore starts loading ACCP on a background
 * thread and returns at once; until loading has finished, and for ever if it fails (no native library for this
 * platform, no writable temp directory, ...), segments are decrypted by the JDK provider. Nothing blocks on the
 * native provider, so preferring it can never make decryption slower than the JDK alone, only faster. ACCP is used
 * directly by reference, never installed as a global JCA provider, so the rest of the process keeps the JDK's
 * providers. Numbers: {@code docs/benchmarks.md}, "Crypto: model decryption".
 *
 * <p>Thread-safe. The native provider is loaded at most once per process.
 */
public final class CryptoProvider {
    private static final CryptoProvider JDK = new CryptoProvider(
            CompletableFuture.completedFuture(Optional.empty()), "native provider not requested");
    /** Set once, on the first {@link #preferNative()}; loading a native library is a per-process affair anyway. */
    private static volatile CryptoProvider nativePreferred;
    /** Why the native provider did not load (exception class name only: safe to log), empty while none failed. */
    private static volatile String loadFailure = "";

    private final CompletableFuture<Optional<Provider>> nativeProvider;
    private final String notRequestedReason;

    private CryptoProvider(CompletableFuture<Optional<Provider>> nativeProvider, String notRequestedReason) {
        this.nativeProvider = nativeProvider;
        this.notRequestedReason = notRequestedReason;
    }

    /** The JDK's own provider (SunJCE) only. */
    public static CryptoProvider jdk() {
        return JDK;
    }

    /**
     * The native provider (ACCP) once it has loaded, the JDK provider until then or when it cannot load. The first
     * call starts loading on a daemon thread and returns immediately; call it as early as possible during start-up so
     * that loading overlaps other start-up work.
     */
    public static CryptoProvider preferNative() {
        CryptoProvider p = nativePreferred;
        if (p == null) {
            synchronized (CryptoProvider.class) {
                p = nativePreferred;
                if (p == null) {
                    CompletableFuture<Optional<Provider>> f = new CompletableFuture<>();
                    Thread t = new Thread(() -> f.complete(loadNative()), "sesemi-accp-loader");
                    t.setDaemon(true);
                    t.start();
                    p = new CryptoProvider(f, "");
                    nativePreferred = p;
                }
            }
        }
        return p;
    }

    /** Waits up to {@code max} for the native provider to finish loading (successfully or not); returns this. */
    public CryptoProvider awaitReady(Duration max) {
        try {
            nativeProvider.get(max.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // Still loading: decryption goes on with the JDK provider meanwhile.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("unreachable: the loader completes normally", e);
        }
        return this;
    }

    /** True when segments are decrypted by the native provider now. */
    public boolean nativeActive() {
        return nativeProvider.getNow(Optional.empty()).isPresent();
    }

    /** Which provider decrypts segments now, and if it is the JDK's, why; for logs and benchmark reports. */
    public String describe() {
        if (!nativeProvider.isDone()) {
            return jdkName() + " (native provider still loading)";
        }
        Optional<Provider> p = nativeProvider.join();
        if (p.isPresent()) {
            AmazonCorrettoCryptoProvider accp = (AmazonCorrettoCryptoProvider) p.get();
            return accp.getName() + " " + accp.getVersionStr() + " (" + accp.getAwsLcVersionStr() + ")";
        }
        return jdkName() + " (" + (notRequestedReason.isEmpty() ? "native provider unavailable: " + loadFailure : notRequestedReason) + ")";
    }

    @Override
    public String toString() {
        return "CryptoProvider[" + describe() + "]";
    }

    /** The provider for the next AES-GCM operation: never blocks. */
    Optional<Provider> current() {
        return nativeProvider.getNow(Optional.empty());
    }

    private static String jdkName() {
        Provider sun = Security.getProvider("SunJCE");
        return sun == null ? "JDK default provider" : sun.getName() + " " + sun.getVersionStr();
    }

    private static Optional<Provider> loadNative() {
        try {
            AmazonCorrettoCryptoProvider accp = AmazonCorrettoCryptoProvider.INSTANCE;
            Throwable error = accp.getLoadingError();
            if (error != null) {
                loadFailure = error.getClass().getSimpleName();
                return Optional.empty();
            }
            accp.assertHealthy();
            return Optional.of(accp);
        } catch (RuntimeException | LinkageError e) {
            // No ACCP jar on the class path, no native library for this platform, or a failed self-test.
            loadFailure = e.getClass().getSimpleName();
            return Optional.empty();
        }
    }
}
