package org.sesemi.keyservice.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.client.keyservice.AuditEvent;
import org.sesemi.client.keyservice.Grant;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestKey;
import org.sesemi.crypto.SealingKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;

/**
 * The KeyService's durable state. Writes are acknowledged only after their transaction is fsynced (WAL,
 * {@code synchronous=FULL}); secret columns hold {@link SealingKey#seal sealed} bytes only ({@link RowSealing}).
 *
 * <p>Rollback evidence: the access-control rows live in enclave memory ({@link StateTables}), loaded once at open
 * and checked there against the sealed state head ({@link StateLoader}); every decision reads memory, never the file
 * the host controls. Every change writes a new sealed head (monotonic {@link #stateVersion()}, keyed digest of all
 * rows, audit chain tail) in its own transaction ({@link StateLedger}). A database whose rows were replayed,
 * deleted, inserted or edited is refused at open with {@link StateIntegrityException}.
 *
 * <p>Thread-safe: one group-committing writer, a small pool of read connections (audit reads). Holds an exclusive
 * lock file ({@code <db>.lock}) while open, so two servers (or a restore) cannot share one database.
 */
public final class KeyStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeyStore.class);
    private static final int READERS = 2;

    private final Path db;
    private final Clock clock;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final RowSealing seals;
    private final StateLedger ledger;
    private final AuditLog auditLog;
    private final GroupCommitWriter writer;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);
    /**
     * Reads run on these platform threads, one per read connection: SQLite is native code, and a JNI call would hold a
     * virtual thread's carrier for its whole duration (docs/architecture.md, "Threads"). Callers wait with a deadline.
     */
    private final java.util.concurrent.ExecutorService readThreads = java.util.concurrent.Executors.newFixedThreadPool(READERS,
            Thread.ofPlatform().name("keystore-reader-", 0).daemon(true).factory());
    /** How long a caller waits for a read: far beyond SQLite's busy timeout. */
    static final long READ_TIMEOUT_MS = 60_000;

    private KeyStore(Path db, SealingKey sealing, Clock clock, FileChannel lockChannel, FileLock lock, long expectVersion)
            throws SQLException {
        this.db = db;
        this.clock = clock;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.seals = new RowSealing(sealing);
        DbFiles.createOwnerOnly(db);
        Connection w = connect(db, false);
        try {
            Migrations.migrate(w);
            // One snapshot for rows and head (a host writing meanwhile cannot make a consistent file look torn).
            w.setAutoCommit(false);
            StateLoader.Loaded loaded = StateLoader.load(w, sealing);
            StateHead head = admit(w, loaded, sealing, expectVersion);
            w.commit();
            this.ledger = new StateLedger(sealing, loaded.tables(), head);
            LOG.info("state of {} checked: version {}, {} access-control rows, {} audit rows", db.getFileName(), head.version(),
                    head.rows(), head.auditSeq());
        } catch (SQLException | RuntimeException e) {
            w.close();
            throw e;
        }
        this.auditLog = new AuditLog(ledger);
        this.writer = new GroupCommitWriter(w, ledger);
        for (int i = 0; i < READERS; i++) {
            readers.add(connect(db, true));
        }
        DbFiles.restrict(db);
    }

    /** The head to run with, or why the database may not be served. */
    private static StateHead admit(Connection w, StateLoader.Loaded l, SealingKey sealing, long expectVersion) throws SQLException {
        if (l.stored().isEmpty() && l.isEmpty() && l.consistent()) {
            StateHead fresh = StateHead.empty();
            StateLedger.writeHead(w, fresh, sealing);
            return fresh;
        }
        if (l.stored().isEmpty() && l.foreignRows().isEmpty()) {
            throw new StateIntegrityException(StateIntegrityException.Kind.UNSEALED,
                    "the database has rows but no sealed state head (written by an older KeyService, or the head was deleted); "
                            + "refusing to serve it until an operator accepts its rows ('sesemi keyservice reseal') or restores a backup");
        }
        if (!l.consistent()) {
            throw new StateIntegrityException(StateIntegrityException.Kind.TAMPERED,
                    "the database was changed outside the KeyService (" + l.findings().size() + " problem(s), first: "
                            + l.findings().getFirst() + "); refusing to serve it until an operator acts "
                            + "('sesemi keyservice verify', then restore a backup or reseal; docs/operations.md)",
                    l.findings());
        }
        StateHead head = l.stored().orElseThrow();
        if (head.version() < expectVersion) {
            throw new StateIntegrityException(StateIntegrityException.Kind.ROLLED_BACK, "the database's state version is "
                    + head.version() + ", below the expected " + expectVersion + ": it was rolled back to an older copy "
                    + "(or --expect-state-version is wrong); refusing to serve it");
        }
        return head;
    }

    /** Opens (creating and migrating if needed) the database at {@code db}; see {@link #open(Path, SealingKey, Clock, long)}. */
    public static KeyStore open(Path db, SealingKey sealing, Clock clock) {
        return open(db, sealing, clock, 0);
    }

    /**
     * Opens the database at {@code db}, checks it against its sealed state head, and refuses it unless its state
     * version is at least {@code expectStateVersion}.
     *
     * @throws StateIntegrityException when the database must not be served
     */
    public static KeyStore open(Path db, SealingKey sealing, Clock clock, long expectStateVersion) {
        FileChannel ch = null;
        try {
            Files.createDirectories(db.toAbsolutePath().getParent());
            DbFiles.createOwnerOnly(lockFile(db));
            ch = FileChannel.open(lockFile(db), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = tryLock(ch);
            if (l == null) {
                throw new StoreException(db + " is in use by another KeyService process (lock " + lockFile(db) + ")");
            }
            return new KeyStore(db, sealing, clock, ch, l, expectStateVersion);
        } catch (IOException | SQLException e) {
            closeQuietly(ch);
            throw new StoreException("cannot open store " + db + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** Null when another process, or another store in this JVM, holds the lock. */
    static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    static Path lockFile(Path db) {
        return db.resolveSibling(db.getFileName() + ".lock");
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    static Connection connect(Path db, boolean readOnly) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // FULL: the WAL is fsynced at every commit, so an acknowledged write survives kill -9 and power loss.
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        cfg.setBusyTimeout(10_000);
        cfg.enforceForeignKeys(true);
        if (readOnly) {
            cfg.setReadOnly(true);
        }
        return DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath(), cfg.toProperties());
    }

    /** The version of the committed state: raised by every committed change, carried by every KeyService answer. */
    public long stateVersion() {
        return ledger.head().version();
    }

    // ---------------------------------------------------------------- principals

    /** @return true if the principal was new */
    public boolean registerPrincipal(PrincipalId id, byte[] subjectPublicKeyInfo) {
        if (!PrincipalId.ofPublicKey(subjectPublicKeyInfo).equals(id)) {
            throw new IllegalArgumentException("a principal's id is the SHA-256 of its public key");
        }
        long now = clock.millis();
        return writer.submit(c -> {
            if (ledger.current(StateRow.Principal.keyOf(id.hex())).isPresent()) {
                return false;
            }
            write(c, new StateRow.Principal(id.hex(), subjectPublicKeyInfo.clone(), now));
            return true;
        });
    }

    public boolean isRegistered(PrincipalId id) {
        return ledger.tables().get(StateRow.Principal.keyOf(id.hex())).isPresent();
    }

    // ---------------------------------------------------------------- model keys

    /** Result of storing a model key. */
    public enum PutOutcome {
        /** A new version was stored. */
        CREATED,
        /** This exact version and key were already stored. */
        UNCHANGED,
        /** The version is not above the current one. */
        STALE_VERSION,
        /** This version exists with another key. */
        VERSION_REUSED
    }

    public PutOutcome putModelKey(ModelId model, ModelKey key) {
        long now = clock.millis();
        return writer.submit(c -> {
            Optional<StateRow.ModelKeyRow> latest = ledger.latestModelKey(model.toString());
            if (latest.isPresent()) {
                ModelKey cur = seals.openModelKey(latest.get());
                if (cur.version() == key.version()) {
                    return cur.equals(key) ? PutOutcome.UNCHANGED : PutOutcome.VERSION_REUSED;
                }
                if (cur.version() > key.version()) {
                    return PutOutcome.STALE_VERSION;
                }
            }
            write(c, seals.sealModelKey(model.toString(), key, now));
            return PutOutcome.CREATED;
        });
    }

    /** Result of retiring a model key version. */
    public enum RetireOutcome {
        /** The version was stored and is now deleted (its key bytes are gone from the state). */
        RETIRED,
        /** The version is below the newest and not stored (retired before, or never stored). */
        ALREADY_RETIRED,
        /** The version is the newest: refused, the model would have no key. */
        NEWEST,
        /** No such version (above the newest, or the model has no key). */
        NOT_STORED
    }

    /**
     * Deletes model key {@code version}, which must be below the newest. A retired version is never released again and
     * cannot be stored again (it is below the newest, see {@link #putModelKey}); its deletion is covered by the state
     * head like every change, so a host that writes the row back is detected.
     */
    public RetireOutcome retireModelKey(ModelId model, int version) {
        return writer.submit(c -> {
            Optional<StateRow.ModelKeyRow> latest = ledger.latestModelKey(model.toString());
            if (latest.isEmpty() || version > latest.get().version() || version < 1) {
                return RetireOutcome.NOT_STORED;
            }
            if (version == latest.get().version()) {
                return RetireOutcome.NEWEST;
            }
            boolean held = delete(c, StateRow.ModelKeyRow.keyOf(model.toString(), version),
                    new StateRow.ModelKeyRow(model.toString(), version, new byte[0], 0));
            return held ? RetireOutcome.RETIRED : RetireOutcome.ALREADY_RETIRED;
        });
    }

    public Optional<ModelKey> latestModelKey(ModelId model) {
        return ledger.tables().latestModelKey(model.toString()).map(seals::openModelKey);
    }

    private Optional<ModelKey> modelKey(ModelId model, int version) {
        return ledger.tables().get(StateRow.ModelKeyRow.keyOf(model.toString(), version))
                .map(r -> seals.openModelKey((StateRow.ModelKeyRow) r));
    }

    // ---------------------------------------------------------------- grants

    /** @return true if the grant was new */
    public boolean addGrant(Grant g) {
        long now = clock.millis();
        return writer.submit(c -> {
            if (ledger.current(grantKey(g)).isPresent()) {
                return false;
            }
            write(c, seals.sealGrant(g.model().toString(), g.user().hex(), g.runtime().value(), now));
            return true;
        });
    }

    /** @return true if the grant existed */
    public boolean revokeGrant(Grant g) {
        return writer.submit(c -> delete(c, grantKey(g),
                new StateRow.GrantRow(g.model().toString(), g.user().hex(), g.runtime().value(), 0, new byte[0])));
    }

    private static String grantKey(Grant g) {
        return StateRow.GrantRow.keyOf(g.model().toString(), g.user().hex(), g.runtime().value());
    }

    /** A stored grant with its creation time. */
    public record GrantRow(Grant grant, Instant createdAt) {}

    public List<GrantRow> grants(ModelId model) {
        return ledger.tables().grants(model.toString()).stream()
                .map(r -> new GrantRow(new Grant(model, PrincipalId.parse(r.user()), RuntimeRule.parse(r.measurement())),
                        Instant.ofEpochMilli(r.createdAt())))
                .toList();
    }

    // ---------------------------------------------------------------- request keys

    /** @return true if the stored key changed (new, or different from the stored one) */
    public boolean putRequestKey(ModelId model, RuntimeRule m, PrincipalId user, RequestKey key) {
        long now = clock.millis();
        return writer.submit(c -> {
            Optional<StateRow> cur = ledger.current(StateRow.RequestKeyRow.keyOf(model.toString(), m.value(), user.hex()));
            if (cur.isPresent() && seals.openRequestKey((StateRow.RequestKeyRow) cur.get()).equals(key)) {
                return false;
            }
            write(c, seals.sealRequestKey(model.toString(), m.value(), user.hex(), key, now));
            return true;
        });
    }

    /** @return true if a key was deleted */
    public boolean deleteRequestKey(ModelId model, RuntimeRule m, PrincipalId user) {
        return writer.submit(c -> delete(c, StateRow.RequestKeyRow.keyOf(model.toString(), m.value(), user.hex()),
                new StateRow.RequestKeyRow(model.toString(), m.value(), user.hex(), new byte[0], 0)));
    }

    public Optional<RequestKey> requestKey(ModelId model, RuntimeRule m, PrincipalId user) {
        return ledger.tables().get(StateRow.RequestKeyRow.keyOf(model.toString(), m.value(), user.hex()))
                .map(r -> seals.openRequestKey((StateRow.RequestKeyRow) r));
    }

    // ---------------------------------------------------------------- writes (writer thread)

    private void write(Connection c, StateRow row) throws SQLException {
        StateRowSql.upsert(c, row);
        ledger.put(row);
    }

    /** Deletes the row named {@code key} ({@code template} carries its primary key); true if the enclave held it. */
    private boolean delete(Connection c, String key, StateRow template) throws SQLException {
        boolean held = ledger.remove(key).isPresent();
        int gone = StateRowSql.delete(c, template);
        if (gone != (held ? 1 : 0)) {
            // The file disagreed with enclave memory: the host changed it. Memory wins; the row is now gone from both.
            LOG.error("database row {} differed from the KeyService's state (changed outside the KeyService); "
                    + "restarting on this database will be refused until an operator acts", key.replace('\0', '|'));
        }
        return held;
    }

    // ---------------------------------------------------------------- release view

    /**
     * Everything a release decision needs, read from enclave memory (never from the database file).
     *
     * @param modelKnown a model key or any grant exists for the model
     * @param matched the grant that admitted the runtime (its exact measurement first, else the first matching signer or
     *     register rule, in listing order, that has the user's request key), when granted
     */
    public record ReleaseView(boolean modelKnown, boolean granted, Optional<RequestKey> requestKey, Optional<ModelKey> modelKey,
            Optional<RuntimeRule> matched, boolean keyRetired) {
        public ReleaseView(boolean modelKnown, boolean granted, Optional<RequestKey> requestKey, Optional<ModelKey> modelKey) {
            this(modelKnown, granted, requestKey, modelKey, Optional.empty(), false);
        }
    }

    public ReleaseView releaseView(ModelId model, PrincipalId user, Measurement m) {
        return releaseView(model, user, m, Map.of(), 0);
    }

    /** As {@link #releaseView(ModelId, PrincipalId, Measurement, Map, int)} for a runtime known by its measurement only. */
    public ReleaseView releaseView(ModelId model, PrincipalId user, Measurement m, int version) {
        return releaseView(model, user, m, Map.of(), version);
    }

    /**
     * The release view for a runtime with verified measurement {@code m} and quote {@code claims}, model key
     * {@code version} (0 = newest). The runtime is granted if a grant for (model, user) names its measurement or a
     * rule its quote satisfies; its request key is the one the user stored for that same measurement or rule.
     */
    public ReleaseView releaseView(ModelId model, PrincipalId user, Measurement m, Map<String, String> claims, int version) {
        StateTables t = ledger.tables();
        List<RuntimeRule> admitting = new java.util.ArrayList<>();
        if (t.get(grantKey(new Grant(model, user, m))).isPresent()) {
            admitting.add(m);
        }
        for (StateRow.GrantRow g : t.grantsOf(model.toString(), user.hex())) {
            if (!g.measurement().equals(m.value())) {
                RuntimeRule rule = RuntimeRule.parse(g.measurement());
                if (rule.matches(m, claims)) {
                    admitting.add(rule);
                }
            }
        }
        if (admitting.isEmpty()) {
            // No key is unsealed for a caller without a grant; only whether the model exists at all.
            return new ReleaseView(t.modelKnown(model.toString()), false, Optional.empty(), Optional.empty());
        }
        RuntimeRule matched = admitting.getFirst();
        Optional<RequestKey> rk = Optional.empty();
        for (RuntimeRule r : admitting) {
            rk = requestKey(model, r, user);
            if (rk.isPresent()) {
                matched = r;
                break;
            }
        }
        Optional<ModelKey> mk = version == 0 ? latestModelKey(model) : modelKey(model, version);
        // A version below the newest that is not stored was retired by the owner (or skipped): say so, not "no key".
        boolean retired = mk.isEmpty() && version > 0 && t.latestModelKey(model.toString()).filter(l -> l.version() > version).isPresent();
        return new ReleaseView(true, true, rk, mk, Optional.of(matched), retired);
    }

    // ---------------------------------------------------------------- audit

    /** An event to append to the audit log; optional parts absent. */
    public record AuditEntry(String event, String actor, Optional<ModelId> model, Optional<PrincipalId> user,
            Optional<RuntimeRule> measurement, boolean allowed, Optional<String> reason) {}

    /**
     * Appends to the audit log (hash-chained, {@link AuditLog}) before returning. With {@code fsync} the record is on
     * disk (power-loss safe); without, it survives a crash of this process at once and a power loss from the next
     * fsynced commit on (see {@link GroupCommitWriter#submit(GroupCommitWriter.Work, boolean)}).
     */
    public void audit(AuditEntry e, boolean fsync) {
        long now = clock.millis();
        writer.submit(c -> {
            auditLog.append(c, now, e);
            return Boolean.TRUE;
        }, fsync);
    }

    /** Appends durably (fsynced, group-committed with concurrent writes). */
    public void audit(AuditEntry e) {
        audit(e, true);
    }

    /**
     * Events on models owned by {@code viewer} or naming {@code viewer} as the user, oldest first; every row returned
     * is checked against the audit chain.
     *
     * @throws StateIntegrityException when a row in the range read was changed or deleted outside the KeyService
     */
    public List<AuditEvent> auditVisibleTo(PrincipalId viewer, Optional<ModelId> model, long afterSeq, int limit) {
        return read(c -> auditLog.visibleTo(c, viewer, model, afterSeq, limit));
    }

    // ---------------------------------------------------------------- maintenance

    /** Writes a consistent copy of the database to {@code out} (must not exist) while the store stays online. */
    public void backup(Path out) {
        StoreMaintenance.backupFile(db, out);
    }

    /**
     * Appends an operator event to the audit log and makes the state version at least {@code versionFloor}, in one
     * transaction (after a restore or a reseal; see {@link StoreMaintenance}).
     */
    void recordOperatorAction(String event, long versionFloor) {
        long now = clock.millis();
        writer.submit(c -> {
            ledger.raiseVersion(versionFloor);
            auditLog.append(c, now, new AuditEntry(event, "operator", Optional.empty(), Optional.empty(), Optional.empty(),
                    true, Optional.empty()));
            return Boolean.TRUE;
        });
    }

    // ---------------------------------------------------------------- plumbing

    /** AAD of a sealed value: a domain tag, the table and the primary key, NUL-separated (no field contains NUL). */
    static byte[] aad(String table, String... primaryKey) {
        StringBuilder b = new StringBuilder("sesemi-keystore-v1\0").append(table);
        for (String k : primaryKey) {
            b.append('\0').append(k);
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(Read<T> work) {
        java.util.concurrent.Future<T> result;
        try {
            result = readThreads.submit(() -> readHere(work));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new StoreException("store is closed");
        }
        try {
            return result.get(READ_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted");
        } catch (java.util.concurrent.TimeoutException e) {
            throw new StoreException("read did not finish within " + READ_TIMEOUT_MS + " ms");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new StoreException("read failed: " + e.getCause(), e.getCause());
        }
    }

    private <T> T readHere(Read<T> work) throws InterruptedException {
        Connection c = readers.poll(READ_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
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
            readers.add(c);
        }
    }

    public Path path() {
        return db;
    }

    /** True if a read transaction on the store succeeds (for health checks). */
    public boolean ping() {
        try {
            return read(c -> {
                try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT 1 FROM state_head LIMIT 1")) {
                    rs.next();
                    return Boolean.TRUE;
                }
            });
        } catch (StoreException e) {
            return false;
        }
    }

    @Override
    public void close() {
        writer.close();
        readThreads.shutdown();
        try {
            readThreads.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("closed {} at state version {}", db.getFileName(), ledger.head().version());
        for (Connection c; (c = readers.poll()) != null; ) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // the lock dies with the channel anyway
        }
    }
}
