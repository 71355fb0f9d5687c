package org.sesemi.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sesemi.attestation.QuoteVerifierNegativeTest.reasonOf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.AttestationException.Reason;

class DirectoryCollateralSourceTest {
    @TempDir
    Path dir;

    @Test
    void findsCollateralByTeeAndFmspcAndNoticesChanges() throws Exception {
        TestDcap pki = new TestDcap();
        VerificationPolicy p = pki.policy().collateralRequired(true)
                .collateralSource(VerificationPolicy.CollateralSource.directory(dir)).build();
        QuoteVerifier v = new QuoteVerifier();
        assertThat(reasonOf(() -> v.verify(pki.sgxQuote(), Optional.empty(), p))).isEqualTo(Reason.COLLATERAL_INVALID);

        Path file = dir.resolve("sgx-" + TestDcap.FMSPC + ".json");
        Files.write(file, pki.collateral(new TestDcap.Spec()).toJson());
        assertThat(v.verify(pki.sgxQuote(), Optional.empty(), p).tcbStatus()).contains("UpToDate");

        TestDcap.Spec outdated = new TestDcap.Spec();
        outdated.platformStatus = "OutOfDate";
        Files.write(file, pki.collateral(outdated).toJson());
        Files.setLastModifiedTime(file, FileTime.from(Files.getLastModifiedTime(file).toInstant().plus(Duration.ofSeconds(5))));
        assertThat(reasonOf(() -> v.verify(pki.sgxQuote(), Optional.empty(), p))).isEqualTo(Reason.TCB_REJECTED);

        Files.delete(file);
        Files.write(dir.resolve(TestDcap.FMSPC + ".json"), new byte[] {'{'});
        assertThat(reasonOf(() -> v.verify(pki.sgxQuote(), Optional.empty(), p))).isEqualTo(Reason.MALFORMED);
    }
}
