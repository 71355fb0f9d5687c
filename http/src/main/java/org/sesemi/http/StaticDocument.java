package org.sesemi.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** A document a server answers as it is (its OpenAPI description), read once from the jar that ships it. */
public final class StaticDocument {
    private StaticDocument() {}

    /**
     * The bytes of class-path resource {@code name} (absolute, e.g. {@code /org/sesemi/packer/openapi.json}) as
     * {@code owner}'s class loader finds it.
     *
     * @throws IllegalStateException when the jar does not contain it (a packaging error, reported at start)
     */
    public static byte[] load(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing from the jar of " + owner.getName());
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }
}
