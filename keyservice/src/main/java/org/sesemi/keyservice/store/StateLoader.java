package org.sesemi.keyservice.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sesemi.crypto.SealingKey;
import org.sesemi.crypto.StateMac;

/**
 * Reads a whole database into enclave memory and checks it against its sealed state head: every sealed row must
 * open, every principal's key must match its id, the audit chain must be unbroken and contiguous, and the rows'
 * count and keyed digest and the audit tail must be exactly what the head says. Anything else is a row-level change
 * made outside the KeyService (replay, deletion, insertion or edit).
 */
final class StateLoader {
    private static final int MAX_FINDINGS = 20;

    private StateLoader() {}

    /**
     * What a database holds.
     *
     * @param foreignRows the findings about rows that are not this KeyService's own (seals that do not open,
     *     principals whose key does not match their id); no operator can accept those
     *
     * @param computed the head its rows imply (version copied from the stored head, 0 without one)
     * @param stored the sealed head, if the database has one
     * @param findings every problem found; empty when the database is exactly what its head vouches for
     */
    record Loaded(StateTables tables, StateHead computed, Optional<StateHead> stored, List<String> findings,
            List<String> foreignRows, long principals, long modelKeys, long grants, long requestKeys) {
        boolean consistent() {
            return findings.isEmpty();
        }

        boolean isEmpty() {
            return computed.rows() == 0 && computed.auditSeq() == 0;
        }
    }

    static Loaded load(Connection c, SealingKey sealing) throws SQLException {
        RowSealing seals = new RowSealing(sealing);
        StateMac rowMac = StateLedger.rowMac(sealing);
        StateTables tables = new StateTables();
        List<String> findings = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        long[] counts = new long[4];
        byte[] digest = StateLedger.genesis();
        long rows = 0;
        try (Statement s = c.createStatement()) {
            List<StateRow> all = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT id, public_key, created_at FROM principals")) {
                while (rs.next()) {
                    all.add(new StateRow.Principal(rs.getString(1), rs.getBytes(2), rs.getLong(3)));
                    counts[0]++;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT model, version, sealed_key, created_at FROM model_keys")) {
                while (rs.next()) {
                    all.add(new StateRow.ModelKeyRow(rs.getString(1), rs.getInt(2), rs.getBytes(3), rs.getLong(4)));
                    counts[1]++;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT model, user_id, measurement, created_at, seal FROM grants")) {
                while (rs.next()) {
                    all.add(new StateRow.GrantRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getBytes(5)));
                    counts[2]++;
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT model, measurement, user_id, sealed_key, created_at FROM request_keys")) {
                while (rs.next()) {
                    all.add(new StateRow.RequestKeyRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBytes(4), rs.getLong(5)));
                    counts[3]++;
                }
            }
            for (StateRow r : all) {
                try {
                    seals.check(r);
                } catch (StoreException | org.sesemi.crypto.CryptoException e) {
                    note(findings, e.getMessage());
                    note(foreign, e.getMessage());
                }
                digest = StateHead.xor(digest, rowMac.tag(r.canonical()));
                rows++;
                tables.put(r);
            }
            long seq = 0;
            byte[] chain = StateLedger.genesis();
            StateMac auditMac = StateLedger.auditMac(sealing);
            try (ResultSet rs = s.executeQuery(AuditLog.selectAll())) {
                while (rs.next()) {
                    AuditLog.Row r = AuditLog.Row.read(rs);
                    if (r.seq() != seq + 1) {
                        note(findings, r.seq() > seq + 1 ? "audit rows " + (seq + 1) + ".." + (r.seq() - 1) + " are missing (deleted)"
                                : "audit row " + r.seq() + " is out of order");
                    }
                    if (!StateMac.same(StateLedger.chain(auditMac, chain, r.seq(), r.canonical()), r.chain())) {
                        note(findings, "audit row " + r.seq() + " does not continue the audit chain (edited, inserted, or a row before it deleted)");
                    }
                    seq = r.seq();
                    chain = r.chain() == null ? StateLedger.genesis() : r.chain();
                }
            }
            Optional<StateHead> stored = Optional.empty();
            try (ResultSet rs = s.executeQuery("SELECT sealed FROM state_head WHERE id = 1")) {
                if (rs.next()) {
                    try {
                        stored = Optional.of(StateHead.unseal(sealing, rs.getBytes(1)));
                    } catch (StateIntegrityException e) {
                        note(findings, e.getMessage());
                    }
                }
            }
            StateHead computed = new StateHead(stored.map(StateHead::version).orElse(0L), rows, digest, seq, chain);
            stored.ifPresent(h -> compare(h, computed, findings));
            return new Loaded(tables, computed, stored, List.copyOf(findings), List.copyOf(foreign), counts[0], counts[1], counts[2], counts[3]);
        }
    }

    /**
     * The head to serve {@code l} with (a fresh database gets an empty head, written through {@code w}), or why the
     * database may not be served: rows without a sealed head, rows the head does not vouch for, or a state version
     * below {@code expectVersion}.
     *
     * @throws StateIntegrityException when the database must not be served
     */
    static StateHead admit(Connection w, Loaded l, SealingKey sealing, long expectVersion) throws SQLException {
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

    private static void compare(StateHead head, StateHead found, List<String> findings) {
        if (head.rows() != found.rows()) {
            note(findings, "the sealed state head vouches for " + head.rows() + " access-control rows, the database holds "
                    + found.rows() + " (rows deleted or inserted)");
        } else if (!StateMac.same(head.rowDigest(), found.rowDigest())) {
            note(findings, "the access-control rows differ from those the sealed state head vouches for (a row replayed, "
                    + "replaced by an older copy, or edited)");
        }
        if (head.auditSeq() != found.auditSeq()) {
            note(findings, "the audit log ends at seq " + found.auditSeq() + ", the sealed state head says " + head.auditSeq()
                    + " (newest audit rows deleted, or rows inserted)");
        } else if (!StateMac.same(head.auditChain(), found.auditChain())) {
            note(findings, "the audit chain's end differs from the sealed state head");
        }
    }

    private static void note(List<String> findings, String f) {
        if (findings.size() < MAX_FINDINGS) {
            findings.add(f);
        } else if (findings.size() == MAX_FINDINGS) {
            findings.add("... (more problems not listed)");
        }
    }
}
