package org.sesemi.keyservice.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Writes access-control rows to the database as the enclave holds them. Writes make the database row equal to the
 * enclave's ({@code INSERT OR REPLACE}, {@code DELETE}): a row the host planted or changed is overwritten, not
 * honoured, and the caller learns whether the database disagreed with the enclave before the write.
 */
final class StateRowSql {
    private StateRowSql() {}

    static void upsert(Connection c, StateRow row) throws SQLException {
        switch (row) {
            case StateRow.Principal p -> update(c, "INSERT OR REPLACE INTO principals (id, public_key, created_at) VALUES (?, ?, ?)",
                    p.id(), p.publicKey(), p.createdAt());
            case StateRow.ModelKeyRow m -> update(c,
                    "INSERT OR REPLACE INTO model_keys (model, version, sealed_key, created_at) VALUES (?, ?, ?, ?)",
                    m.model(), m.version(), m.sealedKey(), m.createdAt());
            case StateRow.GrantRow g -> update(c,
                    "INSERT OR REPLACE INTO grants (model, user_id, measurement, created_at, seal) VALUES (?, ?, ?, ?, ?)",
                    g.model(), g.user(), g.measurement(), g.createdAt(), g.seal());
            case StateRow.RequestKeyRow r -> update(c,
                    "INSERT OR REPLACE INTO request_keys (model, measurement, user_id, sealed_key, created_at) VALUES (?, ?, ?, ?, ?)",
                    r.model(), r.measurement(), r.user(), r.sealedKey(), r.createdAt());
        }
    }

    /** Deletes the row with {@code row}'s primary key; returns how many database rows went (0 or 1). */
    static int delete(Connection c, StateRow row) throws SQLException {
        return switch (row) {
            case StateRow.Principal p -> update(c, "DELETE FROM principals WHERE id = ?", p.id());
            case StateRow.ModelKeyRow m -> update(c, "DELETE FROM model_keys WHERE model = ? AND version = ?", m.model(), m.version());
            case StateRow.GrantRow g -> update(c, "DELETE FROM grants WHERE model = ? AND user_id = ? AND measurement = ?",
                    g.model(), g.user(), g.measurement());
            case StateRow.RequestKeyRow r -> update(c, "DELETE FROM request_keys WHERE model = ? AND measurement = ? AND user_id = ?",
                    r.model(), r.measurement(), r.user());
        };
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case String s -> p.setString(i + 1, s);
                    case byte[] b -> p.setBytes(i + 1, b);
                    case Integer n -> p.setInt(i + 1, n);
                    case Long n -> p.setLong(i + 1, n);
                    default -> throw new IllegalArgumentException("unsupported column type " + args[i].getClass());
                }
            }
            return p.executeUpdate();
        }
    }
}
