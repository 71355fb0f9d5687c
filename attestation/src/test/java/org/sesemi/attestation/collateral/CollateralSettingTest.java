package org.sesemi.attestation.collateral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.collateral.CollateralSetting.Kind;

class CollateralSettingTest {
    @TempDir Path dir;

    @Test
    void parsesEveryForm() {
        assertThat(CollateralSetting.parse("none").kind()).isEqualTo(Kind.NONE);
        assertThat(CollateralSetting.parse("none").required()).isFalse();
        assertThat(CollateralSetting.parse("intel").required()).isTrue();
        assertThat(CollateralSetting.parse("pccs:https://pccs.example:8081").argument()).isEqualTo("https://pccs.example:8081");
        assertThat(CollateralSetting.parse("https://pccs.example:8081").kind()).isEqualTo(Kind.PCCS);
        assertThat(CollateralSetting.parse("dir:/var/lib/collateral").argument()).isEqualTo("/var/lib/collateral");
        assertThat(CollateralSetting.parse("simulated").argument()).isEqualTo("UpToDate");
        CollateralSetting s = CollateralSetting.parse("simulated:OutOfDate:INTEL-SA-00615");
        assertThat(s.argument()).isEqualTo("OutOfDate");
        assertThat(s.advisoryIds()).containsExactly("INTEL-SA-00615");
        assertThat(s.describe()).isEqualTo("simulated:OutOfDate:INTEL-SA-00615");
    }

    @Test
    void badSettingsSayWhatIsAccepted() {
        assertThatThrownBy(() -> CollateralSetting.parse("ftp://x")).hasMessageContaining("intel, pccs:URL, dir:PATH");
        assertThatThrownBy(() -> CollateralSetting.parse("")).hasMessageContaining("none");
        assertThatThrownBy(() -> CollateralSetting.parse("simulated:Fine")).hasMessageContaining("OutOfDate");
        assertThatThrownBy(() -> CollateralSetting.parse("simulated:OutOfDate:CVE-1")).hasMessageContaining("INTEL-SA-00123");
        assertThatThrownBy(() -> CollateralSetting.parse("pccs:nohost")).hasMessageContaining("pccs:https://host");
        assertThatThrownBy(() -> CollateralSetting.parse("dir:")).hasMessageContaining("directory");
    }

    @Test
    void defaultsFollowTheTeeAndOpeningChecksFit() {
        SimulatedTee tee = SimulatedTee.open(dir, "keyservice");
        assertThat(CollateralSetting.defaultFor(tee).describe()).isEqualTo("simulated:UpToDate");
        VerificationPolicy p = VerificationPolicy.simulated(tee);
        assertThatThrownBy(() -> CollateralSetting.parse("dir:" + dir.resolve("absent")).open(p, tee, Clock.systemUTC()))
                .hasMessageContaining("does not exist");
        try (ManagedCollateralSource none = CollateralSetting.parse("none").open(p, tee, Clock.systemUTC())) {
            assertThat(none.collateralFor(org.sesemi.attestation.TeeType.SGX, SimulatedTee.FMSPC)).isEmpty();
            assertThat(none.stats().source()).isEqualTo("none");
        }
        assertThat(new CollateralSetting(Kind.INTEL, "", List.of()).describe()).isEqualTo("intel");
    }

    @Test
    void realTeesDefaultToIntelAndRequireCollateralAndSimulatedCollateralNeedsTheSimulatedTee() {
        org.sesemi.attestation.TeeProvider hardware = new org.sesemi.attestation.TeeProvider() {
            @Override public String name() { return "gramine-sgx"; }
            @Override public boolean isSimulated() { return false; }
            @Override public byte[] quote(byte[] reportData64) { throw new UnsupportedOperationException(); }
            @Override public org.sesemi.crypto.SealingKey sealingKey() { throw new UnsupportedOperationException(); }
        };
        CollateralSetting d = CollateralSetting.defaultFor(hardware);
        assertThat(d.kind()).isEqualTo(Kind.INTEL);
        assertThat(d.required()).isTrue();
        PeerVerification.Applied applied = PeerVerification.defaults().apply(VerificationPolicy.defaults(), hardware, Clock.systemUTC());
        try (ManagedCollateralSource s = applied.source()) {
            assertThat(applied.policy().collateralRequired()).isTrue();
            assertThat(applied.setting().describe()).isEqualTo("intel");
        }
        assertThatThrownBy(() -> CollateralSetting.parse("simulated").open(VerificationPolicy.defaults(), hardware, Clock.systemUTC()))
                .hasMessageContaining("only works with the simulated TEE");
        assertThatThrownBy(() -> PeerVerification.parseTcbStatuses("UpToDate,Great")).hasMessageContaining("unknown TCB status 'Great'");
        assertThat(PeerVerification.parseTcbStatuses(" UpToDate , OutOfDate ")).containsExactly("UpToDate", "OutOfDate");
    }
}
