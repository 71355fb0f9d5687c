package org.sesemi.platform.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs every statement on one connection from one platform thread ({@code platform-store}), under a lock, and makes
 * callers (usually virtual threads of the API) wait with a deadline: SQLite is native code, and a JNI call holds the
 * carrier of a virtual thread for its whole duration (docs/architecture.md, "Threads"). Owns the connection: closes
 * it on {@link #close()}. Thread-safe.
 */
final class SqlThread implements AutoCloseable {
    /** How long a caller waits for its statement: longer than SQLite's busy timeout plus a queue of small writes. */
    static final long CALL_TIMEOUT_MS = 60_000;

    /** Work on the connection. */
    interface SqlWork<T> {
        T run() throws SQLException;
    }

    private final Connection conn;
    private final ReentrantLock lock = new ReentrantLock();
    private final ExecutorService sqlThread =
            Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("platform-store").factory());
    private volatile Thread sqlThreadItself;
    private final AtomicBoolean closing = new AtomicBoolean();
    private boolean closed;

    SqlThread(Connection conn) {
        this.conn = conn;
    }

    /** Whether {@link #close()} has been called. */
    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        try {
            onSqlThread(this::closeHere);
        } finally {
            sqlThread.shutdown();
        }
    }

    private Void closeHere() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                conn.close();
            }
        } catch (SQLException e) {
            throw new StoreException("closing the platform database failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
        return null;
    }

    /**
     * Runs {@code work} on the store's thread under the lock and waits for it; SQL failures become
     * {@link StoreException}.
     */
    <T> T locked(SqlWork<T> work) {
        return onSqlThread(() -> lockedHere(work));
    }

    /**
     * Queues {@code work} on the store's thread under the lock and returns at once. Statements run in order on that one
     * thread, so any statement asked for after this call returns runs after {@code work}. The future fails with a
     * {@link StoreException} if the work does or the store is closed.
     */
    <T> java.util.concurrent.CompletableFuture<T> lockedLater(SqlWork<T> work) {
        java.util.concurrent.CompletableFuture<T> done = new java.util.concurrent.CompletableFuture<>();
        try {
            sqlThread.execute(() -> {
                sqlThreadItself = Thread.currentThread();
                try {
                    done.complete(lockedHere(work));
                } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new StoreException("platform store is closed"));
        }
        return done;
    }

    /** Runs {@code work} on the store's platform thread and waits for it (with a deadline). */
    private <T> T onSqlThread(Callable<T> work) {
        if (Thread.currentThread() == sqlThreadItself) {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new StoreException("platform database failed: " + e.getMessage(), e);
            }
        }
        Future<T> result;
        try {
            result = sqlThread.submit(() -> {
                sqlThreadItself = Thread.currentThread();
                return work.call();
            });
        } catch (RejectedExecutionException e) {
            throw new StoreException("platform store is closed");
        }
        try {
            return result.get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new StoreException("platform database failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new StoreException("platform database did not answer within " + CALL_TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for the platform database");
        }
    }

    private <T> T lockedHere(SqlWork<T> work) {
        lock.lock();
        try {
            if (closed) {
                throw new StoreException("platform store is closed");
            }
            return work.run();
        } catch (SQLException e) {
            throw new StoreException("platform database failed: " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} in one write transaction (only inside {@link #locked}). */
    <T> T transaction(SqlWork<T> work) throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            try {
                T result = work.run();
                s.execute("COMMIT");
                return result;
            } catch (SQLException | RuntimeException e) {
                s.execute("ROLLBACK");
                throw e;
            }
        }
    }
}
