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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.sesemi.attestation.Measurement;
import org.sesemi.client.keyservice.AuditEvent;
import org.sesemi.client.keyservice.Grant;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestKey;
import org.sesemi.crypto.SealingKey;
import org.sqlite.SQLiteConfig;

/**
 * The KeyService's durable state. Writes are acknowledged only after their transaction is fsynced (WAL,
 * {@code synchronous=FULL}); secret columns hold {@link SealingKey#seal sealed} bytes only, with the row's table
 * and primary key as AAD, so a row copied to another key, table or database fails to open.
 *
 * <p>Thread-safe: one group-committing writer, a small pool of read connections. Holds an exclusive lock file
 * ({@code <db>.lock}) while open, so two servers (or a restore) cannot share one database.
 *
 * <p>What sealing does not stop: a host that deletes rows (a revoked-looking grant, a missing key) or rolls the
 * whole file back to an older copy. Rollback protection needs a monotonic counter the TEE does not offer here.
 */
public final class KeyStore implements AutoCloseable {
    private static final int READERS = 4;

    private final Path db;
    private final SealingKey sealing;
    private final Clock clock;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final GroupCommitWriter writer;
    private final BlockingQueue<Connection> readers = new ArrayBlockingQueue<>(READERS);

    private KeyStore(Path db, SealingKey sealing, Clock clock, FileChannel lockChannel, FileLock lock) throws SQLException {
        this.db = db;
        this.sealing = sealing;
        this.clock = clock;
        this.lockChannel = lockChannel;
        this.lock = lock;
        Connection w = connect(db, false);
        Migrations.migrate(w);
        this.writer = new GroupCommitWriter(w);
        for (int i = 0; i < READERS; i++) {
            readers.add(connect(db, true));
        }
    }

