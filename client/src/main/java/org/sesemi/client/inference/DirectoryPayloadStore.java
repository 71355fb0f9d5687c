package org.sesemi.client.inference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Payload objects as files {@code <root>/payloads/<64 hex>} in the same directory the model store uses
 * ({@code SESEMI_MODEL_STORE} of the runtime). Written to a temporary sibling and moved into place atomically, so a
 * reader never sees a partial object.
 */
public final class DirectoryPayloadStore implements PayloadStore {
    private final Path root;

    public DirectoryPayloadStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    private Path path(String name) {
        return root.resolve(PayloadStore.checkName(name));
    }

    @Override
    public void put(String name, byte[] object) throws IOException {
        Path target = path(name);
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".partial");
        Files.write(tmp, object);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public byte[] get(String name, long maxBytes) throws IOException {
        try (InputStream in = Files.newInputStream(path(name))) {
            return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        }
    }

    @Override
    public void delete(String name) throws IOException {
        Files.deleteIfExists(path(name));
    }

    @Override
    public String describe() {
        return "dir:" + root;
    }
}
