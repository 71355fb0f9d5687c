package org.sesemi.attestation.ratls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.sesemi.attestation.AttestationException;

class CborTest {
    private static Object decode(String hex) {
        return Cbor.decode(HexFormat.of().parseHex(hex));
    }

    @Test
    void decodesTheDiceSubset() {
        assertThat(decode("00")).isEqualTo(0L);
        assertThat(decode("1903e8")).isEqualTo(1000L);
        assertThat(decode("20")).isEqualTo(-1L);
        assertThat((byte[]) decode("43010203")).containsExactly(1, 2, 3);
        assertThat(decode("6161")).isEqualTo("a");
        assertThat(decode("820102")).isEqualTo(List.of(1L, 2L));
        assertThat(decode("a1616101")).isEqualTo(Map.of("a", 1L));
        assertThat(decode("d9ea6080")).isEqualTo(new Cbor.Tagged(60000, List.of()));
    }

    @Test
    void rejectsWhatDiceNeverUses() {
        for (String bad : new String[] {
            "", "5f", "9f", "bf", "f5", "f97e00", "1c", "43 0102".replace(" ", ""), "0000", "a2616101616102",
            "a1430102030a", "62c328", "5bffffffffffffffff", "9a7fffffff",
        }) {
            assertThatThrownBy(() -> decode(bad)).as(bad).isInstanceOfSatisfying(AttestationException.class,
                    e -> assertThat(e.reason()).isEqualTo(AttestationException.Reason.MALFORMED));
        }
        assertThatThrownBy(() -> decode("81".repeat(40) + "00")).isInstanceOf(AttestationException.class);
    }

    @Test
    void writerRoundTrips() {
        byte[] enc = new Cbor.Writer().tag(60000).array(2).bytes(new byte[300]).bytes(new byte[] {1})
                .toByteArray();
        Object v = Cbor.decode(enc);
        assertThat(v).isInstanceOf(Cbor.Tagged.class);
        assertThat(((List<?>) ((Cbor.Tagged) v).value())).hasSize(2);
        assertThat((Long) Cbor.decode(new Cbor.Writer().uint(70000).toByteArray())).isEqualTo(70000L);
        assertThat((Long) Cbor.decode(new Cbor.Writer().uint(1L << 40).toByteArray())).isEqualTo(1L << 40);
    }

    @Property(tries = 500)
    void arbitraryBytesNeverEscapeUntyped(@ForAll byte[] data) {
        try {
            Cbor.decode(data);
        } catch (AttestationException e) {
            assertThat(e.reason()).isIn(AttestationException.Reason.MALFORMED);
        }
    }
}
