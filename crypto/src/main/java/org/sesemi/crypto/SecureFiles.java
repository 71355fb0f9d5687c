package org.sesemi.crypto;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writes secret files owner-only (0600) from the first byte, atomically, never readable by others in between. */
public final class SecureFiles {
    private SecureFiles() {}

    /**
     * Writes {@code content} to {@code target} with mode 0600.
     *
     * @param overwrite when false, an existing file is an error (secrets are not silently replaced)
     */
    public static void writeOwnerOnly(Path target, byte[] content, boolean overwrite) {
        Path abs = target.toAbsolutePath();
        try {
            if (!overwrite && Files.exists(abs)) {
                throw new FileAlreadyExistsException(abs.toString());
            }
            Path dir = abs.getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + abs.getFileName(), ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try {
                Files.write(tmp, content);
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (FileAlreadyExistsException e) {
            throw new CryptoException(CryptoException.Reason.KEY_FILE, "refusing to overwrite existing file " + abs);
        } catch (IOException | UnsupportedOperationException e) {
            throw new CryptoException(CryptoException.Reason.KEY_FILE, "cannot write " + abs + ": " + e.getMessage(), e);
        }
    }

    static byte[] read(Path file, int maxBytes) {
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                throw new CryptoException(CryptoException.Reason.KEY_FILE, file + " is too large for a key file (" + size + " bytes)");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new CryptoException(CryptoException.Reason.KEY_FILE, "cannot read " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }
}
