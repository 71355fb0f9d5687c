package org.sesemi.runtime.core.models;

import java.io.ByteArrayInputStream;
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
            InputStream in = raw;
            if (h.ciphertextLength() < Integer.MAX_VALUE - 64) {
                // Fetch fully first so fetch and decrypt times are reported apart; the charge covers this copy.
                in = new ByteArrayInputStream(raw.readNBytes((int) h.ciphertextLength() + 1));
            }
            long t1 = SystemTime.ticker().read();
            times.fetchMs = (t1 - t0) / 1e6;
            try (DecryptedModel dm = ModelCipher.decrypt(in, model, key, ModelCipher.BufferKind.DIRECT)) {
                long t2 = SystemTime.ticker().read();
                times.decryptMs = (t2 - t1) / 1e6;
                ModelSession s = engine.load(model.toString(), dm);
                times.sessionMs = (SystemTime.ticker().read() - t2) / 1e6;
                return s;
            }
        }
    }
}
