package org.sesemi.platform.store;

import java.util.Objects;

/**
 * An authenticated identity: its name, the one namespace it owns, and its API key {@code uuid:key} of which only the
 * SHA-256 of the key part is stored.
 */
public record Subject(String name, String namespace, String uuid, byte[] keySha256) {
    public Subject {
        Objects.requireNonNull(name);
        Objects.requireNonNull(namespace);
        Objects.requireNonNull(uuid);
        keySha256 = keySha256.clone();
        if (keySha256.length != 32) {
            throw new IllegalArgumentException("key hash must be SHA-256");
        }
    }

    @Override
    public byte[] keySha256() {
        return keySha256.clone();
    }

    @Override
    public String toString() {
        return "Subject[" + name + ", namespace " + namespace + ", uuid " + uuid + "]";
    }
}
