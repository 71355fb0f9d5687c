package org.sesemi.runtime.core.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.sesemi.crypto.DecryptedModel;

/**
 * Creates ONNX Runtime sessions from decrypted model bytes held in memory; nothing is written to disk (no optimized
 * model file, no profiling). One engine per runtime; thread-safe.
 */
public final class OnnxEngine {
    private final EngineConfig config;
    private final OrtEnvironment env;

    public OnnxEngine(EngineConfig config) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            // Tensors travel little-endian and are handed to ONNX Runtime without swapping.
            throw new IllegalStateException("the runtime supports little-endian platforms only");
        }
        this.config = config;
        this.env = OrtEnvironment.getEnvironment();
    }

    public EngineConfig config() {
        return config;
    }

    /**
     * Builds a session from a decrypted model. The caller keeps ownership of {@code model} and should close (wipe) it
     * afterwards: ONNX Runtime copies what it needs.
     *
     * @param name the model's name for responses and metadata
     * @throws EngineException if ONNX Runtime cannot load the bytes (not an ONNX model, unsupported operators)
     */
    public ModelSession load(String name, DecryptedModel model) {
        return load(name, model.writableBuffer(), model.size());
    }

    /** As {@link #load(String, DecryptedModel)} for plaintext model bytes that did not come from an envelope (bench). */
    public ModelSession load(String name, ByteBuffer modelBytes, long size) {
        OrtSession.SessionOptions opts = new OrtSession.SessionOptions();
        try {
            opts.setIntraOpNumThreads(config.intraOpThreads());
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            opts.addConfigEntry("session.intra_op.allow_spinning", config.allowSpinning() ? "1" : "0");
            ByteBuffer direct = modelBytes;
            if (!modelBytes.isDirect()) {
                direct = ByteBuffer.allocateDirect(modelBytes.remaining());
                direct.put(modelBytes.duplicate()).flip();
            }
            OrtSession session;
            try {
                session = env.createSession(direct, opts);
            } finally {
                if (direct != modelBytes) {
                    wipe(direct);
                }
            }
            return new ModelSession(name, env, session, opts, size);
        } catch (OrtException e) {
            opts.close();
            // ORT's message names operators/format problems, never weights.
            throw new EngineException("ONNX Runtime cannot load model " + name + ": " + firstLine(e.getMessage()));
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        String l = nl < 0 ? s : s.substring(0, nl);
        return l.length() > 300 ? l.substring(0, 300) + "..." : l;
    }

    private static void wipe(ByteBuffer b) {
        ByteBuffer d = b.duplicate().clear();
        while (d.hasRemaining()) {
            d.put((byte) 0);
        }
    }
}
