package org.sesemi.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sesemi.attestation.QuoteVerifierNegativeTest.reasonOf;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.dcap.Quote;

/** Oversized, malformed and randomly tampered quotes and collateral only ever produce typed rejections. */
class UntrustedInputTest {
    private static final TestDcap PKI = new TestDcap();
    private static final byte[] QUOTE = PKI.sgxQuote();
    private static final QuoteVerifier VERIFIER = new QuoteVerifier();

    @Test
    void oversizedInputsAreRefusedBeforeParsing() {
        assertThat(reasonOf(() -> Quote.parse(new byte[Quote.MAX_QUOTE_BYTES + 1]))).isEqualTo(Reason.MALFORMED);
        assertThat(reasonOf(() -> Collateral.parseJson(new byte[Collateral.MAX_BYTES + 1]))).isEqualTo(Reason.MALFORMED);
        // A signature-data length that points past the end of the input.
        byte[] q = QUOTE.clone();
        q[432] = (byte) 0xFF;
        q[433] = (byte) 0xFF;
        q[434] = (byte) 0xFF;
        q[435] = (byte) 0x7F;
        assertThat(reasonOf(() -> Quote.parse(q))).isEqualTo(Reason.MALFORMED);
    }

    @Test
    void malformedCollateralIsTyped() {
        String good = new String(PKI.collateral(new TestDcap.Spec()).toJson(), StandardCharsets.UTF_8);
        String[] bad = {
            "", "[]", "null", "{", "{\"pck_crl\":1}",
            good.replace("\"root_ca_crl\"", "\"root_ca_crl_x\""),
            good.replaceFirst("\"pck_crl\" : \"30", "\"pck_crl\" : \"zz"),
            good.replaceFirst("\"tcb_info_signature\" : \"", "\"tcb_info_signature\" : \"00"),
            good.replace("\\\"version\\\":3", "\\\"version\\\":9"),
            good.replace("\\\"fmspc\\\":\\\"", "\\\"fmspc\\\":\\\"0"),
            good.replace("\\\"issueDate\\\":\\\"", "\\\"issueDate\\\":\\\"x"),
            good.replace("-----BEGIN CERTIFICATE-----", "-----BEGIN CERTIFICATE-----AAAA"),
            "[".repeat(10_000),
        };
        for (String b : bad) {
            assertThat(reasonOf(() -> Collateral.parseJson(b.getBytes(StandardCharsets.UTF_8))))
                    .as(b.length() > 60 ? b.substring(0, 60) : b).isEqualTo(Reason.MALFORMED);
        }
    }

    @Property(tries = 150)
    void anyBitFlipOutsideTheCertificateTextIsRejected(@ForAll @IntRange(min = 0, max = 1_051) int offset,
            @ForAll @IntRange(min = 0, max = 7) int bit) {
        // 0..1051 covers header, body, both signatures, attestation key, QE report and its signature, the 32 bytes of
        // auth data and the certification data header; the PEM text starts at 1052 and flips there can hit ignorable
        // whitespace (e.g. the newline at 1079 turned into a vertical tab), so they are tested apart.
        byte[] q = QUOTE.clone();
        q[offset] ^= (byte) (1 << bit);
        assertThat(reasonOf(() -> VERIFIER.verify(q, Optional.empty(), PKI.policy().build()))).isNotNull();
    }

    @Property(tries = 200)
    void arbitraryPrefixesAndJunkNeverEscapeUntyped(@ForAll @IntRange(min = 0, max = 4000) int cut, @ForAll byte[] junk) {
        byte[] q = new byte[Math.min(cut, QUOTE.length) + junk.length];
        System.arraycopy(QUOTE, 0, q, 0, Math.min(cut, QUOTE.length));
        System.arraycopy(junk, 0, q, Math.min(cut, QUOTE.length), junk.length);
        try {
            VERIFIER.verify(q, Optional.empty(), PKI.policy().build());
        } catch (AttestationException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
