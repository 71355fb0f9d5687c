package org.sesemi.runtime.core.models;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;
import org.sesemi.crypto.DecryptedModel;
import org.sesemi.crypto.ModelCipher;
import org.sesemi.crypto.ModelEnvelopeHeader;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.runtime.core.engine.ModelSession;
import org.sesemi.runtime.core.engine.OnnxEngine;
import org.sesemi.runtime.store.ModelStore;
import org.sesemi.time.SystemTime;

/**
 * Fetches an encrypted model from the (untrusted) store, decrypts it into a direct buffer inside the core, creates
 * the engine session from memory and wipes the plaintext buffer. The header is read first so the memory charge is
 * reserved before anything large is allocated.
 *
 * <p>The ciphertext is decrypted as it is read, segment by segment: it is never held whole, so a model costs its
 * plaintext (off the Java heap) and one segment, not also a heap copy of its ciphertext (and the transient copies of
 * reading it whole) — the difference between fitting a 256 MB container or not (issue 13, {@code docs/benchmarks.md}).
 * The time spent waiting for the store's bytes is still reported apart, as the fetch ({@link TimedInput}).
 */
public final class EncryptedModelLoader implements ModelCache.Loader {
    private static final int HEADER_MAX = 84 + 255 + 16;
    private final ModelStore store;
    private final OnnxEngine engine;
    private final double chargeFactor;

    public EncryptedModelLoader(ModelStore store, OnnxEngine engine, double chargeFactor) {
        this.store = store;
        this.engine = engine;
        this.chargeFactor = chargeFactor;
    }

    @Override
    public ModelSession load(ModelId model, ModelKey key, LongConsumer reserve, LoadTimes times) throws IOException {
        long t0 = SystemTime.ticker().read();
        try (InputStream raw = store.open(model)) {
            raw.mark(HEADER_MAX);
            ModelEnvelopeHeader h = ModelEnvelopeHeader.read(raw);
            raw.reset();
            if (h.keyVersion() != key.version() && h.modelId().equals(model)) {
                // Re-uploaded under another key version since the keys were fetched: the caller fetches that version.
                throw new ModelVersionChangedException(model, h.keyVersion(), key.version());
            }
            // Authenticate the header before acting on its length: a host that forges the length must be reported as
            // tampering (model_integrity), not as a model too large for the budget.
            h.authenticate(key);
            reserve.accept((long) Math.ceil(h.plaintextLength() * chargeFactor));
            long t1 = SystemTime.ticker().read();
            TimedInput in = new TimedInput(raw);
            try (DecryptedModel dm = ModelCipher.decrypt(in, model, key, ModelCipher.BufferKind.DIRECT)) {
                long t2 = SystemTime.ticker().read();
                times.fetchMs = (t1 - t0 + in.readNanos) / 1e6;
                times.decryptMs = (t2 - t1 - in.readNanos) / 1e6;
                ModelSession s = engine.load(model.toString(), dm);
                times.sessionMs = (SystemTime.ticker().read() - t2) / 1e6;
                return s;
            }
        }
    }

    /** Counts the time spent inside the store's stream (the fetch), so that decryption is reported without it. */
    static final class TimedInput extends java.io.FilterInputStream {
        long readNanos;

        TimedInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            long t = SystemTime.ticker().read();
            try {
                return super.read();
            } finally {
                readNanos += SystemTime.ticker().read() - t;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long t = SystemTime.ticker().read();
            try {
                return super.read(b, off, len);
            } finally {
                readNanos += SystemTime.ticker().read() - t;
            }
        }
    }
}
