package org.sesemi.runtime.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sesemi.attestation.TeeProvider;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.attestation.ratls.RaTlsIdentity;
import org.sesemi.runtime.core.keys.KeyServiceKeySource;
import org.sesemi.runtime.store.ModelStore;
import org.sesemi.time.SystemTime;

/**
 * Builds the whole core from settings ({@link RuntimeSettings#create}) with its independent parts at the same time, so
 * that {@code /init} costs the longest chain instead of the sum (issue 13):
 *
 * <pre>
 *   side thread:  own TEE (state, measurement) ─► RA-TLS identity (key pair, two quotes, certificate) ─┐
 *   caller:       KeyService policy (its simulated root, expected measurement) ──────────────────────────┴─► collateral ─► key source
 *   side thread:  attested connection (TLS handshake, the KeyService's evidence verified) ─┐
 *   caller:       model store, caches, engine (waits for ONNX Runtime's preloaded environment) ┴─► core
 * </pre>
 *
 * Nothing is asked of the KeyService before its evidence is verified (the handshake does that first, as before), and
 * the identity's private key never leaves this process. A failure of any part fails the whole with that part's own
 * message; whatever was built is closed. With {@code parallel = false} the same steps run one after the other on the
 * caller's thread ({@code -Dsesemi.runtime.parallelInit=false}: the lever's "before" in {@code sesemi bench platform}).
 */
final class CoreInit {
    /** How often the runtime's RA-TLS certificate is re-issued with a fresh quote. */
    static final Duration IDENTITY_REFRESH = Duration.ofHours(6);
    /** Longest wait for one part of the initialisation (far beyond any platform's init timeout). */
    private static final Duration PART_TIMEOUT = Duration.ofMinutes(5);

    private CoreInit() {}

    /** True unless {@code -Dsesemi.runtime.parallelInit=false}. */
    static boolean parallelByDefault() {
        return !"false".equals(System.getProperty("sesemi.runtime.parallelInit"));
    }

    private record Own(TeeProvider tee, RaTlsIdentity identity) {}

    static EnclaveRuntime create(Map<String, String> s, boolean parallel) {
        CoreConfig config = RuntimeSettings.coreConfig(s);
        // Blocking file, CPU and socket work: a platform thread (docs/architecture.md, "Threads"), one per /init.
        ExecutorService pool = parallel ? Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("semirt-init-side").factory()) : null;
        Executor side = parallel ? pool : Runnable::run;
        List<AutoCloseable> built = new ArrayList<>();
        try {
            CompletableFuture<Own> own = CompletableFuture.supplyAsync(() -> {
                TeeProvider tee = RuntimeSettings.tee(s);
                return new Own(tee, RaTls.issue(tee, KeyServiceKeySource.identityValidity(IDENTITY_REFRESH)));
            }, side);
            RuntimeSettings.KeyServicePolicy policy = RuntimeSettings.keyServicePolicy(s);
            Own me = await(own);
            RuntimeSettings.KeyServiceTrust trust = RuntimeSettings.keyService(s, policy, me.tee());
            built.add(trust.collateral());
            KeyServiceKeySource keys = new KeyServiceKeySource(trust.endpoint(), me.tee(), IDENTITY_REFRESH, SystemTime.clock(), me.identity());
            built.add(keys);
            CompletableFuture<Void> connected = CompletableFuture.runAsync(keys::connect, side);
            ModelStore store = RuntimeSettings.store(s);
            built.add(store);
            // The naive baseline is chosen here, outside the core: other key and session policies, the same core.
            CachePolicy caching = RuntimeSettings.bool(s, RuntimeSettings.NAIVE) ? CachePolicy.none() : CachePolicy.caching();
            EnclaveRuntime core = EnclaveRuntime.create(config, keys, store, SystemTime.clock(), List.of(keys, store, trust.collateral()), caching);
            built.clear();
            built.add(core);
            try {
                await(connected);
            } catch (RuntimeException e) {
                throw new RuntimeInitException(e.getMessage(), e);
            }
            built.clear();
            return core;
        } finally {
            closeAll(built);
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    /** The part's result; its own exception (with its message) if it failed. */
    private static <T> T await(CompletableFuture<T> part) {
        try {
            return part.get(PART_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("runtime initialisation failed: " + e.getCause().getClass().getSimpleName(), e.getCause());
        } catch (TimeoutException e) {
            part.cancel(true);
            throw new RuntimeInitException("a part of the runtime's initialisation took longer than " + PART_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RuntimeInitException("interrupted while initialising", e);
        }
    }

    private static void closeAll(List<AutoCloseable> built) {
        for (AutoCloseable c : built.reversed()) {
            try {
                c.close();
            } catch (Exception ignored) {
                // the failure that got us here is what the caller reports
            }
        }
    }

}
