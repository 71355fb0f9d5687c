package org.sesemi.keyservice.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    private final StoreLock lock;
    private final RowSealing seals;
    private final StateLedger ledger;
    private final ReleaseQuery queries;
    private final AuditLog auditLog;
    private final GroupCommitWriter writer;
    private final ReadPool readers;

    /** Takes over {@code lock}, {@code writer} and {@code readers}; the ledger's rows are checked already. */
    private KeyStore(Path db, Clock clock, StoreLock lock, RowSealing seals, StateLedger ledger, GroupCommitWriter writer,
            ReadPool readers) {
        this.db = db;
        this.clock = clock;
        this.lock = lock;
        this.seals = seals;
        this.ledger = ledger;
        this.queries = new ReleaseQuery(ledger, seals);
        this.auditLog = new AuditLog(ledger);
        this.writer = writer;
        this.readers = readers;
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
        StoreLock lock = StoreLock.acquire(db, db + " is in use by another KeyService process");
        Connection w = null;
        ReadPool readers = null;
        try {
            DbFiles.createOwnerOnly(db);
            w = DbFiles.connect(db, false);
            Migrations.migrate(w);
            // One snapshot for rows and head (a host writing meanwhile cannot make a consistent file look torn).
            w.setAutoCommit(false);
            StateLoader.Loaded loaded = StateLoader.load(w, sealing);
            StateHead head = StateLoader.admit(w, loaded, sealing, expectStateVersion);
            w.commit();
            LOG.info("state of {} checked: version {}, {} access-control rows, {} audit rows", db.getFileName(), head.version(),
                    head.rows(), head.auditSeq());
            StateLedger ledger = new StateLedger(sealing, loaded.tables(), head);
            readers = new ReadPool(db, READERS);
            DbFiles.restrict(db);
            return new KeyStore(db, clock, lock, new RowSealing(sealing), ledger, new GroupCommitWriter(w, ledger), readers);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(w);
            if (readers != null) {
                readers.close();
            }
            lock.close();
            if (e instanceof SQLException) {
                throw new StoreException("cannot open store " + db + ": " + e.getMessage(), e);
            }
            throw (RuntimeException) e;
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // already failing
            }
        }
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
        return queries.latestModelKey(model);
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
        return queries.requestKey(model, m, user);
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
        return queries.releaseView(model, user, m, claims, version);
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
        return readers.read(c -> auditLog.visibleTo(c, viewer, model, afterSeq, limit));
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

    public Path path() {
        return db;
    }

    /** True if a read transaction on the store succeeds (for health checks). */
    public boolean ping() {
        try {
            return readers.read(c -> {
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
        readers.close();
        LOG.info("closed {} at state version {}", db.getFileName(), ledger.head().version());
        lock.close();
    }
}
