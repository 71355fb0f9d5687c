package org.sesemi.runtime.core;

import org.sesemi.protocol.envelope.Timing;

import org.sesemi.protocol.envelope.FastEnvelopeJson;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Optional;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.InferenceResponse;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.protocol.oip.OipException;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.RequestCipher;
import org.sesemi.crypto.RequestEnvelope;
import org.sesemi.runtime.core.engine.Admission;
import org.sesemi.runtime.core.engine.EngineException;
import org.sesemi.runtime.core.engine.InputLimits;
import org.sesemi.runtime.core.engine.ModelSession;
import org.sesemi.runtime.core.engine.OnnxEngine;
import org.sesemi.runtime.core.engine.PlaintextBuffers;
import org.sesemi.runtime.core.keys.KeyCache;
import org.sesemi.runtime.core.keys.KeyLookup;
import org.sesemi.runtime.core.keys.KeySource;
import org.sesemi.runtime.core.keys.ReleasedKeys;
import org.sesemi.runtime.core.models.EncryptedModelLoader;
import org.sesemi.runtime.core.models.LoadTimes;
import org.sesemi.runtime.core.models.ModelCache;
import org.sesemi.runtime.core.models.ModelSessions;
import org.sesemi.runtime.core.models.ModelVersionChangedException;
import org.sesemi.runtime.core.models.ModelVersions;
import org.sesemi.runtime.store.ModelNotFoundException;
import org.sesemi.runtime.store.ModelStore;
import org.sesemi.time.SystemTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trusted core's only entry point: encrypted request envelope in, encrypted response envelope (or a non-secret
 * rejection) out. Keys come from the {@link KeySource} through the key cache; models from the {@link ModelStore}
 * through the model cache; inference runs in ONNX Runtime under bounded concurrency.
 *
 * <p>Errors after the payload was decrypted (bad OIP body, wrong tensor names/types/shapes, engine failures) go back
 * encrypted as an OIP error body, so only the user learns details about their own request. Errors before that (bad
 * envelope, denied keys, a payload that does not decrypt, model store or integrity problems, busy) are
 * {@link Outcome.Rejected} with a stable code and a message that never contains secrets. The runtime keeps serving
 * other requests after any of them. Thread-safe.
 */
