package org.sesemi.platform.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/** The platform database's connection settings and schema (created, or kept, when the platform opens it). */
final class StoreSchema {
    private StoreSchema() {}

    /** Opens the database at {@code db}, creating the file and its schema if needed. */
    static Connection connect(Path db) {
        try {
            Path parent = db.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            SQLiteConfig cfg = new SQLiteConfig();
            cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
            cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            cfg.setBusyTimeout(10_000);
            cfg.enforceForeignKeys(true);
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath(), cfg.toProperties());
            try {
                migrate(c);
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            return c;
        } catch (SQLException | IOException e) {
            throw new StoreException("cannot open platform database " + db + ": " + e.getMessage(), e);
        }
    }

    private static void migrate(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
            s.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('revision', 0)");
            s.execute("CREATE TABLE IF NOT EXISTS subjects (uuid TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
                    + " namespace TEXT NOT NULL UNIQUE, key_sha256 BLOB NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS actions (namespace TEXT NOT NULL, name TEXT NOT NULL, revision INTEGER NOT NULL,"
                    + " updated INTEGER NOT NULL, doc TEXT NOT NULL, PRIMARY KEY (namespace, name))");
            s.execute("CREATE INDEX IF NOT EXISTS actions_by_updated ON actions (namespace, updated DESC)");
            s.execute("CREATE TABLE IF NOT EXISTS activations (seq INTEGER PRIMARY KEY AUTOINCREMENT, namespace TEXT NOT NULL,"
                    + " activation_id TEXT NOT NULL UNIQUE, action_path TEXT NOT NULL, start INTEGER NOT NULL,"
                    + " duration_ms INTEGER NOT NULL, memory_mb INTEGER NOT NULL, cold INTEGER NOT NULL,"
                    + " status_code INTEGER NOT NULL, record TEXT NOT NULL)");
            s.execute("CREATE INDEX IF NOT EXISTS activations_by_start ON activations (namespace, start DESC)");
            s.execute("CREATE INDEX IF NOT EXISTS activations_by_action ON activations (namespace, action_path, start DESC)");
        }
    }
}
