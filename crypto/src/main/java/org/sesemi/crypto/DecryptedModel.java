package org.sesemi.crypto;

import java.nio.ByteBuffer;

/**
 * A decrypted model in memory (never on disk). {@link #close()} overwrites the plaintext with zeros; a closed model
 * must not be used. Not thread-safe: hand the buffer to one consumer (e.g. the inference engine) and close it after.
 */
public final class DecryptedModel implements AutoCloseable {
    private final ModelEnvelopeHeader header;
    private final ByteBuffer plaintext;
    private boolean closed;

    DecryptedModel(ModelEnvelopeHeader header, ByteBuffer plaintext) {
        this.header = header;
        this.plaintext = plaintext;
    }

    public ModelId modelId() {
        return header.modelId();
    }

    public int keyVersion() {
        return header.keyVersion();
    }

    public long size() {
        return header.plaintextLength();
    }

    /** A read-only view of the plaintext (position 0, limit = size). Direct when decrypted into a direct buffer. */
    public ByteBuffer buffer() {
        ensureOpen();
        return plaintext.duplicate().clear().asReadOnlyBuffer();
    }

    /** The plaintext as a writable buffer for engines whose API needs one (ONNX Runtime's direct-buffer load). */
    public ByteBuffer writableBuffer() {
        ensureOpen();
        return plaintext.duplicate().clear();
    }

    /** A heap copy of the plaintext, for APIs that only take arrays. The caller should wipe it after use. */
    public byte[] toByteArray() {
        ensureOpen();
        byte[] out = new byte[plaintext.capacity()];
        plaintext.duplicate().clear().get(out);
        return out;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("decrypted model already closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            ModelCipher.wipe(plaintext);
            closed = true;
        }
    }

    @Override
    public String toString() {
        return "DecryptedModel[model=" + header.modelId() + ", size=" + size() + (closed ? ", closed" : "") + "]";
    }
}
