package org.sesemi.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.keyservice.KeyServiceConfig;
import org.sesemi.keyservice.KeyServiceServer;

/**
 * {@link CoreInit}: the core built with its parts in parallel and one after the other, against a real KeyService in the
 * SIMULATED TEE (no hardware protection) on loopback; both succeed alike and fail alike, with the part's own message.
 */
class CoreInitTest {
    @TempDir static Path dir;
    static KeyServiceServer ks;

    @BeforeAll
    static void startKeyService() throws Exception {
        ks = KeyServiceServer.start(KeyServiceConfig.builder().port(0).host("127.0.0.1").database(dir.resolve("ks.db"))
                .tee(TeeConfig.simulated(dir.resolve("tee"), "keyservice")).build());
    }

    @AfterAll
    static void stopKeyService() {
        ks.close();
    }

    static Map<String, String> settings() {
        Map<String, String> s = new HashMap<>();
        s.put(RuntimeSettings.KS_URL, ks.uri().toString());
        s.put(RuntimeSettings.KS_MEASUREMENT, ks.measurement().value());
        s.put(RuntimeSettings.TEE_DIR, dir.resolve("tee").toString());
        s.put(RuntimeSettings.MODEL_STORE, dir.resolve("models").toString());
        s.put(RuntimeSettings.MODEL_BUDGET, "64m");
        return s;
    }

    @ParameterizedTest(name = "parallel={0}")
    @ValueSource(booleans = {true, false})
    void buildsAnAttestedCore(boolean parallel) {
        try (EnclaveRuntime core = CoreInit.create(settings(), parallel)) {
            assertThat(core.stats().modelsLoaded()).isZero();
            assertThat(core.collateralStats()).isPresent(); // the core owns the collateral source it verified the KeyService with
        }
    }

    @ParameterizedTest(name = "parallel={0}")
    @ValueSource(booleans = {true, false})
    void aKeyServiceWithOtherEvidenceFailsInitWithTheReason(boolean parallel) {
        Map<String, String> s = settings();
        s.put(RuntimeSettings.KS_MEASUREMENT, "sgx:" + "0".repeat(64));
        assertThatThrownBy(() -> CoreInit.create(s, parallel)).isInstanceOf(RuntimeInitException.class)
                .hasMessageContaining("cannot reach an acceptable KeyService at " + ks.uri());
    }

    @ParameterizedTest(name = "parallel={0}")
    @ValueSource(booleans = {true, false})
    void noKeyServiceListeningFailsInit(boolean parallel) throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Map<String, String> s = settings();
        s.put(RuntimeSettings.KS_URL, "https://127.0.0.1:" + closed);
        assertThatThrownBy(() -> CoreInit.create(s, parallel)).isInstanceOf(RuntimeInitException.class)
                .hasMessageContaining("cannot reach an acceptable KeyService at https://127.0.0.1:" + closed);
    }

    @ParameterizedTest(name = "parallel={0}")
    @ValueSource(booleans = {true, false})
    void aBadSettingOfEitherBranchIsReportedAsItself(boolean parallel) {
        Map<String, String> noUrl = settings();
        noUrl.remove(RuntimeSettings.KS_URL);
        assertThatThrownBy(() -> CoreInit.create(noUrl, parallel)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("setting " + RuntimeSettings.KS_URL + " is required");
        Map<String, String> badConfig = settings();
        badConfig.put(RuntimeSettings.ENCLAVE_CONFIG, "sgx.isvsvn");
        assertThatThrownBy(() -> CoreInit.create(badConfig, parallel)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(RuntimeSettings.ENCLAVE_CONFIG + " entries are key=value");
    }
}
