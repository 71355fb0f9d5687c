package org.sesemi.runtime.store;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.sesemi.crypto.ModelId;

/** Encrypted models as files {@code <root>/<owner id>/<name>.smodel}. Ids are validated, so no path escapes root. */
public final class DirectoryModelStore implements ModelStore {
    private final Path root;

    public DirectoryModelStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Path pathOf(ModelId model) {
        Path p = root.resolve(ModelStore.objectName(model)).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("model id escapes the store root");
        }
        return p;
    }

    @Override
    public InputStream open(ModelId model) throws IOException {
        try {
            return new BufferedInputStream(Files.newInputStream(pathOf(model)), 1 << 16);
        } catch (NoSuchFileException e) {
            throw new ModelNotFoundException(model, describe());
        }
    }

    @Override
    public void put(ModelId model, Path encryptedFile) throws IOException {
        Path target = pathOf(model);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".partial");
        Files.copy(encryptedFile, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public java.util.Optional<org.sesemi.client.inference.PayloadStore> payloads() {
        return java.util.Optional.of(new org.sesemi.client.inference.DirectoryPayloadStore(root));
    }

    @Override
    public String describe() {
        return "dir:" + root;
    }
}
