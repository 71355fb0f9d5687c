package org.sesemi.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.request;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.client.keyservice.AuditEvent;
import org.sesemi.client.keyservice.AuditQuery;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.keyservice.KeyServiceConfig;
import org.sesemi.keyservice.KeyServiceServer;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.runtime.host.HostConfig;
import org.sesemi.runtime.host.RuntimeServer;
import org.sesemi.runtime.store.DirectoryModelStore;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/**
 * Upgrades without new grants: the owner grants a signer rule (MRSIGNER, ISVPRODID, minimum ISVSVN) once; real runtime
 * servers whose simulated TEE signs as that signer get keys from a real KeyService whatever their measurement, as long
 * as their ISVSVN is at least the minimum; an older build and another signer are refused; every decision is audited;
 * revoking the rule stops new releases.
 */
class SignerGrantEndToEndTest {
    static final String SIGNER = "5e".repeat(32);
    static final String OTHER_SIGNER = "0f".repeat(32);
    @TempDir Path dir;
    KeyServiceServer ks;
    KeyServiceEndpoint endpoint;
    Path teeDir;
    DirectoryModelStore store;
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final PrincipalIdentity user = PrincipalIdentity.generate();
    final RequestKey requestKey = RequestKey.generate();
    final float[] x = {1, 2, 3, 4};

    @BeforeEach
    void start() {
        teeDir = dir.resolve("tee");
        ks = KeyServiceServer.start(KeyServiceConfig.builder().port(0).host("127.0.0.1").database(dir.resolve("ks.db"))
                .tee(TeeConfig.simulated(teeDir, "keyservice")).rateLimit(0, 1).build());
        endpoint = new KeyServiceEndpoint(ks.uri(), VerificationPolicy.simulated(SimulatedTee.open(teeDir, "keyservice")).toBuilder()
                .expectMeasurement(ks.measurement()).build());
        store = new DirectoryModelStore(dir.resolve("models"));
    }

    @AfterEach
    void stop() {
        ks.close();
    }

    static String build(String signer, int svn) {
        return SimulatedTee.CONFIG_MRSIGNER + "=" + signer + "," + SimulatedTee.CONFIG_ISVPRODID + "=7," + SimulatedTee.CONFIG_ISVSVN + "=" + svn;
    }

    Measurement measurementOf(String build) {
        return SimulatedTee.open(teeDir, "runtime", RuntimeSettings.enclaveConfig(build)).measurement();
    }

    /** Starts a runtime server of this build, initialised against the KeyService, and sends one request through it. */
    void infer(String build, ModelId model) throws Exception {
        try (RuntimeServer rt = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), EnclaveRuntime::fromSettings, Map.of(),
                System.out, System.err)) {
            String init = new ObjectMapper().writeValueAsString(Map.of("value", Map.of("name", "semirt", "env", Map.of(
                    RuntimeSettings.KS_URL, ks.uri().toString(),
                    RuntimeSettings.KS_MEASUREMENT, ks.measurement().value(),
                    RuntimeSettings.TEE, "simulated",
                    RuntimeSettings.TEE_DIR, teeDir.toString(),
                    RuntimeSettings.ENCLAVE_CONFIG, build,
                    RuntimeSettings.MODEL_STORE, store.root().toString()))));
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.port() + "/init"))
                    .POST(HttpRequest.BodyPublishers.ofString(init)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            InferenceClient c = new InferenceClient(URI.create("http://127.0.0.1:" + rt.port() + "/run"), InferenceClient.Protocol.OPENWHISK_RUN,
                    user.id(), model, requestKey);
            assertThat(c.infer(request(floats("x", x, 1, 4)), true).response().outputs()).hasSize(1);
        }
    }

    ModelId publish(RuntimeRule rule) throws Exception {
        ModelId id = new ModelId(owner.id(), "affine");
        byte[] onnx = TestModels.affine(1, 0);
        ModelKey mk = ModelKey.generate(1);
        Fixture.upload(store, dir.resolve("affine.smodel"), id, onnx, mk);
        try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner); KeyServiceClient u = KeyServiceClient.forPrincipal(endpoint, user)) {
            o.register();
            u.register();
            o.putModelKey(id, mk);
            assertThat(o.addGrant(id, user.id(), rule)).isTrue();
            assertThat(u.putRequestKey(id, rule, requestKey)).isTrue();
            assertThat(o.listGrants(id)).singleElement().satisfies(g -> assertThat(g.runtime()).isEqualTo(rule));
        }
        return id;
    }

    @Test
    void aNewBuildOfTheGrantedSignerGetsKeysWithoutANewGrantAndOlderOrForeignBuildsDoNot() throws Exception {
        RuntimeRule rule = RuntimeRule.parse("sgx-signer:" + SIGNER + ":7:2");
        ModelId model = publish(rule);
        String buildA = build(SIGNER, 2);
        String buildB = build(SIGNER, 3);
        Measurement a = measurementOf(buildA);
        Measurement b = measurementOf(buildB);
        assertThat(a).isNotEqualTo(b);

        infer(buildA, model);
        infer(buildB, model); // the upgrade: another measurement, same signer, higher SVN, no new grant
        for (String refused : List.of(build(SIGNER, 1), build(OTHER_SIGNER, 3))) {
            assertThatThrownBy(() -> infer(refused, model)).as(refused)
                    .isInstanceOfSatisfying(RuntimeRejectedException.class, e -> {
                        assertThat(e.code()).isEqualTo("denied");
                        assertThat(e.reason()).isEqualTo("no_grant");
                    });
        }

        try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner)) {
            List<AuditEvent> events = o.audit(AuditQuery.forModel(model));
            assertThat(events).filteredOn(e -> e.event().equals("grant_add")).singleElement()
                    .satisfies(e -> assertThat(e.measurement()).contains(rule));
            List<AuditEvent> releases = events.stream().filter(e -> e.event().equals("release")).toList();
            assertThat(releases).filteredOn(e -> e.outcome().equals("allowed"))
                    .extracting(e -> e.measurement().orElseThrow(), e -> e.reason().orElseThrow())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(a, "grant=" + rule.value()),
                            org.assertj.core.groups.Tuple.tuple(b, "grant=" + rule.value()));
            assertThat(releases).filteredOn(e -> e.outcome().equals("denied"))
                    .extracting(e -> e.measurement().orElseThrow(), e -> e.reason().orElseThrow())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(measurementOf(build(SIGNER, 1)), "no_grant"),
                            org.assertj.core.groups.Tuple.tuple(measurementOf(build(OTHER_SIGNER, 3)), "no_grant"));

            // Revocation works as for measurement grants: the next runtime of the same signer is refused.
            assertThat(o.revokeGrant(model, user.id(), rule)).isTrue();
            assertThat(o.audit(AuditQuery.forModel(model))).filteredOn(e -> e.event().equals("grant_revoke")).singleElement()
                    .satisfies(e -> assertThat(e.measurement()).contains(rule));
        }
        assertThatThrownBy(() -> infer(build(SIGNER, 4), model))
                .isInstanceOfSatisfying(RuntimeRejectedException.class, e -> assertThat(e.reason()).isEqualTo("no_grant"));
    }
}
