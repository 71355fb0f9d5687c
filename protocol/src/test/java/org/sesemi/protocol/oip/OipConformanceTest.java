package org.sesemi.protocol.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The codec against KServe's Open Inference Protocol REST specification and its binary tensor extension, one test per
 * rule that the project once got wrong or left open (issue 15, §5); the remaining differences are listed in
 * docs/protocol.md, "OIP conformance".
 */
class OipConformanceTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPerOutputBinaryDataOverridesTheRequestLevelSettingEitherWay() {
        InferenceRequest r = OipCodec.parseRequest(utf8("""
                {"outputs":[{"name":"json","parameters":{"binary_data":false}},{"name":"bin","parameters":{"binary_data":true}},
                 {"name":"default"}],
                 "inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}],
                 "parameters":{"binary_data_output":true}}"""));
        assertThat(r.binaryOutputs()).isTrue();
        assertThat(r.outputs().get(0).binary(r.binaryOutputs())).as("binary_data:false beats binary_data_output:true").isFalse();
        assertThat(r.outputs().get(1).binary(r.binaryOutputs())).isTrue();
        assertThat(r.outputs().get(2).binary(r.binaryOutputs())).as("no binary_data: the request-level setting").isTrue();
        assertThat(r.outputs().get(2).binary(false)).isFalse();

        // The client writes an explicit false, so a runtime that defaults to binary still answers that output as JSON.
        InferenceRequest back = OipCodec.parseRequest(OipCodec.writeRequest(r, false));
        assertThat(back.outputs()).isEqualTo(r.outputs());
        assertThat(new String(OipCodec.writeRequest(r, false), StandardCharsets.UTF_8)).contains("\"binary_data\":false");
    }

    @Test
    void fp16TravelsAsJsonNumbersWhenJsonIsAskedForBothWays() {
        ByteBuffer b = ByteBuffer.allocate(6).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(Float.floatToFloat16(1.5f)).putShort(Float.floatToFloat16(-0.099975586f)).putShort(Float.floatToFloat16(65504f));
        Tensor half = new Tensor("h", DataType.FP16, new long[] {3}, b.flip());

        byte[] response = OipCodec.writeResponse(new InferenceResponse("m", Optional.empty(), List.of(half), List.of(false)));
        String text = new String(response, StandardCharsets.UTF_8);
        assertThat(text).contains("\"datatype\":\"FP16\"").contains("\"data\":[1.5,").doesNotContain("binary_data_size");
        InferenceResponse parsed = OipCodec.parseResponse(response);
        assertThat(parsed.outputs().getFirst().data()).isEqualTo(half.data());
        assertThat(parsed.binary()).containsExactly(false);

        byte[] request = OipCodec.writeRequest(new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER, List.of(half),
                List.of(), false), false);
        assertThat(new String(request, StandardCharsets.UTF_8)).contains("\"data\":[").doesNotContain("binary_data_size");
        assertThat(OipCodec.parseRequest(request).inputs().getFirst().data()).isEqualTo(half.data());
    }

    @Test
    void datatypeNamesAreCaseSensitive() {
        assertThat(DataType.parse("FP32")).isEqualTo(DataType.FP32);
        assertThatThrownBy(() -> OipCodec.parseRequest(utf8("{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"fp32\",\"data\":[1]}]}")))
                .isInstanceOf(OipException.class).hasMessageContaining("'fp32'").hasMessageContaining("case-sensitive, use 'FP32'");
        assertThatThrownBy(() -> DataType.parse("Int64")).isInstanceOf(OipException.class).hasMessageContaining("use 'INT64'");
        assertThatThrownBy(() -> DataType.parse("FLOAT32")).isInstanceOf(OipException.class).hasMessage("unknown datatype 'FLOAT32'");
    }

    @Test
    void bf16IsRefusedWithItsOwnMessage() {
        assertThatThrownBy(() -> OipCodec.parseRequest(utf8(
                "{\"inputs\":[{\"name\":\"x\",\"shape\":[1],\"datatype\":\"BF16\",\"parameters\":{\"binary_data_size\":2}}]}\u0000\u0000")))
                .isInstanceOf(OipException.class).hasMessage("datatype BF16 is not supported: send the tensor as FP32 or FP16");
    }

    @Test
    void theClassificationExtensionIsRefusedExplicitly() {
        assertThatThrownBy(() -> OipCodec.parseRequest(utf8("""
                {"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1]}],
                 "outputs":[{"name":"probs","parameters":{"classification":3}}]}""")))
                .isInstanceOf(OipException.class).hasMessageContaining("classification extension is not supported");
    }

    @Test
    void errorBodiesCarryOipsStatusInsideTheSealedPayload() {
        byte[] bad = OipCodec.writeError("input 'x' expects FP32, got INT32", 400);
        assertThat(new String(bad, StandardCharsets.UTF_8)).isEqualTo("{\"error\":\"input 'x' expects FP32, got INT32\",\"status\":400}");
        assertThatThrownBy(() -> OipCodec.parseResponse(bad)).isInstanceOfSatisfying(InferenceFailedException.class, e -> {
            assertThat(e.getMessage()).isEqualTo("input 'x' expects FP32, got INT32");
            assertThat(e.status()).isEqualTo(400);
        });
        assertThatThrownBy(() -> OipCodec.parseResponse(OipCodec.writeError("the model failed", 500)))
                .isInstanceOfSatisfying(InferenceFailedException.class, e -> assertThat(e.status()).isEqualTo(500));
        // A plain OIP error object (no status) from another server still reads as a bad request.
        assertThatThrownBy(() -> OipCodec.parseResponse(utf8("{\"error\":\"nope\"}")))
                .isInstanceOfSatisfying(InferenceFailedException.class, e -> assertThat(e.status()).isEqualTo(400));
    }
}
