package org.sesemi.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sesemi.attestation.tee.SimulatedTee;

/**
 * Signer and register rules decide on the fields of quotes that passed verification ({@link VerifiedQuote#claims()}),
 * here of SGX and TDX quotes from a DCAP-shaped test PKI, and parse only their canonical forms.
 */
class RuntimeRuleTest {
    private final TestDcap pki = new TestDcap();
    private final QuoteVerifier verifier = new QuoteVerifier();
    private static final String SIGNER = "22".repeat(32);

    private VerifiedQuote sgx(int prodId, int svn, int signerFill, int enclaveFill) {
        byte[] q = pki.sgxQuote(TestDcap.bytes(32, enclaveFill), TestDcap.bytes(32, signerFill), prodId, svn, 0x05);
        return verifier.verify(q, Optional.of(pki.collateral(new TestDcap.Spec())), pki.policy().build());
    }

    private VerifiedQuote tdx() {
        byte[] svn = new byte[16];
        svn[1] = 1;
        // Signatures only: the rule reads the attested body, whatever the TCB evaluation says.
        return verifier.verify(pki.tdxQuote(4, TestDcap.tdBody(false, svn, false)), Optional.empty(), pki.policy().build());
    }

    private static boolean admits(RuntimeRule r, VerifiedQuote q) {
        return r.matches(q.measurement(), q.claims());
    }

    @Test
    void anSgxSignerRuleAdmitsEveryBuildOfThatSignerAndProductAtOrAboveTheMinimumSvn() {
        RuntimeRule rule = RuntimeRule.parse("sgx-signer:" + SIGNER + ":7:3");
        VerifiedQuote buildA = sgx(7, 3, 0x22, 0x11);
        VerifiedQuote buildB = sgx(7, 4, 0x22, 0x12);
        assertThat(buildA.measurement()).isNotEqualTo(buildB.measurement());
        assertThat(admits(rule, buildA)).isTrue();
        assertThat(admits(rule, buildB)).isTrue();
        assertThat(admits(rule, sgx(7, 2, 0x22, 0x11))).as("below the minimum ISVSVN").isFalse();
        assertThat(admits(rule, sgx(8, 3, 0x22, 0x11))).as("another product").isFalse();
        assertThat(admits(rule, sgx(7, 3, 0x23, 0x11))).as("another signer").isFalse();
        assertThat(admits(rule, tdx())).as("a TD").isFalse();
        // A rule never matches a runtime known by its measurement alone (claims are what it decides on).
        assertThat(rule.matches(buildA.measurement(), java.util.Map.of())).isFalse();
        assertThat(admits(buildA.measurement(), buildA)).isTrue();
        assertThat(admits(buildA.measurement(), buildB)).isFalse();
    }

    @Test
    void aTdxRegisterRuleChecksMrtdAndExactlyThePinnedRtmrs() {
        VerifiedQuote td = tdx();
        String mrTd = HexFormat.of().formatHex(TestDcap.bytes(48, 0xAD));
        String[] rtmr = new String[4];
        for (int i = 0; i < 4; i++) {
            rtmr[i] = HexFormat.of().formatHex(TestDcap.bytes(48, 0xA0 + i));
        }
        assertThat(admits(RuntimeRule.parse("tdx-regs:" + mrTd + ":any:any:any:any"), td)).isTrue();
        assertThat(admits(RuntimeRule.parse("tdx-regs:" + mrTd + ":" + rtmr[0] + ":" + rtmr[1] + ":" + rtmr[2] + ":any"), td)).isTrue();
        assertThat(admits(RuntimeRule.parse("tdx-regs:" + mrTd + ":" + rtmr[0] + ":" + rtmr[1] + ":" + rtmr[2] + ":" + rtmr[3]), td)).isTrue();
        assertThat(admits(RuntimeRule.parse("tdx-regs:" + mrTd + ":any:any:any:" + rtmr[2]), td)).as("RTMR3 differs").isFalse();
        assertThat(admits(RuntimeRule.parse("tdx-regs:" + "ae".repeat(48) + ":any:any:any:any"), td)).as("MRTD differs").isFalse();
        assertThat(admits(RuntimeRule.parse("tdx-regs:" + mrTd + ":any:any:any:any"), sgx(7, 3, 0x22, 0x11))).isFalse();
    }

    @Test
    void canonicalFormsRoundTripAndBadRulesAreRefusedWithAReason() {
        for (String s : List.of("sgx:" + "ab".repeat(32), "tdx:" + "cd".repeat(32), "sgx-signer:" + SIGNER + ":0:65535",
                "tdx-regs:" + "ad".repeat(48) + ":any:" + "a1".repeat(48) + ":any:any")) {
            assertThat(RuntimeRule.parse(s).value()).isEqualTo(s);
        }
        assertThat(RuntimeRule.parse(" SGX-SIGNER:" + SIGNER.toUpperCase() + ":7:3 ").value()).isEqualTo("sgx-signer:" + SIGNER + ":7:3");
        assertThat(RuntimeRule.parse("sgx:" + "ab".repeat(32))).isInstanceOf(Measurement.class);
        for (String bad : List.of("sgx-signer:" + SIGNER + ":7", "sgx-signer:" + SIGNER + ":65536:1", "sgx-signer:" + SIGNER + ":-1:1",
                "sgx-signer:abc:1:1", "tdx-regs:" + "ad".repeat(48) + ":any:any:any", "tdx-regs:" + "ad".repeat(47) + ":any:any:any:any",
                "tdx-regs:" + "ad".repeat(48) + ":x:any:any:any", "mrsigner:" + SIGNER, "", "x".repeat(700))) {
            assertThatThrownBy(() -> RuntimeRule.parse(bad)).as(bad).isInstanceOfSatisfying(AttestationException.class,
                    e -> assertThat(e.reason()).isEqualTo(AttestationException.Reason.MALFORMED));
        }
    }

    @Test
    void theSimulatedTeeQuotesItsConfiguredSignerIdentity(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        SimulatedTee a = SimulatedTee.open(dir, "runtime", java.util.Map.of(SimulatedTee.CONFIG_MRSIGNER, SIGNER,
                SimulatedTee.CONFIG_ISVPRODID, "7", SimulatedTee.CONFIG_ISVSVN, "3"));
        VerifiedQuote q = verifier.verify(a.quote(new byte[64]), Optional.empty(), VerificationPolicy.simulated(a));
        assertThat(q.claims()).containsEntry("mrSigner", SIGNER).containsEntry("isvProdId", "7").containsEntry("isvSvn", "3");
        assertThat(admits(RuntimeRule.parse("sgx-signer:" + SIGNER + ":7:3"), q)).isTrue();
        assertThat(SimulatedTee.signer(java.util.Map.of(SimulatedTee.CONFIG_MRSIGNER, SIGNER, SimulatedTee.CONFIG_ISVPRODID, "7",
                SimulatedTee.CONFIG_ISVSVN, "3")).rule().value()).isEqualTo("sgx-signer:" + SIGNER + ":7:3");
        assertThat(admits(SimulatedTee.signer(java.util.Map.of()).rule(), q)).as("the default signer is another").isFalse();
        SimulatedTee plain = SimulatedTee.open(dir, "runtime");
        assertThat(plain.isvSvn()).isZero();
        assertThat(plain.measurement()).isNotEqualTo(a.measurement());
        assertThatThrownBy(() -> SimulatedTee.open(dir, "runtime", java.util.Map.of(SimulatedTee.CONFIG_ISVSVN, "70000")))
                .isInstanceOf(AttestationException.class).hasMessageContaining("sgx.isvsvn");
    }
}
