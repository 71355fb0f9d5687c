package org.sesemi.keyservice.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sesemi.crypto.SealingKey;
import org.sesemi.crypto.StateMac;
import org.sesemi.time.SystemTime;
import org.sqlite.SQLiteConfig;

/**
 * Operator actions on a database file: backup (online), verify (row-level tampering and the state version),
 * restore (a verified backup becomes the state, with a state version above any served before), and reseal (the
 * operator accepts the rows as they are, after tampering was found or for a database of an older KeyService).
 *
 * <p>Versions across a restore: the restored state gets version {@code max(backup, current database, --min) + 1}
 * and an audit event {@code state_restored}, so clients that saw the old database's versions accept it, while a
 * host that copies an old file back (without the operator) still yields a lower version.
 */
public final class StoreMaintenance {
    private StoreMaintenance() {}

    /**
     * What {@link #verify} found.
     *
     * @param stateVersion the sealed head's version (-1 when there is no readable head)
     * @param consistent the rows are exactly those the sealed head vouches for
     * @param findings every row-level problem (replayed, deleted, inserted or edited rows; rows that do not open)
     */
    public record VerifyReport(int schemaVersion, long stateVersion, boolean consistent, List<String> findings, long principals,
            long modelKeys, long grants, long requestKeys, long auditEvents) {}

    /**
     * Backs up the database file {@code db} to {@code out} (must not exist; created 0600); safe while a KeyService
     * uses it (one read snapshot). Needs no sealing key: the copy stays sealed, head included.
     */
    public static void backupFile(Path db, Path out) {
        if (!Files.isRegularFile(db)) {
            throw new StoreException(db + " is not a file");
        }
        if (Files.exists(out)) {
            throw new StoreException(out + " already exists");
        }
        DbFiles.createOwnerOnly(out);
        // VACUUM cannot run inside a transaction, so a fresh read-only connection copies the last committed state.
        try (Connection c = DbFiles.connect(db, true); PreparedStatement p = c.prepareStatement("VACUUM INTO ?")) {
            p.setString(1, out.toAbsolutePath().toString());
            p.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("backup failed: " + e.getMessage(), e);
        }
        DbFiles.ownerOnly(out);
        try (FileChannel f = FileChannel.open(out, StandardOpenOption.WRITE)) {
            f.force(true);
        } catch (IOException e) {
            throw new StoreException("backup written but not synced: " + e.getMessage(), e);
        }
    }

