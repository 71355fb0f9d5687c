package org.sesemi.keyservice.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive lock on a database ({@code <db>.lock}, mode 0600): held by a running store and by an operator's
 * restore or reseal, so two servers (or a server and a restore) never share one database. Released by
 * {@link #close()} or when the process dies.
 */
final class StoreLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private StoreLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code db} (creating its directory and lock file if needed).
     *
     * @param whenHeld the error's message when another process, or another store in this JVM, holds it
     * @throws StoreException when the lock is held or cannot be taken
     */
    static StoreLock acquire(Path db, String whenHeld) {
        Path file = file(db);
        FileChannel ch = null;
        try {
            Files.createDirectories(db.toAbsolutePath().getParent());
            DbFiles.createOwnerOnly(file);
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                throw new StoreException(whenHeld + " (lock " + file + ")");
            }
            return new StoreLock(ch, l);
        } catch (IOException e) {
            closeQuietly(ch);
            throw new StoreException("cannot lock " + db + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        }
    }

    static Path file(Path db) {
        return db.resolveSibling(db.getFileName() + ".lock");
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the lock dies with the channel anyway
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already failing or closing
            }
        }
    }
}
