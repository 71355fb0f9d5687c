package org.sesemi.bench.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sesemi.protocol.envelope.BinaryEnvelope;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestCipher;
import org.sesemi.crypto.RequestEnvelope;
import org.sesemi.crypto.RequestKey;
import org.sesemi.protocol.envelope.FastEnvelopeJson;

/**
 * The per-request costs the secure path adds to an inference, by input size (110,592 B = PP-OCR cls 1×3×48×192 FP32;
 * 4,915,200 B = PP-OCR det 1×3×640×640 FP32): envelope parsing (reference JSON codec, the runtime's fast JSON path,
 * the binary form), payload decryption and OIP decoding. Run: {@code bench/run-jmh EnvelopePath}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EnvelopePathBenchmark {
    @Param({"110592", "4915200"})
    int inputBytes;

    byte[] json;
    byte[] binary;
    RequestEnvelope envelope;
    byte[] plaintext;
    RequestCipher cipher;

    @Setup
    public void setup() {
        ByteBuffer b = ByteBuffer.allocate(inputBytes).order(ByteOrder.LITTLE_ENDIAN);
        java.util.Random r = new java.util.Random(1);
        while (b.hasRemaining()) {
            b.putFloat(r.nextFloat());
        }
        InferenceRequest req = new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER,
                List.of(new Tensor("x", DataType.FP32, new long[] {inputBytes / 4}, b.flip())), List.of(), true);
        PrincipalIdentity p = PrincipalIdentity.generate();
        cipher = new RequestCipher(RequestKey.generate());
        plaintext = OipCodec.writeRequest(req, true);
        envelope = cipher.sealRequest(new ModelId(p.id(), "bench"), p.id(), "r1", plaintext);
        json = EnvelopeJson.write(envelope);
        binary = BinaryEnvelope.write(envelope);
    }

    @Benchmark
    public RequestEnvelope parseReferenceJson() {
        return EnvelopeJson.parse(json);
    }

    @Benchmark
    public RequestEnvelope parseFastJson() {
        return FastEnvelopeJson.parse(json, Integer.MAX_VALUE);
    }

    @Benchmark
    public RequestEnvelope parseBinary() {
        return BinaryEnvelope.parse(binary, Integer.MAX_VALUE);
    }

    @Benchmark
    public byte[] decryptPayload() {
        return cipher.openRequest(envelope);
    }

    @Benchmark
    public InferenceRequest decodeOip() {
        return OipCodec.parseRequest(plaintext);
    }

    @Benchmark
    public byte[] writeFastJson() {
        return FastEnvelopeJson.write(envelope);
    }
}