    /**
     * Reads every row of the database at {@code db} in one snapshot (read-only; also while a KeyService runs) and
     * checks it against its sealed state head. Tampering is reported, not thrown.
     *
     * @throws StoreException when the file cannot be read or has another schema version
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
                throw new StoreException(db + " has schema version " + version + ", this build expects " + Migrations.latest()
                        + (version < Migrations.latest() ? " (an operator accepts it with 'sesemi keyservice reseal')" : ""));
            }
            c.setAutoCommit(false);
            try {
                StateLoader.Loaded l = StateLoader.load(c, sealing);
                List<String> findings = new ArrayList<>(l.findings());
                if (l.stored().isEmpty() && !l.isEmpty()) {
                    findings.add("no sealed state head (an older KeyService's database, or the head was deleted)");
                }
                long audit;
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM audit")) {
                    audit = rs.next() ? rs.getLong(1) : 0;
                }
                return new VerifyReport(version, l.stored().map(StateHead::version).orElse(-1L), findings.isEmpty(),
                        List.copyOf(findings), l.principals(), l.modelKeys(), l.grants(), l.requestKeys(), audit);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read " + db + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces the database at {@code db} with a consistent {@code backup}. Refuses while a server holds the store's
     * lock. The old database (and its WAL) is moved aside to {@code <db>.before-restore-<millis>}. The restored state
     * version is above the backup's, the replaced database's (if its head opens) and {@code minStateVersion}.
     */
    public static VerifyReport restore(Path backup, Path db, SealingKey sealing, long minStateVersion) {
        VerifyReport report = verify(backup, sealing);
        if (!report.consistent()) {
            throw new StateIntegrityException(StateIntegrityException.Kind.TAMPERED, "backup " + backup
                    + " is not consistent with its sealed state head: " + report.findings().getFirst(), report.findings());
        }
        long floor = Math.max(report.stateVersion(), minStateVersion);
        if (Files.isRegularFile(db)) {
            try {
                floor = Math.max(floor, verify(db, sealing).stateVersion());
            } catch (StoreException e) {
                // unreadable or of another schema: its version is unknown; the operator's --min-state-version covers it
            }
        }
        try {
            Files.createDirectories(db.toAbsolutePath().getParent());
            try (StoreLock l = StoreLock.acquire(db, db + " is in use by a running KeyService; stop it before restoring")) {
                String aside = ".before-restore-" + SystemTime.clock().millis();
                for (String suffix : new String[] {"", "-wal", "-shm"}) {
                    Path f = db.resolveSibling(db.getFileName() + suffix);
                    if (Files.exists(f)) {
                        Files.move(f, db.resolveSibling(db.getFileName() + suffix + aside));
                    }
                }
                Path tmp = db.resolveSibling(db.getFileName() + ".restoring");
                Files.deleteIfExists(tmp);
                DbFiles.createOwnerOnly(tmp);
                Files.copy(backup, tmp, StandardCopyOption.REPLACE_EXISTING);
                DbFiles.ownerOnly(tmp);
                try (FileChannel f = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    f.force(true);
                }
                Files.move(tmp, db, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new StoreException("restore failed: " + e.getMessage(), e);
        }
        try (KeyStore s = KeyStore.open(db, sealing, SystemTime.clock())) {
            s.recordOperatorAction("state_restored", floor + 1);
        }
        return verify(db, sealing);
    }

    /**
     * The operator accepts the database's rows as they are: a new sealed head over them, version above the old head's
     * (if it opens) and {@code minStateVersion}, the audit chain recomputed (missing audit rows filled with
     * {@code audit_rows_missing} events so the gap stays visible), and an audit event {@code state_resealed}. Refuses
     * rows whose seals do not open (those must be deleted or restored from a backup first). The KeyService must be
     * stopped.
     */
    public static VerifyReport reseal(Path db, SealingKey sealing, long minStateVersion) {
        if (!Files.isRegularFile(db)) {
            throw new StoreException(db + " is not a file");
        }
        long floor;
        try (StoreLock l = StoreLock.acquire(db, db + " is in use by a running KeyService; stop it before resealing")) {
            try (Connection c = DbFiles.connect(db, false)) {
                Migrations.migrate(c);
                c.setAutoCommit(false);
                StateLoader.Loaded loaded = StateLoader.load(c, sealing);
                List<String> unopenable = loaded.foreignRows();
                if (!unopenable.isEmpty()) {
                    c.rollback();
                    throw new StateIntegrityException(StateIntegrityException.Kind.TAMPERED, "cannot accept rows that are not "
                            + "this KeyService's own: " + unopenable.getFirst() + " (delete them, or restore a backup)", unopenable);
                }
                floor = Math.max(loaded.stored().map(StateHead::version).orElse(0L), minStateVersion);
                StateHead rechained = rechain(c, sealing, loaded.computed());
                StateLedger.writeHead(c, rechained, sealing);
                c.commit();
            }
        } catch (SQLException e) {
            throw new StoreException("reseal failed: " + e.getMessage(), e);
        }
        try (KeyStore s = KeyStore.open(db, sealing, SystemTime.clock())) {
            s.recordOperatorAction("state_resealed", floor + 1);
        }
        return verify(db, sealing);
    }

    /** Recomputes every audit row's chain value in seq order, filling gaps; returns the head with the new tail. */
    private static StateHead rechain(Connection c, SealingKey sealing, StateHead computed) throws SQLException {
        StateMac mac = StateLedger.auditMac(sealing);
        List<AuditLog.Row> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(AuditLog.selectAll())) {
            while (rs.next()) {
                rows.add(AuditLog.Row.read(rs));
            }
        }
        long seq = 0;
        byte[] chain = StateLedger.genesis();
        try (PreparedStatement fill = c.prepareStatement("INSERT INTO audit (seq, at, event, actor, outcome, reason, chain) "
                + "VALUES (?, ?, 'audit_rows_missing', 'operator', 'denied', 'deleted outside the KeyService', ?)");
                PreparedStatement upd = c.prepareStatement("UPDATE audit SET chain = ? WHERE seq = ?")) {
            for (AuditLog.Row r : rows) {
                while (seq + 1 < r.seq()) {
                    seq++;
                    long at = SystemTime.clock().millis();
                    chain = StateLedger.chain(mac, chain, seq, AuditLog.canonical(at, "audit_rows_missing", "operator", null, null,
                            null, null, "denied", "deleted outside the KeyService"));
                    fill.setLong(1, seq);
                    fill.setLong(2, at);
                    fill.setBytes(3, chain);
                    fill.executeUpdate();
                }
                seq = r.seq();
                chain = StateLedger.chain(mac, chain, seq, r.canonical());
                upd.setBytes(1, chain);
                upd.setLong(2, seq);
                upd.executeUpdate();
            }
        }
        return new StateHead(computed.version(), computed.rows(), computed.rowDigest(), seq, chain);
    }

}
