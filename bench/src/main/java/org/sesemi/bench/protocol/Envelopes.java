package org.sesemi.bench.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestCipher;
import org.sesemi.crypto.RequestEnvelope;
import org.sesemi.crypto.RequestKey;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.protocol.oip.Tensor;

/**
 * Realistic sealed request envelopes for the protocol benchmarks: {@code minilm} — an all-MiniLM-L6-v2 request of 128
 * tokens (three INT64 [1,128] tensors as OIP JSON data, a few KB); {@code ppocr-det} — a PP-OCR det request, one FP32
 * 1×3×640×640 tensor in the binary-tensor extension (4.9 MB of tensor, about 6.5 MB of base64 in the JSON envelope).
 */
final class Envelopes {
    private Envelopes() {}

    static RequestEnvelope sealed(String kind) {
        InferenceRequest req = switch (kind) {
            case "minilm" -> {
                java.util.Random r = new java.util.Random(1);
                List<Tensor> in = new java.util.ArrayList<>();
                for (String name : new String[] {"input_ids", "attention_mask", "token_type_ids"}) {
                    ByteBuffer b = ByteBuffer.allocate(128 * 8).order(ByteOrder.LITTLE_ENDIAN);
                    while (b.hasRemaining()) {
                        b.putLong(name.equals("input_ids") ? 100 + r.nextInt(30_000) : name.equals("attention_mask") ? 1 : 0);
                    }
                    in.add(new Tensor(name, DataType.INT64, new long[] {1, 128}, b.flip()));
                }
                yield new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER, in, List.of(), false);
            }
            case "ppocr-det" -> {
                ByteBuffer b = ByteBuffer.allocate(3 * 640 * 640 * 4).order(ByteOrder.LITTLE_ENDIAN);
                java.util.Random r = new java.util.Random(1);
                while (b.hasRemaining()) {
                    b.putFloat(r.nextFloat());
                }
                yield new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER,
                        List.of(new Tensor("x", DataType.FP32, new long[] {1, 3, 640, 640}, b.flip())), List.of(), true);
            }
            default -> throw new IllegalArgumentException(kind);
        };
        PrincipalIdentity p = PrincipalIdentity.generate();
        byte[] plaintext = OipCodec.writeRequest(req, kind.equals("ppocr-det"));
        return new RequestCipher(RequestKey.generate()).sealRequest(new ModelId(p.id(), kind), p.id(), "r-1", plaintext);
    }
}
