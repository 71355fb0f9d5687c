package org.sesemi.keyservice.store;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.sesemi.crypto.SealingKey;
import org.sesemi.crypto.StateMac;

/**
 * Keeps the enclave's authoritative state ({@link StateTables}) and its sealed {@link StateHead} in step with the
 * database's transactions.
 *
 * <p>Units of work (on the writer thread) read the state through {@link #current} and stage changes with
 * {@link #put}, {@link #remove} and {@link #appendAudit}; a unit's changes are dropped if its savepoint rolls back.
 * Before the transaction commits, a changed batch writes the new sealed head (version + 1) into the same
 * transaction; after it commits, the changes are published to readers. Readers see only committed state, and a
 * writer is acknowledged only after its changes are visible.
 */
final class StateLedger implements GroupCommitWriter.Hooks {
    private static final byte[] ZERO = new byte[StateMac.TAG_BYTES];

    private final SealingKey sealing;
    private final StateMac rowMac;
    private final StateMac auditMac;
    private final StateTables tables;
    private volatile StateHead head;

    // Writer thread only.
    private Level batch;
    private Level unit;
    private StateHead pendingHead;

    /** The state of a batch or a unit: its staged row changes (empty = deleted) and the running head fields. */
    private static final class Level {
        final Map<String, Optional<StateRow>> changes = new LinkedHashMap<>();
        long rows;
        byte[] digest;
        long auditSeq;
        byte[] auditChain;
        long versionFloor;
        boolean dirty;

        Level(StateHead h) {
            rows = h.rows();
            digest = h.rowDigest();
            auditSeq = h.auditSeq();
            auditChain = h.auditChain();
        }

        Level(Level parent) {
            rows = parent.rows;
            digest = parent.digest;
            auditSeq = parent.auditSeq;
            auditChain = parent.auditChain;
            versionFloor = parent.versionFloor;
        }

        void absorb(Level u) {
            changes.putAll(u.changes);
            rows = u.rows;
            digest = u.digest;
            auditSeq = u.auditSeq;
            auditChain = u.auditChain;
            versionFloor = u.versionFloor;
            dirty |= u.dirty;
        }
    }

    StateLedger(SealingKey sealing, StateTables tables, StateHead head) {
        this.sealing = sealing;
        this.rowMac = rowMac(sealing);
        this.auditMac = auditMac(sealing);
        this.tables = tables;
        this.head = head;
    }

    static StateMac rowMac(SealingKey sealing) {
        return sealing.stateMac("keystore-rows");
    }

    static StateMac auditMac(SealingKey sealing) {
        return sealing.stateMac("keystore-audit-chain");
    }

    /** Chain value of audit row {@code seq} with canonical bytes {@code row} after {@code previous}. */
    static byte[] chain(StateMac mac, byte[] previous, long seq, byte[] row) {
        return mac.tag(previous, ByteBuffer.allocate(8).putLong(seq).array(), row);
    }

    static byte[] genesis() {
        return ZERO.clone();
    }

    /** Published (committed) state, for readers. */
    StateTables tables() {
        return tables;
    }

    /** Published (committed) head, for readers. */
    StateHead head() {
        return head;
    }

    StateMac auditMac() {
        return auditMac;
    }

    // ---------------------------------------------------------------- units (writer thread)

    /** The row as the running unit sees it (its own and earlier units' staged changes first). */
    Optional<StateRow> current(String key) {
        Level u = unit();
        Optional<StateRow> staged = u.changes.get(key);
        if (staged == null) {
            staged = batch.changes.get(key);
        }
        return staged != null ? staged : tables.get(key);
    }

    /** The newest model key as the running unit sees it (the newest is never deleted; only older versions are retired). */
    Optional<StateRow.ModelKeyRow> latestModelKey(String model) {
        Optional<StateRow.ModelKeyRow> best = tables.latestModelKey(model);
        for (Map<String, Optional<StateRow>> m : java.util.List.of(batch.changes, unit().changes)) {
            for (Optional<StateRow> r : m.values()) {
                if (r.isPresent() && r.get() instanceof StateRow.ModelKeyRow k && k.model().equals(model)
                        && (best.isEmpty() || k.version() > best.get().version())) {
                    best = Optional.of(k);
                }
            }
        }
        return best;
    }

    void put(StateRow row) {
        Level u = unit();
        current(row.key()).ifPresent(old -> {
            u.digest = StateHead.xor(u.digest, rowMac.tag(old.canonical()));
            u.rows--;
        });
        u.digest = StateHead.xor(u.digest, rowMac.tag(row.canonical()));
        u.rows++;
        u.changes.put(row.key(), Optional.of(row));
        u.dirty = true;
    }

    /** @return the removed row, if there was one */
    Optional<StateRow> remove(String key) {
        Level u = unit();
        Optional<StateRow> old = current(key);
        old.ifPresent(o -> {
            u.digest = StateHead.xor(u.digest, rowMac.tag(o.canonical()));
            u.rows--;
            u.changes.put(key, Optional.empty());
            u.dirty = true;
        });
        return old;
    }

    /** Sequence number and chain value of the next audit row ({@code row}: its canonical bytes). */
    record AuditLink(long seq, byte[] chain) {}

    AuditLink appendAudit(byte[] row) {
        Level u = unit();
        long seq = u.auditSeq + 1;
        byte[] c = chain(auditMac, u.auditChain, seq, row);
        u.auditSeq = seq;
        u.auditChain = c;
        u.dirty = true;
        return new AuditLink(seq, c);
    }

    /** Makes the version written by this transaction at least {@code floor} (after a restore or an operator reseal). */
    void raiseVersion(long floor) {
        Level u = unit();
        u.versionFloor = Math.max(u.versionFloor, floor);
        u.dirty = true;
    }

    private Level unit() {
        if (unit == null) {
            throw new IllegalStateException("state changes happen only inside a unit of work on the writer thread");
        }
        return unit;
    }

    // ---------------------------------------------------------------- transaction hooks (writer thread)

    @Override
    public void beginBatch() {
        batch = new Level(head);
        pendingHead = null;
    }

    @Override
    public void beginUnit() {
        unit = new Level(batch);
    }

    @Override
    public void endUnit(boolean committed) {
        if (committed) {
            batch.absorb(unit);
        }
        unit = null;
    }

    @Override
    public void beforeCommit(Connection c) throws SQLException {
        if (!batch.dirty) {
            return;
        }
        StateHead h = head;
        StateHead next = new StateHead(Math.max(h.version() + 1, batch.versionFloor), batch.rows, batch.digest,
                batch.auditSeq, batch.auditChain);
        writeHead(c, next, sealing);
        pendingHead = next;
    }

    @Override
    public void afterCommit() {
        for (Map.Entry<String, Optional<StateRow>> e : batch.changes.entrySet()) {
            if (e.getValue().isPresent()) {
                tables.put(e.getValue().get());
            } else {
                tables.get(e.getKey()).ifPresent(tables::remove);
            }
        }
        if (pendingHead != null) {
            head = pendingHead;
        }
        batch = null;
        pendingHead = null;
    }

    @Override
    public void afterRollback() {
        batch = null;
        unit = null;
        pendingHead = null;
    }

    static void writeHead(Connection c, StateHead h, SealingKey sealing) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("INSERT OR REPLACE INTO state_head (id, sealed) VALUES (1, ?)")) {
            p.setBytes(1, h.seal(sealing));
            p.executeUpdate();
        }
    }
}
