package org.sesemi.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.sesemi.protocol.envelope.BinaryEnvelope;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.protocol.oip.InferenceResponse;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestCipher;
import org.sesemi.crypto.RequestEnvelope;
import org.sesemi.crypto.RequestKey;

/**
 * The copy-free variants the core uses for large tensors (payload located in the received binary envelope, response
 * sealed from its parts) must give exactly what the copying ones give, and reject exactly what they reject.
 */
class ZeroCopyPathTest {
    static final ModelId MODEL = ModelId.parse("a".repeat(64) + "/m");
    static final PrincipalId USER = PrincipalId.parse("b".repeat(64));
    final RequestKey key = RequestKey.generate();
    final RequestCipher cipher = new RequestCipher(key);

    @Property(tries = 60)
    void responseSealedFromPartsOpensToTheirConcatenation(@ForAll @Size(max = 3000) byte[] plaintext,
            @ForAll @IntRange(min = 0, max = 3000) int cut1, @ForAll @IntRange(min = 0, max = 3000) int cut2, @ForAll boolean direct) {
        int a = Math.min(cut1, plaintext.length), b = Math.max(a, Math.min(cut2, plaintext.length));
        List<ByteBuffer> parts = new ArrayList<>();
        parts.add(ByteBuffer.wrap(plaintext, 0, a).slice());
        ByteBuffer mid = direct ? ByteBuffer.allocateDirect(b - a) : ByteBuffer.allocate(b - a);
        mid.put(plaintext, a, b - a).flip();
        parts.add(mid);
        parts.add(ByteBuffer.wrap(plaintext, b, plaintext.length - b).slice());
        RequestEnvelope request = cipher.sealRequest(MODEL, USER, "r1", new byte[] {1});
        RequestEnvelope sealed = cipher.sealResponse(request, parts);
        assertThat(sealed.payload()).hasSize(12 + plaintext.length + 16);
        assertThat(cipher.openResponse(sealed)).isEqualTo(plaintext);
        assertThat(parts.get(1).remaining()).isEqualTo(b - a); // parts are not consumed
        byte[] tampered = sealed.payload().clone();
        tampered[tampered.length - 1] ^= 1;
        assertThatThrownBy(() -> cipher.openResponse(new RequestEnvelope(MODEL, USER, "r1", tampered)))
                .isInstanceOfSatisfying(CryptoException.class, e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.AUTHENTICATION_FAILED));
    }

    @Property(tries = 60)
    void requestOpenedInPlaceEqualsOpenedFromTheEnvelope(@ForAll @Size(max = 3000) byte[] plaintext) {
        RequestEnvelope e = cipher.sealRequest(MODEL, USER, "req-1", plaintext);
        byte[] wire = BinaryEnvelope.write(e);
        BinaryEnvelope.Located l = BinaryEnvelope.locate(wire, 1 << 20);
        assertThat(new RequestEnvelope(l.model(), l.user(), l.requestId(),
                java.util.Arrays.copyOfRange(wire, l.payloadOffset(), l.payloadOffset() + l.payloadLength())))
                .isEqualTo(BinaryEnvelope.parse(wire, 1 << 20)).isEqualTo(e);
        assertThat(openInto(l.model(), l.user(), l.requestId(), wire, l.payloadOffset(), l.payloadLength())).isEqualTo(plaintext);
        // Bound to the routing fields and to every payload bit, as the envelope form is.
        assertThatThrownBy(() -> openInto(l.model(), l.user(), "req-2", wire, l.payloadOffset(), l.payloadLength()))
                .isInstanceOfSatisfying(CryptoException.class, x -> assertThat(x.reason()).isEqualTo(CryptoException.Reason.AUTHENTICATION_FAILED));
        wire[wire.length - 1 - (plaintext.length % 16)] ^= 0x40;
        assertThatThrownBy(() -> openInto(l.model(), l.user(), l.requestId(), wire, l.payloadOffset(), l.payloadLength()))
                .isInstanceOfSatisfying(CryptoException.class, x -> assertThat(x.reason()).isEqualTo(CryptoException.Reason.AUTHENTICATION_FAILED));
    }

    @Test
    void inPlaceOpenRejectsShortAndOutOfBoundsPayloads() {
        byte[] buf = new byte[64];
        assertThatThrownBy(() -> openInto(MODEL, USER, "r", buf, 0, 27))
                .isInstanceOfSatisfying(CryptoException.class, x -> assertThat(x.reason()).isEqualTo(CryptoException.Reason.MALFORMED));
        assertThatThrownBy(() -> openInto(MODEL, USER, "r", buf, 40, 28)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> openInto(MODEL, USER, "r", buf, -1, 28)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> openInto(MODEL, USER, "r", buf, 0, 64))
                .isInstanceOfSatisfying(CryptoException.class, x -> assertThat(x.reason()).isEqualTo(CryptoException.Reason.AUTHENTICATION_FAILED));
    }

    /** The core's way of opening a located payload: into a (pooled) buffer of the plaintext's length. */
    private byte[] openInto(ModelId model, PrincipalId user, String requestId, byte[] buf, int off, int len) {
        byte[] out = new byte[RequestCipher.plaintextLength(len)];
        return java.util.Arrays.copyOf(out, cipher.openRequestInto(model, user, requestId, buf, off, len, out));
    }

    @Test
    void locateRejectsWhatParseRejectsWithTheSameError() {
        byte[] good = BinaryEnvelope.write(cipher.sealRequest(MODEL, USER, "req-1", new byte[100]));
        List<byte[]> bad = new ArrayList<>();
        for (int n = 0; n < good.length; n += 7) {
            bad.add(java.util.Arrays.copyOf(good, n)); // truncated
        }
        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        bad.add(longer);
        byte[] badId = good.clone();
        int idAt = 6 + 2 + MODEL.toString().length() + 2 + 64 + 2;
        badId[idAt] = '/'; // requestId outside [A-Za-z0-9._:-]
        bad.add(badId);
        RequestEnvelope shortPayload = new RequestEnvelope(MODEL, USER, "req-1", new byte[28]);
        byte[] tooShort = BinaryEnvelope.write(shortPayload);
        tooShort = java.util.Arrays.copyOf(tooShort, tooShort.length - 1);
        java.nio.ByteBuffer.wrap(tooShort).putInt(tooShort.length - 27 - 4, 27);
        bad.add(tooShort);
        for (byte[] b : bad) {
            String parseError = message(() -> BinaryEnvelope.parse(b, 1 << 20));
            assertThat(parseError).isNotNull();
            assertThat(message(() -> BinaryEnvelope.locate(b, 1 << 20))).isEqualTo(parseError);
        }
        assertThat(message(() -> BinaryEnvelope.locate(good, 10))).isEqualTo(message(() -> BinaryEnvelope.parse(good, 10))).contains("limit");
    }

    private static String message(Runnable r) {
        try {
            r.run();
            return null;
        } catch (CryptoException e) {
            return e.reason() + ": " + e.getMessage();
        }
    }

    @Test
    void responsePartsConcatenateToTheResponse() {
        Tensor big = new Tensor("y", DataType.FP32, new long[] {2, 3}, ByteBuffer.wrap(new byte[24]).put(5, (byte) 7));
        Tensor small = new Tensor("z", DataType.INT64, new long[] {1}, ByteBuffer.wrap(new byte[8]).put(0, (byte) 3));
        for (List<Boolean> bin : List.of(List.of(true, true), List.of(true, false), List.of(false, false))) {
            InferenceResponse r = new InferenceResponse("m", Optional.of("id"), List.of(big, small), bin);
            List<ByteBuffer> parts = OipCodec.writeResponseParts(r);
            ByteBuffer all = ByteBuffer.allocate(parts.stream().mapToInt(ByteBuffer::remaining).sum());
            parts.forEach(p -> all.put(p.duplicate()));
            assertThat(all.array()).isEqualTo(OipCodec.writeResponse(r));
            assertThat(OipCodec.parseResponse(all.array())).isEqualTo(OipCodec.parseResponse(OipCodec.writeResponse(r)));
        }
    }
}
