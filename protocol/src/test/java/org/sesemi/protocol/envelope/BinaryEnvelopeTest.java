package org.sesemi.protocol.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestEnvelope;

class BinaryEnvelopeTest {
    static final RequestEnvelope E = new RequestEnvelope(new ModelId(new PrincipalId("a".repeat(64)), "m.v1"), new PrincipalId("b".repeat(64)),
            "req-1", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29});

    @Test
    void roundTripAndLayout() {
        byte[] b = BinaryEnvelope.write(E);
        assertThat(new String(b, 0, 4)).isEqualTo("SSEB");
        assertThat(b[4]).isEqualTo((byte) 1);
        assertThat(BinaryEnvelope.isBinary(b)).isTrue();
        assertThat(BinaryEnvelope.parse(b, 1 << 20)).isEqualTo(E);
        assertThat(b).hasSize(6 + 2 + 64 + 1 + 4 + 2 + 64 + 2 + 5 + 4 + 29);
    }

    @Test
    void aFrameFilledWithThePayloadIsTheWrittenEnvelope() {
        RequestEnvelope e = new RequestEnvelope(ModelId.parse("a".repeat(64) + "/m"), PrincipalId.parse("b".repeat(64)), "r-9", new byte[300]);
        java.util.Arrays.fill(e.payload(), (byte) 7);
        BinaryEnvelope.Frame f = BinaryEnvelope.frame(e.model(), e.user(), e.requestId(), 300);
        assertThat(f.bytes().length - f.payloadOffset()).isEqualTo(300);
        System.arraycopy(e.payload(), 0, f.bytes(), f.payloadOffset(), 300);
        assertThat(f.bytes()).isEqualTo(BinaryEnvelope.write(e));
        assertThat(BinaryEnvelope.locate(f.bytes(), 10_000).payloadOffset()).isEqualTo(f.payloadOffset());
        assertThatThrownBy(() -> BinaryEnvelope.frame(e.model(), e.user(), e.requestId(), -1)).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> BinaryEnvelope.frame(e.model(), e.user(), e.requestId(), Integer.MAX_VALUE - 10))
                .isInstanceOf(CryptoException.class);
    }

    @Test
    void malformedTruncatedOversizedAndTrailing() {
        byte[] b = BinaryEnvelope.write(E);
        for (int cut = 0; cut < b.length; cut += 7) {
            byte[] t = Arrays.copyOf(b, cut);
            assertThatThrownBy(() -> BinaryEnvelope.parse(t, 1 << 20)).isInstanceOf(CryptoException.class);
        }
        assertThatThrownBy(() -> BinaryEnvelope.parse(Arrays.copyOf(b, b.length + 1), 1 << 20))
                .isInstanceOfSatisfying(CryptoException.class, e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.MALFORMED));
        assertThatThrownBy(() -> BinaryEnvelope.parse(b, b.length - 1))
                .isInstanceOfSatisfying(CryptoException.class, e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.TOO_LARGE));
        byte[] v = b.clone();
        v[4] = 2;
        assertThatThrownBy(() -> BinaryEnvelope.parse(v, 1 << 20)).hasMessageContaining("version");
        byte[] badId = b.clone();
        badId[8] = 'Z'; // owner id must be lowercase hex
        assertThatThrownBy(() -> BinaryEnvelope.parse(badId, 1 << 20)).isInstanceOf(CryptoException.class);
    }

    @Property(tries = 500)
    void mutationsAreTypedErrorsOrValidEnvelopes(@ForAll @IntRange(min = 0, max = 200) int pos, @ForAll byte value) {
        byte[] b = BinaryEnvelope.write(E);
        b[pos % b.length] = value;
        try {
            BinaryEnvelope.parse(b, 1 << 20);
        } catch (CryptoException expected) {
            // the only acceptable failure
        }
    }
}
