package org.sesemi.keyservice.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The single writer of the database. Callers hand in units of work and block until the transaction holding their
 * work has committed (and, with {@code synchronous=FULL} in WAL mode, been fsynced): that is what makes a write
 * "acknowledged". Work that arrives while a commit is in flight is batched into the next transaction, one savepoint
 * per unit, so one fsync serves many writers and a failing unit rolls back alone.
 *
 * <p>Thread-safe. One platform thread owns the connection (JDBC/JNI calls would pin virtual threads anyway).
 */
final class GroupCommitWriter implements AutoCloseable {
    /** A unit of work on the write connection, inside a savepoint of the current transaction. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Told about the transaction's structure, on the writer thread: {@link StateLedger} stages each unit's state
     * changes, writes the sealed state head into the transaction before it commits, and publishes after.
     */
    interface Hooks {
        Hooks NONE = new Hooks() {};

        default void beginBatch() {}

        default void beginUnit() {}

        default void endUnit(boolean committed) {}

        /** Last statements of the transaction; a failure rolls the whole batch back. */
        default void beforeCommit(Connection c) throws SQLException {}

        default void afterCommit() {}

        default void afterRollback() {}
    }

    private record Task<T>(Work<T> work, boolean fsync, CompletableFuture<T> done) {}

    private static final int MAX_BATCH = 512;
    private final Connection conn;
    private final LinkedBlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    /** How long a caller waits for its commit: far beyond SQLite's busy timeout and a batch's fsync. */
    static final long COMMIT_TIMEOUT_MS = 60_000;
    private final Hooks hooks;
    private volatile boolean closed;

    GroupCommitWriter(Connection conn) throws SQLException {
        this(conn, Hooks.NONE);
    }

    GroupCommitWriter(Connection conn, Hooks hooks) throws SQLException {
        this.conn = conn;
        this.hooks = hooks;
        // Transactions are explicit (BEGIN IMMEDIATE ... COMMIT) so that the sync level can be set between them:
        // SQLite refuses to change it inside a transaction, and the driver's non-autocommit mode is always inside one.
        conn.setAutoCommit(true);
        this.thread = Thread.ofPlatform().name("keystore-writer").daemon(true).start(this::loop);
    }

    /** Runs {@code work} and returns once its transaction is committed and fsynced ({@code synchronous=FULL}). */
    <T> T submit(Work<T> work) {
        return submit(work, true);
    }

    /**
     * Runs {@code work}; with {@code fsync} false the commit may use {@code synchronous=NORMAL} (WAL): durable
     * against a crash of this process, and made durable against power loss by the next fsynced commit or checkpoint.
     * A batch holding any fsync unit is committed with FULL.
     */
    <T> T submit(Work<T> work, boolean fsync) {
        if (closed) {
            throw new StoreException("store is closed");
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        queue.add(new Task<>(work, fsync, done));
        try {
            return done.get(COMMIT_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new StoreException("no commit within " + COMMIT_TIMEOUT_MS + " ms (the write may or may not be durable)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a commit (the write may or may not be durable)");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new StoreException("write failed: " + c.getMessage(), c);
        }
    }

    private void loop() {
        List<Task<?>> batch = new ArrayList<>();
        List<Object> results = new ArrayList<>();
        while (true) {
            batch.clear();
            results.clear();
            try {
                Task<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closed) {
                        return;
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
            } catch (InterruptedException e) {
                return;
            }
            runBatch(batch, results);
        }
    }

    private boolean currentFull = true;

    private void runBatch(List<Task<?>> batch, List<Object> results) {
        try (Statement s = conn.createStatement()) {
            boolean full = batch.stream().anyMatch(Task::fsync);
            if (full != currentFull) {
                s.execute(full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
                currentFull = full;
            }
            s.execute("BEGIN IMMEDIATE");
            hooks.beginBatch();
            try {
                for (Task<?> t : batch) {
                    s.execute("SAVEPOINT unit");
                    hooks.beginUnit();
                    try {
                        results.add(t.work().run(conn));
                        s.execute("RELEASE unit");
                        hooks.endUnit(true);
                    } catch (SQLException | RuntimeException e) {
                        hooks.endUnit(false);
                        s.execute("ROLLBACK TO unit");
                        s.execute("RELEASE unit");
                        results.add(new Failed(e));
                    }
                }
                hooks.beforeCommit(conn);
                s.execute("COMMIT");
            } catch (SQLException | RuntimeException e) {
                hooks.afterRollback();
                try {
                    s.execute("ROLLBACK");
                } catch (SQLException ignored) {
                    // the connection is broken; every task of the batch fails below
                }
                throw e;
            }
            hooks.afterCommit();
        } catch (SQLException | RuntimeException e) {
            StoreException failure = new StoreException("commit failed: " + e.getMessage(), e);
            for (Task<?> t : batch) {
                t.done().completeExceptionally(failure);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), results.get(i));
        }
    }

    private record Failed(Exception e) {}

    @SuppressWarnings("unchecked")
    private static <T> void complete(Task<T> t, Object result) {
        if (result instanceof Failed f) {
            t.done().completeExceptionally(f.e() instanceof SQLException sql
                    ? new StoreException("write failed: " + sql.getMessage(), sql) : f.e());
        } else {
            t.done().complete((T) result);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Task<?> t; (t = queue.poll()) != null; ) {
            t.done().completeExceptionally(new StoreException("store is closed"));
        }
        try {
            conn.close();
        } catch (SQLException ignored) {
            // closing; nothing left to save
        }
    }
}
