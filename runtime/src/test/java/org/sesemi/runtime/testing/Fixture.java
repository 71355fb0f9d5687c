package org.sesemi.runtime.testing;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.InferenceResponse;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelCipher;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestCipher;
import org.sesemi.crypto.RequestEnvelope;
import org.sesemi.crypto.RequestKey;
import org.sesemi.runtime.core.CoreConfig;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.Outcome;
import org.sesemi.runtime.store.DirectoryModelStore;
import org.sesemi.time.FakeClock;

/** An owner, a user, encrypted models in a directory store, a real in-memory key source and a real core. */
public final class Fixture implements AutoCloseable {
    public final PrincipalIdentity owner = PrincipalIdentity.generate();
    public final PrincipalIdentity user = PrincipalIdentity.generate();
    public final RequestKey requestKey = RequestKey.generate();
    public final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    public final InMemoryKeySource keys;
    public final DirectoryModelStore store;
    public final EnclaveRuntime core;
    private final Path dir;

    public Fixture(Path dir, CoreConfig config) {
        this(dir, config, org.sesemi.runtime.core.CachePolicy.caching());
    }

    public Fixture(Path dir, CoreConfig config, org.sesemi.runtime.core.CachePolicy caching) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        this.keys = new InMemoryKeySource(clock, Duration.ofSeconds(60));
        this.store = new DirectoryModelStore(dir.resolve("store"));
        this.core = EnclaveRuntime.create(config, keys, store, clock, java.util.List.of(), caching);
    }

    public ModelId modelId(String name) {
        return new ModelId(owner.id(), name);
    }

    /** Encrypts {@code onnx} under a fresh model key, stores it, registers the key and grants the user. */
    public ModelId addModel(String name, byte[] onnx) throws IOException {
        ModelId id = modelId(name);
        ModelKey mk = ModelKey.generate(1);
        storeEncrypted(id, onnx, mk);
        keys.putModelKey(id, mk);
        keys.grant(user.id(), id, requestKey);
        return id;
    }

    /**
     * The owner's {@code sesemi model encrypt} and upload: {@code onnx} encrypted under {@code key} (default segment
     * size) into {@code file}, which then goes into {@code store}.
     */
    public static void upload(org.sesemi.runtime.store.ModelStore store, Path file, ModelId id, byte[] onnx, ModelKey key)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCipher.encrypt(new ByteArrayInputStream(onnx), onnx.length, out, id, key, ModelCipher.DEFAULT_SEGMENT_SIZE, n -> {});
        store.put(id, Files.write(file, out.toByteArray()));
    }

    public void storeEncrypted(ModelId id, byte[] onnx, ModelKey mk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCipher.encrypt(new ByteArrayInputStream(onnx), onnx.length, out, id, mk, 4096, n -> {});
        Path tmp = dir.resolve(UUID.randomUUID() + ".smodel");
        Files.write(tmp, out.toByteArray());
        store.put(id, tmp);
    }

    public RequestEnvelope seal(ModelId model, InferenceRequest r, boolean binary) {
        return new RequestCipher(requestKey).sealRequest(model, user.id(), "r-" + UUID.randomUUID(), OipCodec.writeRequest(r, binary));
    }

    /** Seals, calls the core, expects a sealed answer and opens it. */
    public byte[] callRaw(ModelId model, InferenceRequest r, boolean binary) {
        RequestEnvelope e = seal(model, r, binary);
        Outcome o = core.handle(EnvelopeJson.write(e));
        if (!(o instanceof Outcome.Sealed s)) {
            throw new AssertionError("expected a sealed answer, got " + o);
        }
        RequestEnvelope resp = EnvelopeJson.parse(s.envelopeJson());
        return new RequestCipher(requestKey).openResponse(resp);
    }

    public InferenceResponse call(ModelId model, InferenceRequest r, boolean binary) {
        return OipCodec.parseResponse(callRaw(model, r, binary));
    }

    public static InferenceRequest request(Tensor... inputs) {
        return new InferenceRequest(Optional.of("t"), InferenceRequest.Operation.INFER, List.of(inputs), List.of(), false);
    }

    public static Tensor floats(String name, float[] v, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return new Tensor(name, DataType.FP32, shape, b.flip());
    }

    public static float[] floatsOf(Tensor t) {
        var b = t.data().asFloatBuffer();
        float[] f = new float[b.remaining()];
        b.get(f);
        return f;
    }

    @Override
    public void close() {
        core.close();
    }
}
