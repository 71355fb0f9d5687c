package org.sesemi.keyservice.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * Versioned schema: migration {@code i} (1-based) moves {@code PRAGMA user_version} from {@code i-1} to {@code i}.
 * Append new migrations; never edit a released one. A database with a newer version than this build knows is
 * refused rather than misread.
 */
final class Migrations {
    private Migrations() {}

    static final List<List<String>> STEPS = List.of(
            // 1: initial schema. Secret columns (sealed_key) and access-control rows (grants.seal) are AES-GCM
            // sealed with AAD = table + primary key, so the host can neither read keys nor forge/move grants.
            List.of(
                    """
                    CREATE TABLE principals (
                      id TEXT PRIMARY KEY,
                      public_key BLOB NOT NULL,
                      created_at INTEGER NOT NULL
                    ) STRICT""",
                    """
                    CREATE TABLE model_keys (
                      model TEXT NOT NULL,
                      version INTEGER NOT NULL,
                      sealed_key BLOB NOT NULL,
                      created_at INTEGER NOT NULL,
                      PRIMARY KEY (model, version)
                    ) STRICT""",
                    """
                    CREATE TABLE grants (
                      model TEXT NOT NULL,
                      user_id TEXT NOT NULL,
                      measurement TEXT NOT NULL,
                      created_at INTEGER NOT NULL,
                      seal BLOB NOT NULL,
                      PRIMARY KEY (model, user_id, measurement)
                    ) STRICT""",
                    """
                    CREATE TABLE request_keys (
                      model TEXT NOT NULL,
                      measurement TEXT NOT NULL,
                      user_id TEXT NOT NULL,
                      sealed_key BLOB NOT NULL,
                      created_at INTEGER NOT NULL,
                      PRIMARY KEY (model, measurement, user_id)
                    ) STRICT""",
                    """
                    CREATE TABLE audit (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT,
                      at INTEGER NOT NULL,
                      event TEXT NOT NULL,
                      actor TEXT NOT NULL,
                      model TEXT,
                      model_owner TEXT,
                      user_id TEXT,
                      measurement TEXT,
                      outcome TEXT NOT NULL,
                      reason TEXT
                    ) STRICT""",
                    "CREATE INDEX audit_owner ON audit (model_owner, seq)",
                    "CREATE INDEX audit_user ON audit (user_id, seq)"),
            // 2: rollback evidence. One sealed state head (version, keyed digest of every access-control row, audit
            // chain tail), rewritten in the transaction of every change; each audit row carries its hash-chain value.
            List.of(
                    "CREATE TABLE state_head (id INTEGER PRIMARY KEY CHECK (id = 1), sealed BLOB NOT NULL) STRICT",
                    "ALTER TABLE audit ADD COLUMN chain BLOB"));

    static int latest() {
        return STEPS.size();
    }

    /** Brings the schema to {@link #latest()}; each step is its own transaction. */
    static void migrate(Connection c) throws SQLException {
        int current = version(c);
        if (current > latest()) {
            throw new StoreException("database schema version " + current + " is newer than this KeyService ("
                    + latest() + "); refusing to open it");
        }
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            for (int v = current + 1; v <= latest(); v++) {
                for (String sql : STEPS.get(v - 1)) {
                    s.executeUpdate(sql);
                }
                s.executeUpdate("PRAGMA user_version = " + v);
                c.commit();
            }
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    static int version(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }
}