    /** Opens (creating and migrating if needed) the database at {@code db}. */
    public static KeyStore open(Path db, SealingKey sealing, Clock clock) {
        FileChannel ch = null;
        try {
            Path parent = db.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            ch = FileChannel.open(lockFile(db), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = tryLock(ch);
            if (l == null) {
                throw new StoreException(db + " is in use by another KeyService process (lock " + lockFile(db) + ")");
            }
            return new KeyStore(db, sealing, clock, ch, l);
        } catch (IOException | SQLException e) {
            closeQuietly(ch);
            throw new StoreException("cannot open store " + db + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    /** Null when another process, or another store in this JVM, holds the lock. */
    private static FileLock tryLock(FileChannel ch) throws IOException {
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

    // ---------------------------------------------------------------- principals

    /** @return true if the principal was new */
    public boolean registerPrincipal(PrincipalId id, byte[] subjectPublicKeyInfo) {
        long now = clock.millis();
        return writer.submit(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO principals (id, public_key, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
                p.setString(1, id.hex());
                p.setBytes(2, subjectPublicKeyInfo);
                p.setLong(3, now);
                return p.executeUpdate() == 1;
            }
        });
    }

    public boolean isRegistered(PrincipalId id) {
        return read(c -> exists(c, "SELECT 1 FROM principals WHERE id = ?", id.hex()));
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
            Optional<ModelKey> latest = latestModelKey(c, model);
            if (latest.isPresent()) {
                ModelKey cur = latest.get();
                if (cur.version() == key.version()) {
                    return cur.equals(key) ? PutOutcome.UNCHANGED : PutOutcome.VERSION_REUSED;
                }
                if (cur.version() > key.version()) {
                    return PutOutcome.STALE_VERSION;
                }
            }
            byte[] raw = key.exportSecret();
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO model_keys (model, version, sealed_key, created_at) VALUES (?, ?, ?, ?)")) {
                p.setString(1, model.toString());
                p.setInt(2, key.version());
                p.setBytes(3, sealing.seal(raw, aad("model_keys", model.toString(), Integer.toString(key.version()))));
                p.setLong(4, now);
                p.executeUpdate();
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
            return PutOutcome.CREATED;
        });
    }

    private Optional<ModelKey> modelKey(Connection c, ModelId model, int version) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT sealed_key FROM model_keys WHERE model = ? AND version = ?")) {
            p.setString(1, model.toString());
            p.setInt(2, version);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                byte[] raw = unseal(rs.getBytes(1), "model_keys", model.toString(), Integer.toString(version));
                try {
                    return Optional.of(ModelKey.fromSecret(raw, version));
                } finally {
                    Arrays.fill(raw, (byte) 0);
                }
            }
        }
    }

    public Optional<ModelKey> latestModelKey(ModelId model) {
        return read(c -> latestModelKey(c, model));
    }

    private Optional<ModelKey> latestModelKey(Connection c, ModelId model) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT version, sealed_key FROM model_keys WHERE model = ? ORDER BY version DESC LIMIT 1")) {
            p.setString(1, model.toString());
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                int version = rs.getInt(1);
                byte[] raw = unseal(rs.getBytes(2), "model_keys", model.toString(), Integer.toString(version));
                try {
                    return Optional.of(ModelKey.fromSecret(raw, version));
                } finally {
                    Arrays.fill(raw, (byte) 0);
                }
            }
        }
    }

    // ---------------------------------------------------------------- grants

    /** @return true if the grant was new */
    public boolean addGrant(Grant g) {
        long now = clock.millis();
        return writer.submit(c -> {
            try (PreparedStatement p = c.prepareStatement("""
                    INSERT INTO grants (model, user_id, measurement, created_at, seal) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (model, user_id, measurement) DO NOTHING""")) {
                p.setString(1, g.model().toString());
                p.setString(2, g.user().hex());
                p.setString(3, g.measurement().value());
                p.setLong(4, now);
                p.setBytes(5, sealing.seal(grantPayload(now), grantAad(g)));
                return p.executeUpdate() == 1;
            }
        });
    }

    /** @return true if the grant existed */
    public boolean revokeGrant(Grant g) {
        return writer.submit(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "DELETE FROM grants WHERE model = ? AND user_id = ? AND measurement = ?")) {
                p.setString(1, g.model().toString());
                p.setString(2, g.user().hex());
                p.setString(3, g.measurement().value());
                return p.executeUpdate() == 1;
            }
        });
    }

    /** A stored grant with its creation time. */
    public record GrantRow(Grant grant, Instant createdAt) {}

    public List<GrantRow> grants(ModelId model) {
        return read(c -> {
            List<GrantRow> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(
                    "SELECT user_id, measurement, created_at, seal FROM grants WHERE model = ? ORDER BY user_id, measurement")) {
                p.setString(1, model.toString());
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        Grant g = new Grant(model, PrincipalId.parse(rs.getString(1)), Measurement.parse(rs.getString(2)));
                        long created = rs.getLong(3);
                        checkGrantSeal(g, created, rs.getBytes(4));
                        out.add(new GrantRow(g, Instant.ofEpochMilli(created)));
                    }
                }
            }
            return List.copyOf(out);
        });
    }

    private Optional<Long> grantCreated(Connection c, Grant g) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT created_at, seal FROM grants WHERE model = ? AND user_id = ? AND measurement = ?")) {
            p.setString(1, g.model().toString());
            p.setString(2, g.user().hex());
            p.setString(3, g.measurement().value());
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long created = rs.getLong(1);
                checkGrantSeal(g, created, rs.getBytes(2));
                return Optional.of(created);
            }
        }
    }

    private void checkGrantSeal(Grant g, long created, byte[] seal) {
        byte[] payload = unseal(seal, "grants", g.model().toString(), g.user().hex(), g.measurement().value());
        if (!Arrays.equals(payload, grantPayload(created))) {
            throw new StoreException("grant row (" + g.model() + ", " + g.user() + ", " + g.measurement() + ") was modified");
        }
    }

    private static byte[] grantPayload(long createdAt) {
        return ("grant@" + createdAt).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] grantAad(Grant g) {
        return aad("grants", g.model().toString(), g.user().hex(), g.measurement().value());
    }

    // ---------------------------------------------------------------- request keys

    /** @return true if the stored key changed (new, or different from the stored one) */
    public boolean putRequestKey(ModelId model, Measurement m, PrincipalId user, RequestKey key) {
        long now = clock.millis();
        return writer.submit(c -> {
            Optional<RequestKey> cur = requestKey(c, model, m, user);
            if (cur.isPresent() && cur.get().equals(key)) {
                return false;
            }
            byte[] raw = key.exportSecret();
            try (PreparedStatement p = c.prepareStatement("""
                    INSERT INTO request_keys (model, measurement, user_id, sealed_key, created_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (model, measurement, user_id) DO UPDATE SET sealed_key = excluded.sealed_key,
                      created_at = excluded.created_at""")) {
                p.setString(1, model.toString());
                p.setString(2, m.value());
                p.setString(3, user.hex());
                p.setBytes(4, sealing.seal(raw, aad("request_keys", model.toString(), m.value(), user.hex())));
                p.setLong(5, now);
                p.executeUpdate();
            } finally {
                Arrays.fill(raw, (byte) 0);
            }
            return true;
        });
    }

    /** @return true if a key was deleted */
    public boolean deleteRequestKey(ModelId model, Measurement m, PrincipalId user) {
        return writer.submit(c -> {
            try (PreparedStatement p = c.prepareStatement(
                    "DELETE FROM request_keys WHERE model = ? AND measurement = ? AND user_id = ?")) {
                p.setString(1, model.toString());
                p.setString(2, m.value());
                p.setString(3, user.hex());
                return p.executeUpdate() == 1;
            }
        });
    }

    public Optional<RequestKey> requestKey(ModelId model, Measurement m, PrincipalId user) {
        return read(c -> requestKey(c, model, m, user));
    }

    private Optional<RequestKey> requestKey(Connection c, ModelId model, Measurement m, PrincipalId user) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "SELECT sealed_key FROM request_keys WHERE model = ? AND measurement = ? AND user_id = ?")) {
            p.setString(1, model.toString());
            p.setString(2, m.value());
            p.setString(3, user.hex());
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                byte[] raw = unseal(rs.getBytes(1), "request_keys", model.toString(), m.value(), user.hex());
                try {
                    return Optional.of(RequestKey.fromSecret(raw));
                } finally {
                    Arrays.fill(raw, (byte) 0);
                }
            }
        }
    }

    // ---------------------------------------------------------------- release view

    /**
     * Everything a release decision needs, read in one snapshot (one read transaction).
     *
     * @param modelKnown a model key or any grant exists for the model
     */
    public record ReleaseView(boolean modelKnown, boolean granted, Optional<RequestKey> requestKey, Optional<ModelKey> modelKey) {}

    public ReleaseView releaseView(ModelId model, PrincipalId user, Measurement m) {
        return releaseView(model, user, m, 0);
    }

    /** As {@link #releaseView(ModelId, PrincipalId, Measurement)} for model key {@code version} (0 = newest). */
    public ReleaseView releaseView(ModelId model, PrincipalId user, Measurement m, int version) {
        return read(c -> {
            boolean granted = grantCreated(c, new Grant(model, user, m)).isPresent();
            if (!granted) {
                // No key is unsealed for a caller without a grant; only whether the model exists at all.
                boolean known = exists(c, "SELECT 1 FROM model_keys WHERE model = ? LIMIT 1", model.toString())
                        || exists(c, "SELECT 1 FROM grants WHERE model = ? LIMIT 1", model.toString());
                return new ReleaseView(known, false, Optional.empty(), Optional.empty());
            }
            Optional<RequestKey> rk = requestKey(c, model, m, user);
            Optional<ModelKey> mk = version == 0 ? latestModelKey(c, model) : modelKey(c, model, version);
            return new ReleaseView(true, true, rk, mk);
        });
    }

    // ---------------------------------------------------------------- audit

    /** An event to append to the audit log; optional parts absent. */
    public record AuditEntry(String event, String actor, Optional<ModelId> model, Optional<PrincipalId> user,
            Optional<Measurement> measurement, boolean allowed, Optional<String> reason) {}

    /**
     * Appends to the audit log before returning. With {@code fsync} the record is on disk (power-loss safe); without,
     * it survives a crash of this process at once and a power loss from the next fsynced commit on (see
     * {@link GroupCommitWriter#submit(GroupCommitWriter.Work, boolean)}).
     */
    public void audit(AuditEntry e, boolean fsync) {
        long now = clock.millis();
        writer.submit(c -> {
            insertAudit(c, now, e);
            return Boolean.TRUE;
        }, fsync);
    }

    /** Appends durably (fsynced, group-committed with concurrent writes). */
    public void audit(AuditEntry e) {
        audit(e, true);
    }

    private static void insertAudit(Connection c, long now, AuditEntry e) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("""
                INSERT INTO audit (at, event, actor, model, model_owner, user_id, measurement, outcome, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
            p.setLong(1, now);
            p.setString(2, e.event());
            p.setString(3, e.actor());
            p.setString(4, e.model().map(ModelId::toString).orElse(null));
            p.setString(5, e.model().map(m -> m.owner().hex()).orElse(null));
            p.setString(6, e.user().map(PrincipalId::hex).orElse(null));
            p.setString(7, e.measurement().map(Measurement::value).orElse(null));
            p.setString(8, e.allowed() ? "allowed" : "denied");
            p.setString(9, e.reason().orElse(null));
            p.executeUpdate();
        }
    }

    /** Events on models owned by {@code viewer} or naming {@code viewer} as the user, oldest first. */
    public List<AuditEvent> auditVisibleTo(PrincipalId viewer, Optional<ModelId> model, long afterSeq, int limit) {
        return read(c -> {
            String sql = "SELECT seq, at, event, actor, model, user_id, measurement, outcome, reason FROM audit "
                    + "WHERE seq > ? AND (model_owner = ? OR user_id = ?)" + (model.isPresent() ? " AND model = ?" : "")
                    + " ORDER BY seq LIMIT ?";
            List<AuditEvent> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(sql)) {
                int i = 1;
                p.setLong(i++, afterSeq);
                p.setString(i++, viewer.hex());
                p.setString(i++, viewer.hex());
                if (model.isPresent()) {
                    p.setString(i++, model.get().toString());
                }
                p.setInt(i, limit);
                try (ResultSet rs = p.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AuditEvent(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
                                Optional.ofNullable(rs.getString(5)).map(ModelId::parse),
                                Optional.ofNullable(rs.getString(6)).map(PrincipalId::parse),
                                Optional.ofNullable(rs.getString(7)).map(Measurement::parse),
                                rs.getString(8), Optional.ofNullable(rs.getString(9))));
                    }
                }
            }
            return List.copyOf(out);
        });
    }

    // ---------------------------------------------------------------- backup, verify

    /**
     * Writes a consistent copy of the database to {@code out} (must not exist) while the store stays online. The copy
     * holds sealed blobs only and opens only with the same sealing key.
     */
    public void backup(Path out) {
        backupFile(db, out);
    }

    /**
     * Backs up the database file {@code db} to {@code out} (must not exist); safe while a KeyService uses it (WAL
     * readers see the last committed state). Needs no sealing key: the copy stays sealed.
     */
    public static void backupFile(Path db, Path out) {
        if (!Files.isRegularFile(db)) {
            throw new StoreException(db + " is not a file");
        }
        if (Files.exists(out)) {
            throw new StoreException(out + " already exists");
        }
        // VACUUM cannot run inside a transaction, so not on a pooled reader; a fresh read-only connection sees the
        // last committed state and copies it page by page.
        try (Connection c = connect(db, true); PreparedStatement p = c.prepareStatement("VACUUM INTO ?")) {
            p.setString(1, out.toAbsolutePath().toString());
            p.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("backup failed: " + e.getMessage(), e);
        }
        try (FileChannel f = FileChannel.open(out, StandardOpenOption.WRITE)) {
            f.force(true);
        } catch (IOException e) {
            throw new StoreException("backup written but not synced: " + e.getMessage(), e);
        }
    }

    /** Row counts of a verified database. */
    public record VerifyReport(int schemaVersion, long principals, long modelKeys, long grants, long requestKeys, long auditEvents) {}

    /**
     * Opens every sealed row of the database at {@code db} with {@code sealing} (read-only) and fails on the first
     * one that does not authenticate. Used before a restore and by operators.
     */
    public static VerifyReport verify(Path db, SealingKey sealing) {
        if (!Files.isRegularFile(db)) {
            throw new StoreException(db + " is not a file");
        }
        // A plain read-only connection: it must not switch the file's journal mode (that would be a write).
        SQLiteConfig ro = new SQLiteConfig();
        ro.setReadOnly(true);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath(), ro.toProperties())) {
            int version = Migrations.version(c);
            if (version != Migrations.latest()) {
                throw new StoreException(db + " has schema version " + version + ", this build expects " + Migrations.latest());
            }
            KeyStore probe = new KeyStore(sealing);
            long mk = 0;
            long gr = 0;
            long rk = 0;
            try (Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT model, version, sealed_key FROM model_keys")) {
                    while (rs.next()) {
                        probe.unseal(rs.getBytes(3), "model_keys", rs.getString(1), Integer.toString(rs.getInt(2)));
                        mk++;
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT model, user_id, measurement, created_at, seal FROM grants")) {
                    while (rs.next()) {
                        Grant g = new Grant(ModelId.parse(rs.getString(1)), PrincipalId.parse(rs.getString(2)),
                                Measurement.parse(rs.getString(3)));
                        probe.checkGrantSeal(g, rs.getLong(4), rs.getBytes(5));
                        gr++;
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT model, measurement, user_id, sealed_key FROM request_keys")) {
                    while (rs.next()) {
                        probe.unseal(rs.getBytes(4), "request_keys", rs.getString(1), rs.getString(2), rs.getString(3));
                        rk++;
                    }
                }
                return new VerifyReport(version, count(s, "principals"), mk, gr, rk, count(s, "audit"));
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read " + db + ": " + e.getMessage(), e);
        } catch (CryptoException | org.sesemi.attestation.AttestationException e) {
            throw new StoreException(db + " holds an invalid row: " + e.getMessage(), e);
        }
    }

    /**
     * Replaces the database at {@code db} with a verified copy of {@code backup}. Refuses while a server holds the
     * store's lock. The old database (and its WAL) is moved aside to {@code <db>.before-restore-<millis>}.
     */
    public static VerifyReport restore(Path backup, Path db, SealingKey sealing) {
        VerifyReport report = verify(backup, sealing);
        try {
            Files.createDirectories(db.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(lockFile(db), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock l = tryLock(ch)) {
                if (l == null) {
                    throw new StoreException(db + " is in use by a running KeyService; stop it before restoring");
                }
                String aside = ".before-restore-" + System.currentTimeMillis();
                for (String suffix : new String[] {"", "-wal", "-shm"}) {
                    Path f = db.resolveSibling(db.getFileName() + suffix);
                    if (Files.exists(f)) {
                        Files.move(f, db.resolveSibling(db.getFileName() + suffix + aside));
                    }
                }
                Path tmp = db.resolveSibling(db.getFileName() + ".restoring");
                Files.copy(backup, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel f = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    f.force(true);
                }
                Files.move(tmp, db, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new StoreException("restore failed: " + e.getMessage(), e);
        }
        return report;
    }

    private static long count(Statement s, String table) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** A sealing-only instance for {@link #verify}. */
    private KeyStore(SealingKey sealing) {
        this.db = null;
        this.sealing = sealing;
        this.clock = Clock.systemUTC();
        this.lockChannel = null;
        this.lock = null;
        this.writer = null;
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

    private byte[] unseal(byte[] sealed, String table, String... primaryKey) {
        try {
            return sealing.unseal(sealed, aad(table, primaryKey));
        } catch (CryptoException e) {
            throw new StoreException("sealed row in " + table + " " + String.join("|", primaryKey)
                    + " does not open (tampered, moved, or sealed by another TEE identity)", e);
        }
    }

    private interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T read(Read<T> work) {
        Connection c;
        try {
            c = readers.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted");
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

    private static boolean exists(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, arg);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next();
            }
        }
    }

    public Path path() {
        return db;
    }

    /** True if a read transaction on the store succeeds (for health checks). */
    public boolean ping() {
        try {
            return read(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 FROM principals LIMIT 1")) {
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
