package org.sesemi.keyservice.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Read-only connections to the database, each used by one platform thread: SQLite is native code, and a JNI call
 * would hold a virtual thread's carrier for its whole duration (docs/architecture.md, "Threads"). A caller waits for
 * its read with a deadline; every read runs in its own transaction (one snapshot). Thread-safe.
 */
final class ReadPool implements AutoCloseable {
    /** How long a caller waits for a read: far beyond SQLite's busy timeout. */
    static final long READ_TIMEOUT_MS = 60_000;

    /** A read on one connection, inside one read transaction. */
    interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    private final BlockingQueue<Connection> connections;
    private final ExecutorService threads;

    /** Opens {@code size} read-only connections to {@code db}; closes those it opened if one fails. */
    ReadPool(Path db, int size) throws SQLException {
        connections = new ArrayBlockingQueue<>(size);
        try {
            for (int i = 0; i < size; i++) {
                connections.add(DbFiles.connect(db, true));
            }
        } catch (SQLException | RuntimeException e) {
            closeConnections();
            throw e;
        }
        threads = Executors.newFixedThreadPool(size, Thread.ofPlatform().name("keystore-reader-", 0).daemon(true).factory());
    }

    /** Runs {@code work} on a reader thread and waits for it; SQL failures become {@link StoreException}. */
    <T> T read(Read<T> work) {
        Future<T> result;
        try {
            result = threads.submit(() -> readHere(work));
        } catch (RejectedExecutionException e) {
            throw new StoreException("store is closed");
        }
        try {
            return result.get(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted");
        } catch (TimeoutException e) {
            throw new StoreException("read did not finish within " + READ_TIMEOUT_MS + " ms");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new StoreException("read failed: " + e.getCause(), e.getCause());
        }
    }

    private <T> T readHere(Read<T> work) throws InterruptedException {
        Connection c = connections.poll(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (c == null) {
            throw new StoreException("store is closed");
        }
        try {
            c.setAutoCommit(false);
            try {
                return work.run(c);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("read failed: " + e.getMessage(), e);
        } finally {
            connections.add(c);
        }
    }

    /** Lets running reads finish (up to 10 s), then closes the connections. */
    @Override
    public void close() {
        threads.shutdown();
        try {
            threads.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnections();
    }

    private void closeConnections() {
        for (Connection c; (c = connections.poll()) != null; ) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
    }
}
