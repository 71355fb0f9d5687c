package org.sesemi.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.floatsOf;
import static org.sesemi.runtime.testing.Fixture.request;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.protocol.oip.InferenceFailedException;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.InferenceResponse;
import org.sesemi.protocol.oip.ModelMetadata;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.RequestCipher;
import org.sesemi.crypto.RequestEnvelope;
import org.sesemi.crypto.RequestKey;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

class EnclaveRuntimeTest {
    @TempDir Path dir;
    Fixture f;

    @BeforeEach
    void setUp() {
        f = new Fixture(dir, CoreConfig.builder().timing(true).build());
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    static final float[] X = {1, 2, 3, 4, -1, 0.5f, 0, 2};

    @Test
    void coldThenWarmInferenceMatchesReference() throws Exception {
        ModelId m = f.addModel("affine", TestModels.affine(3, 0));
        for (boolean binary : new boolean[] {false, true}) {
            InferenceResponse r = f.call(m, request(floats("x", X, 2, 4)), binary);
            assertThat(r.modelName()).isEqualTo(m.toString());
            assertThat(r.id()).contains("t");
            Tensor y = r.outputs().get(0);
            assertThat(y.name()).isEqualTo("y");
            assertThat(y.type()).isEqualTo(DataType.FP32);
            assertThat(y.shape()).containsExactly(2, 3);
            assertThat(floatsOf(y)).containsExactly(TestModels.affineExpected(3, X, 2), org.assertj.core.data.Offset.offset(1e-5f));
        }
        assertThat(f.keys.calls.get()).isEqualTo(1);
        assertThat(f.core.stats().modelLoads()).isEqualTo(1);
    }

    @Test
    void timingReportsColdThenWarm() throws Exception {
        ModelId m = f.addModel("affine", TestModels.affine(1, 0));
        Outcome cold = f.core.handle(EnvelopeJson.write(f.seal(m, request(floats("x", X, 2, 4)), true)));
        Outcome warm = f.core.handle(EnvelopeJson.write(f.seal(m, request(floats("x", X, 2, 4)), true)));
        assertThat(cold.timing()).get().satisfies(t -> {
            assertThat(t.cold()).isTrue();
            assertThat(t.sessionMs()).isPositive();
            assertThat(t.totalMs()).isGreaterThanOrEqualTo(t.inferenceMs());
        });
        assertThat(warm.timing()).get().satisfies(t -> {
            assertThat(t.cold()).isFalse();
            assertThat(t.sessionMs()).isZero();
        });
    }

    @Test
    void binaryEnvelopeInBinaryEnvelopeOut() throws Exception {
        ModelId m = f.addModel("affine", TestModels.affine(3, 0));
        RequestEnvelope req = f.seal(m, request(floats("x", X, 2, 4)), true);
        Outcome o = f.core.handle(org.sesemi.protocol.envelope.BinaryEnvelope.write(req));
        assertThat(o).isInstanceOfSatisfying(Outcome.Sealed.class, s -> {
            assertThat(s.binary()).isTrue();
            byte[] bytes = s.envelopeBytes();
            assertThat(org.sesemi.protocol.envelope.BinaryEnvelope.isBinary(bytes)).isTrue();
            RequestEnvelope resp = org.sesemi.protocol.envelope.BinaryEnvelope.parse(bytes, Integer.MAX_VALUE);
            assertThat(resp.requestId()).isEqualTo(req.requestId());
            InferenceResponse r = OipCodec.parseResponse(new RequestCipher(f.requestKey).openResponse(resp));
            assertThat(floatsOf(r.outputs().get(0))).containsExactly(TestModels.affineExpected(3, X, 2), org.assertj.core.data.Offset.offset(1e-5f));
        });
        byte[] bad = org.sesemi.protocol.envelope.BinaryEnvelope.write(req);
        assertThat(code(f.core.handle(java.util.Arrays.copyOf(bad, bad.length - 1)))).isEqualTo(ErrorCode.MALFORMED);
    }

    @Test
    void timingIsOffByDefault() throws Exception {
        try (Fixture g = new Fixture(dir.resolve("g"), CoreConfig.defaults())) {
            ModelId m = g.addModel("affine", TestModels.affine(1, 0));
            assertThat(g.core.handle(EnvelopeJson.write(g.seal(m, request(floats("x", X, 2, 4)), true))).timing()).isEmpty();
        }
    }

    @Test
    void multipleInputsAndOutputsOfManyTypes() throws Exception {
        ModelId m = f.addModel("multi", TestModels.multiType());
        ByteBuffer ids = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : new long[] {1, 2, 3, 4, 5, 6}) {
            ids.putLong(v);
        }
        ByteBuffer half = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : new float[] {0.5f, 1, 2, -1, 0, 0.25f}) {
            half.putShort(Float.floatToFloat16(v));
        }
        InferenceRequest req = request(
                floats("a", new float[] {10, 20, 30, 40, 50, 60}, 2, 3),
                new Tensor("ids", DataType.INT64, new long[] {2, 3}, ids.flip()),
                new Tensor("mask", DataType.BOOL, new long[] {2, 3}, ByteBuffer.wrap(new byte[] {1, 0, 1, 1, 1, 0})),
                new Tensor("half", DataType.FP16, new long[] {2, 3}, half.flip()),
                new Tensor("px", DataType.UINT8, new long[] {2, 3}, ByteBuffer.wrap(new byte[] {(byte) 255, 0, 1, 2, 3, 4})),
                Tensor.ofStrings("words", new long[] {2}, new String[] {"héllo", "☃"}));
        for (boolean binary : new boolean[] {false, true}) {
            InferenceResponse r = f.call(m, req, binary);
            assertThat(r.outputs()).extracting(Tensor::name).containsExactly("sum", "twice", "words_out", "notmask");
            assertThat(floatsOf(r.outputs().get(0))).containsExactly(10 + 1 + 0.5f + 255, 0, 30 + 3 + 2 + 1, 40 + 4 - 1 + 2, 50 + 5 + 0 + 3, 0);
            ByteBuffer tw = r.outputs().get(1).data();
            assertThat(List.of(tw.getLong(), tw.getLong(), tw.getLong())).containsExactly(2L, 4L, 6L);
            assertThat(java.util.Arrays.stream(r.outputs().get(2).bytesElements()).map(e -> new String(e, StandardCharsets.UTF_8)))
                    .containsExactly("héllo", "☃");
            assertThat(r.outputs().get(3).type()).isEqualTo(DataType.BOOL);
            assertThat(r.outputs().get(3).data().get(1)).isEqualTo((byte) 1);
        }
    }

    @Test
    void requestedOutputsOnlyAndBinaryPerOutput() throws Exception {
        ModelId m = f.addModel("multi", TestModels.multiType());
        InferenceRequest base = multiRequest();
        InferenceRequest req = new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER, base.inputs(),
                List.of(new InferenceRequest.RequestedOutput("twice", true)), false);
        InferenceResponse r = f.call(m, req, false);
        assertThat(r.outputs()).extracting(Tensor::name).containsExactly("twice");
        assertThat(r.binary()).containsExactly(true);
    }

    @Test
    void metadataIsServedEncryptedToGrantedUsers() throws Exception {
        ModelId m = f.addModel("multi", TestModels.multiType());
        byte[] raw = f.callRaw(m, new InferenceRequest(Optional.empty(), InferenceRequest.Operation.METADATA, List.of(), List.of(), false), false);
        ModelMetadata md = OipCodec.parseMetadata(raw);
        assertThat(md.platform()).isEqualTo("onnx_onnxv1");
        assertThat(md.inputs()).extracting(ModelMetadata.TensorSpec::name).containsExactly("a", "ids", "mask", "half", "px", "words");
        assertThat(md.inputs().get(0).shape()).containsExactly(-1, 3);
        assertThat(md.inputs().get(3).type()).contains(DataType.FP16);
    }

    @Test
    void wrongShapesTypesAndNamesComeBackAsEncryptedErrorsAndServingContinues() throws Exception {
        ModelId m = f.addModel("affine", TestModels.affine(1, 0));
        assertThatThrownBy(() -> f.call(m, request(floats("x", new float[] {1, 2, 3}, 1, 3)), true))
                .isInstanceOf(InferenceFailedException.class).hasMessageContaining("expects shape [-1, 4]");
        assertThatThrownBy(() -> f.call(m, request(new Tensor("x", DataType.INT32, new long[] {1, 4}, ByteBuffer.allocate(16))), false))
                .isInstanceOf(InferenceFailedException.class).hasMessageContaining("expects FP32, got INT32");
        assertThatThrownBy(() -> f.call(m, request(floats("nope", X, 2, 4)), false))
                .isInstanceOf(InferenceFailedException.class).hasMessageContaining("no input 'nope'");
        // garbage plaintext under a valid key
        RequestEnvelope junk = new RequestCipher(f.requestKey).sealRequest(m, f.user.id(), "junk", "{not json".getBytes());
        Outcome o = f.core.handle(EnvelopeJson.write(junk));
        byte[] pt = new RequestCipher(f.requestKey).openResponse(EnvelopeJson.parse(((Outcome.Sealed) o).envelopeJson()));
        assertThatThrownBy(() -> OipCodec.parseResponse(pt)).isInstanceOf(InferenceFailedException.class).hasMessageContaining("not valid JSON");
        assertThat(f.call(m, request(floats("x", X, 2, 4)), false).outputs()).hasSize(1);
    }

    @Test
    void badEnvelopesAreRejectedWithTypedCodes() throws Exception {
        ModelId m = f.addModel("affine", TestModels.affine(1, 0));
        byte[] good = EnvelopeJson.write(f.seal(m, request(floats("x", X, 2, 4)), false));
        assertThat(code(f.core.handle("garbage".getBytes()))).isEqualTo(ErrorCode.MALFORMED);
        assertThat(code(f.core.handle(java.util.Arrays.copyOf(good, good.length / 2)))).isEqualTo(ErrorCode.MALFORMED);
        assertThat(code(f.core.handle(new byte[0]))).isEqualTo(ErrorCode.MALFORMED);
        // tampered payload byte (inside base64): flip one character
        String s = new String(good, StandardCharsets.UTF_8);
        int p = s.indexOf("\"payload\":\"") + 20;
        String tampered = s.substring(0, p) + (s.charAt(p) == 'A' ? 'B' : 'A') + s.substring(p + 1);
        assertThat(code(f.core.handle(tampered.getBytes(StandardCharsets.UTF_8)))).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        // requestId changed: AAD mismatch
        assertThat(code(f.core.handle(s.replaceFirst("\"requestId\":\"r-", "\"requestId\":\"x-").getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
        try (Fixture small = new Fixture(dir.resolve("small"), CoreConfig.builder().maxEnvelopeBytes(100).build())) {
            assertThat(code(small.core.handle(good))).isEqualTo(ErrorCode.TOO_LARGE);
        }
        assertThat(f.call(m, request(floats("x", X, 2, 4)), false).outputs()).hasSize(1);
    }

    @Test
    void wrongUserModelPairIsDeniedAndAForeignRequestKeyDoesNotDecrypt() throws Exception {
        ModelId m = f.addModel("affine", TestModels.affine(1, 0));
        ModelId other = f.addModel("other", TestModels.affine(2, 0));
        f.keys.revoke(f.user.id(), other);
        Outcome denied = f.core.handle(EnvelopeJson.write(f.seal(other, request(floats("x", X, 2, 4)), false)));
        assertThat(denied).isInstanceOfSatisfying(Outcome.Rejected.class, r -> {
            assertThat(r.code()).isEqualTo(ErrorCode.DENIED);
            assertThat(r.reason()).isEqualTo("no_grant");
        });
        RequestEnvelope foreign = new RequestCipher(RequestKey.generate()).sealRequest(m, f.user.id(), "f1",
                OipCodec.writeRequest(request(floats("x", X, 2, 4)), false));
        assertThat(code(f.core.handle(EnvelopeJson.write(foreign)))).isEqualTo(ErrorCode.AUTHENTICATION_FAILED);
    }

    @Test
    void swappedModelCiphertextIsDetected() throws Exception {
        ModelId a = f.addModel("a", TestModels.affine(1, 0));
        ModelId b = f.addModel("b", TestModels.affine(2, 0));
        Files.copy(f.store.pathOf(b), f.store.pathOf(a), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Outcome o = f.core.handle(EnvelopeJson.write(f.seal(a, request(floats("x", X, 2, 4)), false)));
        assertThat(o).isInstanceOfSatisfying(Outcome.Rejected.class, r -> assertThat(r.code()).isEqualTo(ErrorCode.MODEL_INTEGRITY));
        // b still serves, and a serves once the right ciphertext is back
        assertThat(f.call(b, request(floats("x", X, 2, 4)), false).outputs()).hasSize(1);
        ModelKey ka = ModelKey.generate(1);
        f.storeEncrypted(a, TestModels.affine(1, 0), ka);
        f.keys.putModelKey(a, ka);
        f.clock.advance(Duration.ofMinutes(2));
        assertThat(f.call(a, request(floats("x", X, 2, 4)), false).outputs()).hasSize(1);
    }

    @Test
    void missingModelAndTooLargeModel() throws Exception {
        ModelId ghost = f.modelId("ghost");
        f.keys.putModelKey(ghost, ModelKey.generate(1));
        f.keys.grant(f.user.id(), ghost, f.requestKey);
        assertThat(code(f.core.handle(EnvelopeJson.write(f.seal(ghost, request(floats("x", X, 2, 4)), false))))).isEqualTo(ErrorCode.MODEL_NOT_FOUND);
        try (Fixture tiny = new Fixture(dir.resolve("tiny"), CoreConfig.builder().modelBudgetBytes(1000).build())) {
            ModelId m = tiny.addModel("big", TestModels.affine(1, 1000));
            Outcome o = tiny.core.handle(EnvelopeJson.write(tiny.seal(m, request(floats("x", X, 2, 4)), false)));
            assertThat(o).isInstanceOfSatisfying(Outcome.Rejected.class, r -> {
                assertThat(r.code()).isEqualTo(ErrorCode.MODEL_TOO_LARGE);
                assertThat(r.message()).contains("budget");
            });
        }
    }

    @Test
    void keysExpireAfterTtlAndRevocationTakesEffect() throws Exception {
        ModelId m = f.addModel("affine", TestModels.affine(1, 0));
        f.call(m, request(floats("x", X, 2, 4)), false);
        f.keys.revoke(f.user.id(), m);
        f.clock.advance(Duration.ofSeconds(30));
        f.call(m, request(floats("x", X, 2, 4)), false); // still within TTL: cached keys
        assertThat(f.keys.calls.get()).isEqualTo(1);
        f.clock.advance(Duration.ofSeconds(30));
        assertThat(code(f.core.handle(EnvelopeJson.write(f.seal(m, request(floats("x", X, 2, 4)), false))))).isEqualTo(ErrorCode.DENIED);
        assertThat(f.keys.calls.get()).isEqualTo(2);
    }

    @Test
    void concurrentColdMissesMakeOneKeyFetchAndOneModelLoad() throws Exception {
        ModelId m = f.addModel("affine", TestModels.affine(1, 0));
        f.keys.gate = new CountDownLatch(1);
        ExecutorService ex = Executors.newFixedThreadPool(8);
        List<Future<InferenceResponse>> fs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            fs.add(ex.submit(() -> f.call(m, request(floats("x", X, 2, 4)), true)));
        }
        org.awaitility.Awaitility.await().until(() -> f.keys.calls.get() >= 1);
        f.keys.gate.countDown();
        for (Future<InferenceResponse> fu : fs) {
            assertThat(floatsOf(fu.get().outputs().get(0))).containsExactly(TestModels.affineExpected(1, X, 2), org.assertj.core.data.Offset.offset(1e-5f));
        }
        ex.shutdown();
        assertThat(f.keys.calls.get()).isEqualTo(1);
        assertThat(f.core.stats().modelLoads()).isEqualTo(1);
    }

    @Test
    void overloadAnswersBusy() throws Exception {
        try (Fixture g = new Fixture(dir.resolve("busy"), CoreConfig.builder().concurrency(1, 0, Duration.ofSeconds(5)).build())) {
            ModelId m = g.addModel("affine", TestModels.affine(1, 0));
            g.keys.gate = new CountDownLatch(1);
            ExecutorService ex = Executors.newSingleThreadExecutor();
            Future<InferenceResponse> first = ex.submit(() -> g.call(m, request(floats("x", X, 2, 4)), false));
            org.awaitility.Awaitility.await().until(() -> g.keys.calls.get() == 1);
            assertThat(code(g.core.handle(EnvelopeJson.write(g.seal(m, request(floats("x", X, 2, 4)), false))))).isEqualTo(ErrorCode.BUSY);
            g.keys.gate.countDown();
            assertThat(first.get().outputs()).hasSize(1);
            ex.shutdown();
        }
    }

    @Test
    void naiveModeRepeatsEverythingPerRequest() throws Exception {
        try (Fixture g = new Fixture(dir.resolve("naive"), CoreConfig.builder().timing(true).build(), CachePolicy.none())) {
            ModelId m = g.addModel("affine", TestModels.affine(1, 0));
            for (int i = 0; i < 3; i++) {
                Outcome o = g.core.handle(EnvelopeJson.write(g.seal(m, request(floats("x", X, 2, 4)), false)));
                assertThat(o.timing()).get().satisfies(t -> assertThat(t.cold()).isTrue());
                byte[] pt = new RequestCipher(g.requestKey).openResponse(EnvelopeJson.parse(((Outcome.Sealed) o).envelopeJson()));
                assertThat(floatsOf(OipCodec.parseResponse(pt).outputs().get(0))).containsExactly(TestModels.affineExpected(1, X, 2), org.assertj.core.data.Offset.offset(1e-5f));
            }
            assertThat(g.keys.calls.get()).isEqualTo(3);
            assertThat(g.core.stats().modelsLoaded()).isZero();
        }
    }

    @Test
    void manyThreadsSeveralModelsWithEvictionsEveryResponseChecked() throws Exception {
        // Each model ~40 KB plaintext, charged x2; a 200 KB budget holds two of five: constant eviction.
        try (Fixture g = new Fixture(dir.resolve("evict"), CoreConfig.builder().modelBudgetBytes(200_000)
                .concurrency(4, 256, Duration.ofSeconds(60)).build())) {
            List<ModelId> ms = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ms.add(g.addModel("m" + i, TestModels.affine(i, 10_000)));
            }
            ExecutorService ex = Executors.newFixedThreadPool(8);
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int tt = t;
                fs.add(ex.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        int k = (tt * 7 + i * 3) % 5;
                        float[] x = {tt, i, k, 1, 2, 3, 4, 5};
                        InferenceResponse r = g.call(ms.get(k), request(floats("x", x, 2, 4)), (i & 1) == 0);
                        assertThat(floatsOf(r.outputs().get(0))).containsExactly(TestModels.affineExpected(k, x, 2), org.assertj.core.data.Offset.offset(1e-4f));
                    }
                    return null;
                }));
            }
            for (Future<?> fu : fs) {
                fu.get();
            }
            ex.shutdown();
            EnclaveRuntime.Stats st = g.core.stats();
            assertThat(st.evictions()).isPositive();
            assertThat(st.modelBytesUsed()).isLessThanOrEqualTo(200_000);
        }
    }

    private static InferenceRequest multiRequest() {
        return request(floats("a", new float[6], 2, 3),
                new Tensor("ids", DataType.INT64, new long[] {2, 3}, ByteBuffer.allocate(48)),
                new Tensor("mask", DataType.BOOL, new long[] {2, 3}, ByteBuffer.allocate(6)),
                new Tensor("half", DataType.FP16, new long[] {2, 3}, ByteBuffer.allocate(12)),
                new Tensor("px", DataType.UINT8, new long[] {2, 3}, ByteBuffer.allocate(6)),
                Tensor.ofStrings("words", new long[] {1}, new String[] {"w"}));
    }

    private static ErrorCode code(Outcome o) {
        assertThat(o).isInstanceOf(Outcome.Rejected.class);
        return ((Outcome.Rejected) o).code();
    }
}
