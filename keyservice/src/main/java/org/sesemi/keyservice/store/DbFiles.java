package org.sesemi.keyservice.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/**
 * The database's files are the owner's only (0600): the database, its {@code -wal} and {@code -shm} (SQLite gives
 * them the database file's mode), its lock file, backups and restore copies. They hold sealed blobs only, but who
 * may read (and copy for later replay) them should still be as narrow as the host lets it be. Connections to it
 * are opened here, with the durability settings every writer relies on.
 */
final class DbFiles {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private DbFiles() {}

    /** Creates {@code file} empty with mode 0600 unless it exists (an empty file is an empty SQLite database). */
    static void createOwnerOnly(Path file) {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            // existing database: restrict() tightens it
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to tighten
        } catch (IOException e) {
            throw new StoreException("cannot create " + file + ": " + e.getMessage(), e);
        }
    }

    /** Sets mode 0600 on {@code db} and its companions that exist (databases created 0644 by older versions too). */
    static void restrict(Path db) {
        for (String suffix : new String[] {"", "-wal", "-shm", ".lock"}) {
            ownerOnly(db.resolveSibling(db.getFileName() + suffix));
        }
    }

    static void ownerOnly(Path f) {
        try {
            if (Files.exists(f)) {
                Files.setPosixFilePermissions(f, OWNER_ONLY);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        } catch (IOException e) {
            throw new StoreException("cannot restrict " + f + " to its owner: " + e.getMessage(), e);
        }
    }

    /**
     * A connection in WAL mode with {@code synchronous=FULL}: the WAL is fsynced at every commit, so an acknowledged
     * write survives kill -9 and power loss.
     */
    static Connection connect(Path db, boolean readOnly) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
        cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        cfg.setBusyTimeout(10_000);
        cfg.enforceForeignKeys(true);
        if (readOnly) {
            cfg.setReadOnly(true);
        }
        return DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath(), cfg.toProperties());
    }
}