public final class EnclaveRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EnclaveRuntime.class);

    private final CoreConfig config;
    private final KeyLookup keyCache;
    private final ModelSessions models;
    /** The key version each model's file is encrypted under (read from its header): the version keys are asked for. */
    private final ModelVersions versions;
    private final Admission admission;
    private final OnnxEngine engine;
    /** AES-GCM for request and response payloads: the native provider once loaded (about 3× the JDK's speed). */
    private final org.sesemi.crypto.CryptoProvider crypto = org.sesemi.crypto.CryptoProvider.preferNative();
    /** Decrypted request payloads. */
    private final PlaintextBuffers payloads = new PlaintextBuffers(false);

    private final java.util.List<AutoCloseable> owned;
    /** The model store's payload area: sealed payloads that travel by reference (read, and written for large answers). */
    private final Optional<org.sesemi.client.inference.PayloadStore> payloadStore;

    private EnclaveRuntime(CoreConfig config, KeySource keySource, ModelStore store, Clock clock,
            java.util.List<? extends AutoCloseable> owned, CachePolicy caching) {
        this.owned = java.util.List.<AutoCloseable>copyOf(owned);
        this.payloadStore = store.payloads();
        this.config = config;
        this.keyCache = caching.keys(keySource, config, clock);
        this.engine = new OnnxEngine(config.engine());
        this.models = caching.sessions(new EncryptedModelLoader(store, engine, config.chargeFactor()), config);
        this.versions = new ModelVersions();
        this.admission = new Admission(config.maxConcurrent(), config.maxQueue(), config.maxWait());
    }

    /** A core that takes keys from {@code keySource} and encrypted models from {@code store}. */
    public static EnclaveRuntime create(CoreConfig config, KeySource keySource, ModelStore store) {
        return new EnclaveRuntime(config, keySource, store, SystemTime.clock(), java.util.List.of(), CachePolicy.caching());
    }

    /** As {@link #create(CoreConfig, KeySource, ModelStore)} with an injected clock (key expiry in tests). */
    public static EnclaveRuntime create(CoreConfig config, KeySource keySource, ModelStore store, Clock clock) {
        return new EnclaveRuntime(config, keySource, store, clock, java.util.List.of(), CachePolicy.caching());
    }

    /** As above; {@code owned} (e.g. the KeyService connection, the store) are closed with the core. */
    public static EnclaveRuntime create(CoreConfig config, KeySource keySource, ModelStore store, Clock clock,
            java.util.List<? extends AutoCloseable> owned) {
        return new EnclaveRuntime(config, keySource, store, clock, owned, CachePolicy.caching());
    }

    /** As above, keys and sessions kept as {@code caching} says ({@link CachePolicy#none()}: the naive baseline). */
    public static EnclaveRuntime create(CoreConfig config, KeySource keySource, ModelStore store, Clock clock,
            java.util.List<? extends AutoCloseable> owned, CachePolicy caching) {
        return new EnclaveRuntime(config, keySource, store, clock, owned, caching);
    }

    /** A core configured from settings (environment / OpenWhisk init parameters); see {@link RuntimeSettings}. */
    public static EnclaveRuntime fromSettings(java.util.Map<String, String> settings) {
        return RuntimeSettings.create(settings);
    }

    /**
     * Starts the work a core needs that depends on no setting (ONNX Runtime's environment and native library) in the
     * background, so that it overlaps the process's start and {@code /init}; see {@link OnnxEngine#preload()}.
     */
    public static void preloadEngine() {
        OnnxEngine.preload();
    }

    public CoreConfig config() {
        return config;
    }

    /**
     * What the collateral source for the KeyService's quotes did (fetches, failures, cache, earliest {@code nextUpdate}),
     * when this core owns one (cores built from settings do); empty otherwise.
     */
    public Optional<org.sesemi.attestation.collateral.CollateralStats> collateralStats() {
        for (AutoCloseable c : owned) {
            if (c instanceof org.sesemi.attestation.collateral.ManagedCollateralSource m) {
                return Optional.of(m.stats());
            }
        }
        return Optional.empty();
    }

    /** Non-secret statistics for health and metrics endpoints. */
    public record Stats(int modelsLoaded, long modelBytesUsed, long modelBudgetBytes, long modelLoads, long evictions,
            long keyFetches, int keysCached, int waiting) {}

    public Stats stats() {
        ModelCache.Stats m = models.stats();
        return new Stats(m.models(), m.usedBytes(), m.budgetBytes(), m.loads(), m.evictions(), keyCache.fetches(), keyCache.size(),
                admission.waiting());
    }

    /**
     * Serves one request envelope as posted by the user: its JSON form, or the binary form
     * ({@link org.sesemi.protocol.envelope.BinaryEnvelope}, recognised by its magic). The answer uses the same form.
     *
     * @return never null; never throws for bad input
     */
    public Outcome handle(byte[] envelopeJson) {
        long t0 = SystemTime.ticker().read();
        Request env;
        boolean binary = org.sesemi.protocol.envelope.BinaryEnvelope.isBinary(envelopeJson);
        try {
            env = binary ? Request.of(envelopeJson, org.sesemi.protocol.envelope.BinaryEnvelope.locate(envelopeJson, config.maxEnvelopeBytes()))
                    : Request.of(FastEnvelopeJson.parseAny(envelopeJson, config.maxEnvelopeBytes()));
        } catch (CryptoException e) {
            ErrorCode c = e.reason() == CryptoException.Reason.TOO_LARGE ? ErrorCode.TOO_LARGE : ErrorCode.MALFORMED;
            return reject(c, c.wire(), e.getMessage(), null, t0, null);
        }
        Phases ph = new Phases();
        try (Admission.Permit permit = admission.enter()) {
            if (env.byRef() != null) {
                env = PayloadReferences.read(env, payloadStore, config.maxEnvelopeBytes());
            }
            return serveFileVersion(env, binary, ph, t0);
        } catch (RefusedException e) {
            // Busy, denied, unavailable (key_fetch_limited is not BUSY: OpenWhisk treats a 503 from /run as an unhealthy
            // container and destroys it), model_too_large, a payload reference refused: code and reason as thrown.
            String message = e.code() == ErrorCode.DENIED ? "key release denied: " + e.getMessage() : e.getMessage();
            return reject(e.code(), e.reason(), message, env, t0, ph);
        } catch (ModelVersionChangedException e) {
            // The file kept changing under us (re-uploaded more than twice during one request).
            return reject(ErrorCode.MODEL_INTEGRITY, "wrong_key", "encrypted model rejected: " + e.getMessage(), env, t0, ph);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof ModelNotFoundException nf) {
                return reject(ErrorCode.MODEL_NOT_FOUND, "model_not_found", nf.getMessage(), env, t0, ph);
            }
            return reject(ErrorCode.UNAVAILABLE, "model_store_unavailable", "model store: " + e.getCause().getMessage(), env, t0, ph);
        } catch (CryptoException e) {
            return reject(ErrorCode.MODEL_INTEGRITY, e.reason().name().toLowerCase(), "encrypted model rejected: " + e.getMessage(), env, t0, ph);
        } catch (EngineException e) {
            // Only the fixed code and sentence: ONNX Runtime's detail names the model's nodes (EngineException).
            return reject(ErrorCode.MODEL_INTEGRITY, "model_unloadable", e.getMessage(), env, t0, ph);
        } catch (RuntimeException e) {
            // Exception messages of unknown origin could in principle carry data; log the type only.
            StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
            log.error("request {} for {}: internal error {} at {}", env.requestId(), env.model(), e.getClass().getName(), at);
            return reject(ErrorCode.INTERNAL, "internal", "internal error (" + e.getClass().getSimpleName() + ")", env, t0, ph);
        }
    }

    /**
     * A parsed request envelope whose encrypted payload is {@code len} bytes at {@code off} in {@code buf}: for the
     * binary form that is the received array itself, so a multi-megabyte payload is decrypted without a copy first.
     * {@code answerByRef}: the client can read a large answer from the store (a referenced request, or the JSON
     * envelope's {@code answerByRef} hint).
     */
    record Request(org.sesemi.crypto.ModelId model, org.sesemi.crypto.PrincipalId user, String requestId, byte[] buf,
            int off, int len, org.sesemi.crypto.ReferenceEnvelope byRef, boolean answerByRef) {
        static Request of(org.sesemi.crypto.Envelope any) {
            return switch (any) {
                case RequestEnvelope e -> new Request(e.model(), e.user(), e.requestId(), e.payload(), 0, e.payload().length, null, e.answerByRef());
                // The object is read from the store once admitted (PayloadReferences.read), into buf.
                case org.sesemi.crypto.ReferenceEnvelope r -> new Request(r.model(), r.user(), r.requestId(), null, 0, 0, r, true);
            };
        }

        static Request of(byte[] received, org.sesemi.protocol.envelope.BinaryEnvelope.Located l) {
            return new Request(l.model(), l.user(), l.requestId(), received, l.payloadOffset(), l.payloadLength(), null, false);
        }
    }

    /** Per-request phase times. */
    private static final class Phases {
        boolean cold;
        /** The HTTP status OIP gives the answer (see {@link Outcome.Sealed#oipStatus()}). */
        int oipStatus = 200;
        double keyMs, infMs;
        final LoadTimes load = new LoadTimes();
    }

    /**
     * Serves the request with the keys of the key version the model's file is encrypted under (the newest until the file
     * was seen). When the file turns out to be under another version (the owner stored a new version before
     * re-uploading the model, or re-uploaded it since), or the KeyService says the remembered version is retired (the
     * owner re-uploaded the model under a newer version and retired the old one), the request is served again with the
     * right version's keys: a rotation done in the documented order (store the new version, re-upload, then retire the
     * old one) fails no request. A file still under a retired version gets {@code key_retired} with a clear message.
     */
    private Outcome serveFileVersion(Request env, boolean binary, Phases ph, long t0) {
        int version = versions.known(env.model()).orElse(0);
        int fileSays = -1;
        for (int attempt = 0; ; attempt++) {
            try {
                return serve(env, binary, ph, t0, version);
            } catch (RefusedException e) {
                if (!e.isDenial("key_retired") || attempt >= 3) {
                    throw e;
                }
                if (version == fileSays) {
                    throw RefusedException.denied("key_retired", "the model file of " + env.model() + " is encrypted under key version "
                            + version + ", which the owner retired; the owner must upload the model encrypted under a current version");
                }
                versions.forget(env.model());
                models.invalidate(env.model()); // sessions of the retired version; in-flight requests finish first
                version = 0;
            } catch (ModelVersionChangedException e) {
                if (attempt >= 3) {
                    throw e;
                }
                fileSays = e.fileVersion();
                versions.learned(env.model(), fileSays);
                version = fileSays;
            }
        }
    }

    private Outcome serve(Request env, boolean binary, Phases ph, long t0, int version) {
        long tk = SystemTime.ticker().read();
        KeyCache.Lookup l = keyCache.get(env.user(), env.model(), version);
        ReleasedKeys keys = l.keys();
        ph.cold = l.fetched();
        ph.keyMs = (SystemTime.ticker().read() - tk) / 1e6;
        RequestCipher cipher = new RequestCipher(keys.requestKey(), crypto);
        // Decrypted into a pooled buffer that is wiped when released: no fresh multi-megabyte array per request.
        java.nio.ByteBuffer plaintext = payloads.take(RequestCipher.plaintextLength(env.len()));
        java.util.List<java.nio.ByteBuffer> answer;
        try {
            int n;
            try {
                n = env.byRef() != null ? cipher.openRequestInto(env.byRef(), env.buf(), plaintext.array())
                        : cipher.openRequestInto(env.model(), env.user(), env.requestId(), env.buf(), env.off(), env.len(), plaintext.array());
            } catch (CryptoException e) {
                return reject(ErrorCode.AUTHENTICATION_FAILED, "authentication_failed", e.getMessage(), env, t0, ph);
            }
            answer = answer(env, plaintext.array(), n, keys, ph);
            versions.learned(env.model(), keys.modelKey().version()); // served (or at least authenticated) with this version
        } finally {
            payloads.release(plaintext);
        }
        byte[] out;
        try {
            // A large answer goes to the store when the client can read it from there: its request came by reference or
            // carried the answerByRef hint (which the AEAD does not bind; docs/threat-model.md §7).
            if (env.answerByRef() && payloadStore.isPresent() && RequestCipher.sealedLength(answer) > config.payloadRefAbove()) {
                out = PayloadReferences.write(cipher, env, answer, payloadStore.get());
            } else {
                out = seal(cipher, env, binary, answer);
            }
        } finally {
            answer.forEach(PlaintextBuffers::wipe); // heap parts the core owns (see run)
        }
        Optional<Timing> timing = timing(t0, ph);
        if (log.isDebugEnabled()) {
            log.debug("request {} model {} user {}: sealed, {} ms{}", env.requestId(), env.model(), env.user(),
                    String.format("%.2f", (SystemTime.ticker().read() - t0) / 1e6), ph.cold ? " (cold)" : "");
        }
        return new Outcome.Sealed(out, binary, timing, ph.oipStatus);
    }

    /**
     * The response envelope in the request's form, sealed from the answer's parts (OIP JSON, then output tensor
     * bytes): no concatenated plaintext copy to make and wipe, and a binary envelope is sealed straight into its frame.
     */
    private static byte[] seal(RequestCipher cipher, Request env, boolean binary, java.util.List<java.nio.ByteBuffer> answer) {
        if (binary) {
            org.sesemi.protocol.envelope.BinaryEnvelope.Frame f = org.sesemi.protocol.envelope.BinaryEnvelope.frame(env.model(), env.user(),
                    env.requestId(), RequestCipher.sealedLength(answer));
            cipher.sealResponseInto(env.model(), env.user(), env.requestId(), answer, f.bytes(), f.payloadOffset());
            return f.bytes();
        }
        return FastEnvelopeJson.write(cipher.sealResponse(env.model(), env.user(), env.requestId(), answer));
    }

    private static java.util.List<java.nio.ByteBuffer> one(byte[] b) {
        return java.util.List.of(java.nio.ByteBuffer.wrap(b));
    }

    /** The plaintext answer in parts whose concatenation is an OIP response, metadata, or an OIP error body. */
    private java.util.List<java.nio.ByteBuffer> answer(Request env, byte[] plaintext, int length, ReleasedKeys keys, Phases ph) {
        InferenceRequest req;
        try {
            req = OipCodec.parseRequest(plaintext, length);
        } catch (OipException e) {
            ph.oipStatus = 400;
            return one(OipCodec.writeError(e.getMessage(), 400));
        }
        // Checked before a model is loaded or ONNX Runtime allocates anything for the request.
        InputLimits limits = config.inputLimits().forModel(env.model());
        if (req.operation() == InferenceRequest.Operation.INFER) {
            try {
                limits.check(req);
            } catch (OipException e) {
                ph.oipStatus = 400;
                return one(OipCodec.writeError(e.getMessage(), 400));
            }
        }
        try (ModelSessions.SessionLease lease = models.acquire(env.model(), keys.modelKey(), ph.load)) {
            ph.cold |= lease.loaded();
            return run(lease.session(), req, ph);
        }
    }

    private static java.util.List<java.nio.ByteBuffer> run(ModelSession s, InferenceRequest req, Phases ph) {
        long ti = SystemTime.ticker().read();
        try {
            if (req.operation() == InferenceRequest.Operation.METADATA) {
                return one(OipCodec.writeMetadata(s.metadata()));
            }
            InferenceResponse r = s.run(req);
            // Output tensors are fresh heap copies made by ModelSession, so the parts can be wiped after sealing.
            return OipCodec.writeResponseParts(r);
        } catch (OipException e) {
            ph.oipStatus = 400;
            return one(OipCodec.writeError(e.getMessage(), 400));
        } catch (EngineException e) {
            // The user, and only the user, gets ONNX Runtime's detail: inside the sealed response.
            ph.oipStatus = 500;
            return one(OipCodec.writeError(e.sealedMessage(), 500));
        } finally {
            ph.infMs = (SystemTime.ticker().read() - ti) / 1e6;
        }
    }

    private Optional<Timing> timing(long t0, Phases ph) {
        if (!config.timing()) {
            return Optional.empty();
        }
        return Optional.of(new Timing(ph.cold, ph.keyMs, ph.load.fetchMs, ph.load.decryptMs, ph.load.sessionMs, ph.infMs,
                (SystemTime.ticker().read() - t0) / 1e6));
    }

    private Outcome reject(ErrorCode code, String reason, String message, Request env, long t0, Phases ph) {
        log.info("request {} model {} user {}: rejected {} ({})", env == null ? "-" : env.requestId(), env == null ? "-" : env.model(),
                env == null ? "-" : env.user(), code.wire(), reason);
        return new Outcome.Rejected(code, reason, message, ph == null ? Optional.empty() : timing(t0, ph));
    }

    @Override
    public void close() {
        models.close();
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", c.getClass().getSimpleName(), e.getClass().getSimpleName());
            }
        }
    }
}
