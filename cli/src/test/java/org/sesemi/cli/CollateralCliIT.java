package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The collateral setting through the real assembled command: shown in --help, bad values refused clearly. */
class CollateralCliIT {
    @Test
    void serveHelpShowsTheCollateralSetting() throws Exception {
        var ks = SesemiProcess.run("keyservice", "serve", "--help");
        assertThat(ks.exitCode()).isZero();
        assertThat(ks.stdout()).contains("--collateral", "SESEMI_COLLATERAL", "pccs:URL", "--accept-tcb");
        var rt = SesemiProcess.run("runtime", "serve", "--help");
        assertThat(rt.exitCode()).isZero();
        assertThat(rt.stdout()).contains("--collateral", "SESEMI_COLLATERAL", "pccs:URL", "closed", "--accept-tcb");
    }

    @Test
    void badSettingsAreRefusedWithWhatIsAccepted() throws Exception {
        var ks = SesemiProcess.run("keyservice", "serve", "--port", "0", "--collateral", "ftp://nowhere");
        assertThat(ks.exitCode()).isEqualTo(1);
        assertThat(ks.stderr()).contains("collateral must be intel, pccs:URL, dir:PATH");
        var tcb = SesemiProcess.run("keyservice", "serve", "--port", "0", "--accept-tcb", "Fine");
        assertThat(tcb.exitCode()).isEqualTo(1);
        assertThat(tcb.stderr()).contains("unknown TCB status 'Fine'");
        var rt = SesemiProcess.run("runtime", "serve", "--port", "0", "--collateral", "simulated:Great");
        assertThat(rt.exitCode()).isEqualTo(1);
        assertThat(rt.stderr()).contains("simulated TCB status must be one of");
    }
}
