package org.sesemi.runtime.host;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.sesemi.runtime.core.CoreConfig;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.Outcome;

/**
 * The platform threads that run the trusted core for the HTTP layer's virtual threads (docs/architecture.md,
 * "Threads"). {@link EnclaveRuntime#handle} makes JNI calls (ONNX Runtime's session creation and {@code run}), reads
 * and decrypts models, and waits in its admission queue; none of that may hold a virtual thread's carrier.
 *
 * <p>The pool has {@code maxConcurrent + maxQueue} threads, exactly the requests the core's admission lets run or wait,
 * and no queue of its own: a request beyond that is refused at once (busy), as admission would refuse it. Idle threads
 * end after {@link #KEEP_ALIVE}. Every wait for a result has a deadline. Thread-safe.
 */
final class EngineThreads implements AutoCloseable {
    /** The busy message when every engine thread is taken. */
    static final String SATURATED = "the runtime is busy: every engine thread is in use";
    /** The longest a request waits for the core: beyond every phase's own limit (admission, key and model fetch). */
    static final Duration MAX_CALL = Duration.ofMinutes(15);
    static final Duration KEEP_ALIVE = Duration.ofSeconds(60);

    private final Object sizing = new Object();
    private volatile ThreadPoolExecutor pool;
    private volatile boolean closed;

    /** Runs {@code core.handle(envelope)} on an engine thread; empty when all are busy. */
    Optional<Outcome> handle(EnclaveRuntime core, byte[] envelope) {
        ThreadPoolExecutor p = poolFor(core.config());
        Future<Outcome> f;
        try {
            f = p.submit(() -> core.handle(envelope));
        } catch (RejectedExecutionException e) {
            return Optional.empty();
        }
        return Optional.of(await(f));
    }

    /** Runs one-off blocking work (building the core at {@code /init}) on a fresh platform thread and waits for it. */
    <T> T call(Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("semirt-init").start(() -> {
            try {
                f.complete(work.get());
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        });
        return await(f);
    }

    private ThreadPoolExecutor poolFor(CoreConfig config) {
        ThreadPoolExecutor p = pool;
        if (p != null) {
            return p;
        }
        synchronized (sizing) { // no blocking inside: creates the (empty) pool once
            if (pool == null) {
                if (closed) {
                    throw new RejectedExecutionException("the runtime is shutting down");
                }
                int threads = config.maxConcurrent() + config.maxQueue();
                ThreadPoolExecutor created = new ThreadPoolExecutor(threads, threads, KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS,
                        new SynchronousQueue<>(), Thread.ofPlatform().daemon().name("semirt-engine-", 0).factory());
                created.allowCoreThreadTimeOut(true);
                pool = created;
            }
            return pool;
        }
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get(MAX_CALL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new IllegalStateException("the engine did not finish within " + MAX_CALL);
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the engine");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        synchronized (sizing) {
            closed = true;
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }
}
