package org.sesemi.keyservice.store;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.client.keyservice.AuditEvent;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.StateMac;

/**
 * The audit log as a keyed hash chain: row {@code seq} stores {@code chain = HMAC(k, chain(seq-1) ‖ seq ‖ row)}
 * ({@link StateLedger#chain}), and the sealed state head holds the last {@code (seq, chain)}. Sequence numbers are
 * contiguous from 1, assigned by the enclave, never by SQLite.
 *
 * <p>Reads check what they return: every row's chain value against its predecessor's (an edited row, a forged row,
 * or a deleted predecessor fails), no row missing in the range of sequence numbers the read covered, and nothing
 * past the committed tail. Thread-safe.
 */
final class AuditLog {
    private static final String COLUMNS = "seq, at, event, actor, model, model_owner, user_id, measurement, outcome, reason, chain";

    private final StateLedger ledger;

    AuditLog(StateLedger ledger) {
        this.ledger = ledger;
    }

    /** One stored row; optional columns null. */
    record Row(long seq, long at, String event, String actor, String model, String modelOwner, String user,
            String measurement, String outcome, String reason, byte[] chain) {
        byte[] canonical() {
            return AuditLog.canonical(at, event, actor, model, modelOwner, user, measurement, outcome, reason);
        }

        static Row read(ResultSet rs) throws SQLException {
            return new Row(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                    rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getBytes(11));
        }
    }

    static String selectAll() {
        return "SELECT " + COLUMNS + " FROM audit ORDER BY seq";
    }

    /** Appends on the writer connection, inside a unit of work. */
    void append(Connection c, long now, KeyStore.AuditEntry e) throws SQLException {
        String model = e.model().map(ModelId::toString).orElse(null);
        String owner = e.model().map(m -> m.owner().hex()).orElse(null);
        String user = e.user().map(PrincipalId::hex).orElse(null);
        String meas = e.measurement().map(RuntimeRule::value).orElse(null);
        String outcome = e.allowed() ? "allowed" : "denied";
        String reason = e.reason().orElse(null);
        StateLedger.AuditLink link = ledger.appendAudit(canonical(now, e.event(), e.actor(), model, owner, user, meas, outcome, reason));
        // OR REPLACE: a row the host planted at the next sequence number is overwritten, not honoured.
        try (PreparedStatement p = c.prepareStatement("INSERT OR REPLACE INTO audit (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            p.setLong(1, link.seq());
            p.setLong(2, now);
            p.setString(3, e.event());
            p.setString(4, e.actor());
            p.setString(5, model);
            p.setString(6, owner);
            p.setString(7, user);
            p.setString(8, meas);
            p.setString(9, outcome);
            p.setString(10, reason);
            p.setBytes(11, link.chain());
            p.executeUpdate();
        }
    }

    /** Events on models owned by {@code viewer} or naming it as the user, oldest first, each checked. */
    List<AuditEvent> visibleTo(Connection c, PrincipalId viewer, Optional<ModelId> model, long afterSeq, int limit) throws SQLException {
        long tail = ledger.head().auditSeq();
        if (afterSeq >= tail) {
            return List.of();
        }
        String sql = "SELECT " + COLUMNS + " FROM audit WHERE seq > ? AND seq <= ? AND (model_owner = ? OR user_id = ?)"
                + (model.isPresent() ? " AND model = ?" : "") + " ORDER BY seq LIMIT ?";
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(sql)) {
            int i = 1;
            p.setLong(i++, afterSeq);
            p.setLong(i++, tail);
            p.setString(i++, viewer.hex());
            p.setString(i++, viewer.hex());
            if (model.isPresent()) {
                p.setString(i++, model.get().toString());
            }
            p.setInt(i, limit);
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    rows.add(Row.read(rs));
                }
            }
        }
        StateMac mac = ledger.auditMac();
        for (Row r : rows) {
            byte[] previous = r.seq() == 1 ? StateLedger.genesis() : chainAt(c, r.seq() - 1);
            if (!StateMac.same(StateLedger.chain(mac, previous, r.seq(), r.canonical()), r.chain())) {
                throw tampered("audit row " + r.seq() + " or its predecessor was changed outside the KeyService");
            }
        }
        long hi = rows.size() == limit ? rows.getLast().seq() : tail;
        try (PreparedStatement p = c.prepareStatement("SELECT count(*) FROM audit WHERE seq > ? AND seq <= ?")) {
            p.setLong(1, afterSeq);
            p.setLong(2, hi);
            try (ResultSet rs = p.executeQuery()) {
                long n = rs.next() ? rs.getLong(1) : 0;
                if (n != hi - afterSeq) {
                    throw tampered((hi - afterSeq - n) + " audit row(s) between seq " + (afterSeq + 1) + " and " + hi
                            + " were deleted outside the KeyService");
                }
            }
        }
        List<AuditEvent> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(new AuditEvent(r.seq(), Instant.ofEpochMilli(r.at()), r.event(), r.actor(),
                    Optional.ofNullable(r.model()).map(ModelId::parse), Optional.ofNullable(r.user()).map(PrincipalId::parse),
                    Optional.ofNullable(r.measurement()).map(RuntimeRule::parse), r.outcome(), Optional.ofNullable(r.reason())));
        }
        return List.copyOf(out);
    }

    private static byte[] chainAt(Connection c, long seq) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT chain FROM audit WHERE seq = ?")) {
            p.setLong(1, seq);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next() || rs.getBytes(1) == null) {
                    throw tampered("audit row " + seq + " was deleted or changed outside the KeyService");
                }
                return rs.getBytes(1);
            }
        }
    }

    private static StateIntegrityException tampered(String what) {
        return new StateIntegrityException(StateIntegrityException.Kind.TAMPERED, what);
    }

    /** Unambiguous encoding of an audit row's columns (seq aside: the chain binds it separately). */
    private static byte[] encode(long at, String... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(ByteBuffer.allocate(8).putLong(at).array());
        for (String f : fields) {
            if (f == null) {
                out.writeBytes(ByteBuffer.allocate(4).putInt(-1).array());
            } else {
                byte[] b = f.getBytes(StandardCharsets.UTF_8);
                out.writeBytes(ByteBuffer.allocate(4).putInt(b.length).array());
                out.writeBytes(b);
            }
        }
        return out.toByteArray();
    }

    static byte[] canonical(long at, String event, String actor, String model, String owner, String user, String meas,
            String outcome, String reason) {
        return encode(at, new String[] {event, actor, model, owner, user, meas, outcome, reason});
    }
}
