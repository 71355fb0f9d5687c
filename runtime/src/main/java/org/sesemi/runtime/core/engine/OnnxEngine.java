package org.sesemi.runtime.core.engine;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.sesemi.crypto.DecryptedModel;

/**
 * Creates ONNX Runtime sessions from decrypted model bytes held in memory; nothing is written to disk (no optimized
 * model file, no profiling). One engine per runtime; thread-safe.
 *
 * <p>ONNX Runtime's native logger writes to the process's stderr, which the platform stores as activation logs; its
 * messages quote input values ("idx=31337123 must be within ..."), node names and shapes of the model. The environment
 * and every session therefore log at {@link OrtLoggingLevel#ORT_LOGGING_LEVEL_FATAL} only (a fatal message precedes
 * an abort, which is out of scope like any crash dump), and failures reach callers as {@link EngineException}s with
 * fixed codes.
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
        // The first call creates the process-wide environment and fixes its logging level; in the runtime process the
        // engine is the first and only user. (Sessions set their own level below in any case.)
        this.env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "sesemi");
    }

    private static final java.util.concurrent.atomic.AtomicBoolean PRELOADING = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Starts creating ONNX Runtime's process-wide environment (loading its native library: hundreds of milliseconds
     * under load) on a daemon thread and returns at once, so that it overlaps the process's start and {@code /init}
     * instead of adding to them; it depends on no setting. An engine created meanwhile waits for it (ONNX Runtime
     * creates the environment once, under a lock). A failure here is ignored: the engine's constructor then fails
     * with it. At most once per process.
     */
    public static void preload() {
        if (PRELOADING.compareAndSet(false, true)) {
            Thread t = new Thread(() -> {
                try {
                    OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "sesemi");
                } catch (RuntimeException | LinkageError e) {
                    // reported by the engine's constructor, which tries again
                }
            }, "sesemi-ort-loader");
            t.setDaemon(true);
            t.start();
        }
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
            opts.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
            opts.setIntraOpNumThreads(config.intraOpThreads());
            // Without the arena, tensors of a large request are returned to the allocator when the run ends, so
            // resident memory falls back after it (with the arena, ONNX Runtime keeps the peak for the session's life).
            opts.setCPUArenaAllocator(config.cpuArena());
            opts.setMemoryPatternOptimization(config.memoryPattern());
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
            // ORT's message names the model's nodes and operators: the detail stays out of host-visible output.
            throw EngineException.loading(e);
        }
    }

    private static void wipe(ByteBuffer b) {
        ByteBuffer d = b.duplicate().clear();
        while (d.hasRemaining()) {
            d.put((byte) 0);
        }
    }
}
