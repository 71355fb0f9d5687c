package org.sesemi.protocol.oip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class OipCodecTest {

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parsesJsonTensorsFlatOrNestedInAnyFieldOrder() {
        InferenceRequest r = OipCodec.parseRequest(utf8("""
                {"id":"42","inputs":[{"data":[[1,2],[3,4]],"shape":[2,2],"name":"a","datatype":"FP32"},
                 {"name":"b","shape":[3],"datatype":"BOOL","data":[true,false,1]},
                 {"name":"c","shape":[2],"datatype":"INT64","data":[-9007199254740993,9223372036854775807]},
                 {"name":"d","shape":[1],"datatype":"BYTES","data":["héllo"]},
                 {"name":"e","shape":[],"datatype":"UINT8","data":255}],
                 "outputs":[{"name":"y","parameters":{"binary_data":true}}],"extra":{"ignored":[1,2]}}"""));
        assertThat(r.id()).contains("42");
        assertThat(r.inputs()).hasSize(5);
        assertThat(r.inputs().get(0).data().getFloat(12)).isEqualTo(4f);
        assertThat(r.inputs().get(1).data().get(2)).isEqualTo((byte) 1);
        assertThat(r.inputs().get(2).data().getLong(0)).isEqualTo(-9007199254740993L);
        assertThat(new String(r.inputs().get(3).bytesElements()[0], StandardCharsets.UTF_8)).isEqualTo("héllo");
        assertThat(r.inputs().get(4).data().get(0)).isEqualTo((byte) 255);
        assertThat(r.outputs()).containsExactly(new InferenceRequest.RequestedOutput("y", true));
    }

    @Test
    void binaryExtensionSlicesFollowTheJsonInOrder() {
        InferenceRequest req = new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER, List.of(
                fp32("a", 1, 2, 3), Tensor.ofStrings("s", new long[] {2}, new String[] {"x", "yz"}), fp32("b", 4)), List.of(), true);
        byte[] wire = OipCodec.writeRequest(req, true);
        InferenceRequest back = OipCodec.parseRequest(wire);
        assertThat(back.inputs()).isEqualTo(req.inputs());
        assertThat(back.binaryOutputs()).isTrue();
    }

    @Test
    void malformedBodiesAreTypedErrors() {
        String[] bad = {
            "", "nope", "[]", "{", "{\"inputs\":[]}", "{\"inputs\":{}}", "{\"inputs\":[1]}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[2],\"datatype\":\"FP32\",\"data\":[1]}]}", // too few elements
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1,2]}]}", // too many
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[-1],\"datatype\":\"FP32\",\"data\":[]}]}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP99\",\"data\":[1]}]}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"INT8\",\"data\":[300]}]}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"INT32\",\"data\":[1.5]}]}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"INT64\",\"data\":[99999999999999999999]}]}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"BOOL\",\"data\":[\"t\"]}]}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[1]}]}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[{}]}]}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\"}]}",
            "{\"inputs\":[{\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[4294967296,4294967296,4294967296],\"datatype\":\"FP32\",\"data\":[1]}]}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":4}}]}", // missing bytes
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]},{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}]}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":[1]}],\"parameters\":{\"operation\":\"train\"}}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1],\"datatype\":\"FP32\",\"data\":[1]}]}",
            "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"data\":" + "[".repeat(100) + "1" + "]".repeat(100) + "}]}",
        };
        for (String b : bad) {
            assertThatThrownBy(() -> OipCodec.parseRequest(utf8(b))).as(b.length() > 80 ? b.substring(0, 80) : b).isInstanceOf(OipException.class);
        }
    }

    @Test
    void trailingBytesNotClaimedByAnyTensorAreRejected() {
        byte[] ok = OipCodec.writeRequest(new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER, List.of(fp32("a", 1)),
                List.of(), false), true);
        byte[] extra = java.util.Arrays.copyOf(ok, ok.length + 3);
        assertThatThrownBy(() -> OipCodec.parseRequest(extra)).isInstanceOf(OipException.class).hasMessageContaining("3 bytes follow");
        assertThatThrownBy(() -> OipCodec.parseRequest(java.util.Arrays.copyOf(ok, ok.length - 1))).isInstanceOf(OipException.class);
    }

    @Test
    void aPrefixOfALargerBufferParsesAsThatPrefixAlone() {
        InferenceRequest req = new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER, List.of(fp32("a", 3)), List.of(), false);
        byte[] ok = OipCodec.writeRequest(req, true);
        byte[] pooled = java.util.Arrays.copyOf(ok, ok.length + 100);
        java.util.Arrays.fill(pooled, ok.length, pooled.length, (byte) '}'); // stale bytes beyond the length are never read
        InferenceRequest back = OipCodec.parseRequest(pooled, ok.length);
        assertThat(back.inputs().getFirst().data()).isEqualTo(req.inputs().getFirst().data());
        assertThatThrownBy(() -> OipCodec.parseRequest(pooled, ok.length - 1)).isInstanceOf(OipException.class);
        assertThatThrownBy(() -> OipCodec.parseRequest(pooled, ok.length + 1)).isInstanceOf(OipException.class).hasMessageContaining("1 bytes follow");
        assertThatThrownBy(() -> OipCodec.parseRequest(ok, ok.length + 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void errorMessagesNeverEchoValues() {
        assertThatThrownBy(() -> OipCodec.parseRequest(utf8("{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"INT8\",\"data\":[31337]}]}")))
                .hasMessageNotContaining("31337");
        assertThatThrownBy(() -> OipCodec.parseRequest(utf8("{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"BOOL\",\"data\":[\"SECRETWORD\"]}]}")))
                .hasMessageNotContaining("SECRETWORD");
    }

    @Test
    void responsesAndErrorsAndMetadataRoundTrip() {
        InferenceResponse r = new InferenceResponse("o/m", Optional.of("7"), List.of(fp32("y", 0.5f, -1f), fp32("z", 2f)), List.of(false, true));
        InferenceResponse back = OipCodec.parseResponse(OipCodec.writeResponse(r));
        assertThat(back.outputs()).isEqualTo(r.outputs());
        assertThat(back.binary()).containsExactly(false, true);
        assertThatThrownBy(() -> OipCodec.parseResponse(OipCodec.writeError("input 'x' expects FP32")))
                .isInstanceOf(InferenceFailedException.class).hasMessage("input 'x' expects FP32");
        ModelMetadata md = new ModelMetadata("m", "onnx_onnxv1", List.of(new ModelMetadata.TensorSpec("x", Optional.of(DataType.FP32), new long[] {-1, 3}, "FP32")),
                List.of(new ModelMetadata.TensorSpec("s", Optional.empty(), new long[0], "SequenceInfo")));
        ModelMetadata mb = OipCodec.parseMetadata(OipCodec.writeMetadata(md));
        assertThat(mb.inputs().get(0).shape()).containsExactly(-1, 3);
        assertThat(mb.outputs().get(0).type()).isEmpty();
    }

    @Property(tries = 300)
    void roundTripEveryDatatypeJsonAndBinary(@ForAll("tensors") List<Tensor> ts, @ForAll boolean binary) {
        List<Tensor> named = new ArrayList<>();
        for (int i = 0; i < ts.size(); i++) {
            Tensor t = ts.get(i);
            named.add(new Tensor("t" + i, t.type(), t.shape(), t.data()));
        }
        InferenceRequest req = new InferenceRequest(Optional.of("id"), InferenceRequest.Operation.INFER, named, List.of(), false);
        InferenceRequest back = OipCodec.parseRequest(OipCodec.writeRequest(req, binary));
        for (int i = 0; i < named.size(); i++) {
            Tensor a = named.get(i), b = back.inputs().get(i);
            assertThat(b.type()).isEqualTo(a.type());
            assertThat(b.shape()).isEqualTo(a.shape());
            if (a.type() == DataType.FP32 || a.type() == DataType.FP64 || a.type() == DataType.FP16) {
                // NaN payloads may differ through JSON; compare as numbers
                assertThat(b.byteLength()).isEqualTo(a.byteLength());
            } else {
                assertThat(b.data()).isEqualTo(a.data());
            }
        }
    }

    @Property(tries = 500)
    void arbitraryBytesNeverCrashTheParser(@ForAll byte[] junk, @ForAll @IntRange(min = 0, max = 3) int prefix) {
        String[] heads = {"", "{\"inputs\":[", "{\"inputs\":[{\"name\":\"a\",\"shape\":[1],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":4}}]}", "{"};
        byte[] h = utf8(heads[prefix]);
        byte[] in = java.util.Arrays.copyOf(h, h.length + junk.length);
        System.arraycopy(junk, 0, in, h.length, junk.length);
        try {
            OipCodec.parseRequest(in);
        } catch (OipException expected) {
            // typed failure is the only acceptable failure
        }
    }

    @Provide
    Arbitrary<List<Tensor>> tensors() {
        Arbitrary<DataType> types = Arbitraries.of(DataType.BOOL, DataType.UINT8, DataType.INT8, DataType.INT16, DataType.UINT16,
                DataType.INT32, DataType.UINT32, DataType.INT64, DataType.FP32, DataType.FP64, DataType.FP16, DataType.BYTES);
        Arbitrary<Tensor> one = Combinators.combine(types, Arbitraries.integers().between(0, 6), Arbitraries.integers())
                .as((t, n, seed) -> random(t, n, seed));
        return one.list().ofMinSize(1).ofMaxSize(4);
    }

    static Tensor random(DataType t, int n, int seed) {
        java.util.Random r = new java.util.Random(seed);
        if (t == DataType.BYTES) {
            String[] s = new String[n];
            for (int i = 0; i < n; i++) {
                s[i] = "s" + r.nextInt(1000) + (i % 2 == 0 ? "☃" : "");
            }
            return Tensor.ofStrings("x", new long[] {n}, s);
        }
        ByteBuffer b = ByteBuffer.allocate(n * t.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (t) {
                case BOOL -> b.put((byte) r.nextInt(2));
                case FP32 -> b.putFloat(r.nextFloat() * 100 - 50);
                case FP64 -> b.putDouble(r.nextDouble());
                case FP16 -> b.putShort(Float.floatToFloat16(r.nextFloat()));
                case UINT64 -> b.putLong(r.nextLong() & Long.MAX_VALUE);
                default -> {
                    byte[] x = new byte[t.size()];
                    r.nextBytes(x);
                    b.put(x);
                }
            }
        }
        return new Tensor("x", t, new long[] {1, n}, b.flip());
    }

    static Tensor fp32(String name, float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return new Tensor(name, DataType.FP32, new long[] {v.length}, b.flip());
    }
}
