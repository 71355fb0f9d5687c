package org.sesemi.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.request;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.protocol.oip.InferenceFailedException;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelId;
import org.sesemi.runtime.core.engine.InputLimits;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/**
 * Engine failures reach the user with a fixed code and ONNX Runtime's detail inside the sealed response, and the host
 * with the fixed code only; inputs above a model's limits are refused (sealed) before the model is even loaded.
 */
class EngineFailuresAndLimitsTest {
    @TempDir Path dir;

    static Tensor ids(long... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) {
            b.putLong(x);
        }
        return new Tensor("ids", DataType.INT64, new long[] {1, v.length}, b.flip());
    }

    @Test
    void anIndexOutsideTheTableIsAnEngineCodeWithTheDetailOnlyInsideTheSealedResponse() throws Exception {
        try (Fixture f = new Fixture(dir, CoreConfig.defaults())) {
            ModelId m = f.addModel("embedding", TestModels.embedding(100));
            assertThat(f.call(m, request(ids(1, 2, 99)), true).outputs().get(0).shape()).containsExactly(1, 3, 2);
            assertThatThrownBy(() -> f.call(m, request(ids(1, 31_337_123L)), true)).isInstanceOf(InferenceFailedException.class)
                    .hasMessageStartingWith("engine_invalid_input: ONNX Runtime refused the request's inputs (")
                    .hasMessageContaining("31337123");
            assertThat(f.call(m, request(ids(5)), true).outputs()).hasSize(1); // serving continues
        }
    }

    @Test
    void aModelOnnxRuntimeCannotLoadIsRejectedWithTheFixedSentenceOnly() throws Exception {
        try (Fixture f = new Fixture(dir, CoreConfig.defaults())) {
            ModelId m = f.addModel("unknown-op", TestModels.unknownOperator());
            Outcome o = f.core.handle(EnvelopeJson.write(f.seal(m, request(floats("x", new float[] {1, 2, 3, 4}, 1, 4)), false)));
            assertThat(o).isInstanceOfSatisfying(Outcome.Rejected.class, r -> {
                assertThat(r.code()).isEqualTo(ErrorCode.MODEL_INTEGRITY);
                assertThat(r.reason()).isEqualTo("model_unloadable");
                assertThat(r.message()).startsWith("engine_").doesNotContain(TestModels.SECRET_NODE).doesNotContain("SecretOperator")
                        .doesNotContain("layer.7");
            });
        }
    }

    @Test
    void inputsAboveAModelsLimitsAreRefusedInsideTheSealedResponseAndOtherModelsKeepTheDefaults() throws Exception {
        try (Fixture f = new Fixture(dir.resolve("f"), CoreConfig.defaults())) {
            ModelId m = f.addModel("limited", TestModels.affine(1, 0));
            ModelId other = f.addModel("other", TestModels.affine(2, 0));
            try (EnclaveRuntime core = EnclaveRuntime.create(CoreConfig.builder().inputLimits(
                    new InputLimitPolicy(InputLimits.DEFAULTS, Map.of(m, new InputLimits(8, 1024, 2)))).build(), f.keys, f.store, f.clock)) {
                float[] two = new float[8], three = new float[12];
                assertThat(open(f, core.handle(EnvelopeJson.write(f.seal(m, request(floats("x", two, 2, 4)), true))))).doesNotContain("error");
                assertThat(open(f, core.handle(EnvelopeJson.write(f.seal(m, request(floats("x", three, 3, 4)), true)))))
                        .contains("input_too_large: input 'x' has 12 elements, more than this model's limit of 8");
                assertThat(open(f, core.handle(EnvelopeJson.write(f.seal(other, request(floats("x", three, 3, 4)), true))))).doesNotContain("error");
            }
        }
        try (Fixture f = new Fixture(dir.resolve("g"), CoreConfig.defaults())) {
            ModelId m = f.addModel("limited", TestModels.affine(1, 0));
            try (EnclaveRuntime core = EnclaveRuntime.create(CoreConfig.builder().inputLimits(
                    new InputLimitPolicy(new InputLimits(1000, 1024, 2), Map.of())).build(), f.keys, f.store, f.clock)) {
                // Refused before the model is loaded: the cache stays empty.
                assertThat(open(f, core.handle(EnvelopeJson.write(f.seal(m, request(floats("x", new float[12], 3, 4)), true)))))
                        .contains("input_too_large: input 'x' has a batch (first dimension) of 3, more than this model's limit of 2");
                assertThat(open(f, core.handle(EnvelopeJson.write(f.seal(m, request(floats("x", new float[400], 100, 4)), true)))))
                        .contains("input_too_large");
                assertThat(core.stats().modelLoads()).isZero();
            }
        }
    }

    private static String open(Fixture f, Outcome o) {
        assertThat(o).isInstanceOf(Outcome.Sealed.class);
        byte[] pt = new org.sesemi.crypto.RequestCipher(f.requestKey).openResponse(((Outcome.Sealed) o).envelope());
        return new String(pt, 0, Math.min(pt.length, 400), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void settingsParsePerModelLimitsAndNameTheSettingOnErrors() {
        String owner = "a".repeat(64);
        InputLimitPolicy p = RuntimeSettings.inputLimits(Map.of(RuntimeSettings.MAX_INPUT_ELEMENTS, "1000", RuntimeSettings.INPUT_LIMITS,
                owner + "/minilm=batch:32,elements:16384; " + owner + "/other=bytes:1m"));
        assertThat(p.defaults()).isEqualTo(new InputLimits(1000, 64L << 20, Long.MAX_VALUE));
        assertThat(p.forModel(ModelId.parse(owner + "/minilm"))).isEqualTo(new InputLimits(16384, 64L << 20, 32));
        assertThat(p.forModel(ModelId.parse(owner + "/other"))).isEqualTo(new InputLimits(1000, 1L << 20, Long.MAX_VALUE));
        assertThat(p.forModel(ModelId.parse(owner + "/unlisted"))).isEqualTo(p.defaults());
        assertThatThrownBy(() -> RuntimeSettings.inputLimits(Map.of(RuntimeSettings.INPUT_LIMITS, owner + "/m=rows:3")))
                .hasMessageContaining("SESEMI_INPUT_LIMITS").hasMessageContaining("unknown limit 'rows'");
        assertThatThrownBy(() -> RuntimeSettings.inputLimits(Map.of(RuntimeSettings.INPUT_LIMITS, "nomodel=batch:3")))
                .hasMessageContaining("not a model id");
        assertThatThrownBy(() -> RuntimeSettings.inputLimits(Map.of(RuntimeSettings.MAX_BATCH, "-1"))).hasMessageContaining("SESEMI_MAX_BATCH");
    }
}
