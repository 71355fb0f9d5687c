package org.sesemi.keyservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.client.keyservice.AuditEvent;
import org.sesemi.client.keyservice.AuditQuery;
import org.sesemi.client.keyservice.Grant;
import org.sesemi.client.keyservice.KeyRelease;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.client.keyservice.KeyServiceException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;

/** The whole flow through real RA-TLS on loopback, with the simulated TEE on both sides. */
class KeyServiceRoundTripTest {
    @TempDir Path dir;
    KsFixture ks;
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final PrincipalIdentity user = PrincipalIdentity.generate();
    ModelId model;

    @BeforeEach
    void start() {
        ks = new KsFixture(dir);
        model = new ModelId(owner.id(), "mobilenet");
    }

    @AfterEach
    void stop() {
        ks.close();
    }

    @Test
    void ownerUserAndRuntimeDoTheWholeFlow() {
        SimulatedTee teeA = ks.runtimeTee("runtime-a");
        Measurement ma = teeA.measurement();
        Measurement mb = ks.runtimeTee("runtime-b").measurement();
        assertThat(ma).isNotEqualTo(mb);
        ModelKey mk = ModelKey.generate(1);
        RequestKey rk = RequestKey.generate();
        try (KeyServiceClient o = ks.principal(owner); KeyServiceClient u = ks.principal(user);
                KeyServiceClient ra = ks.runtime("runtime-a"); KeyServiceClient rb = ks.runtime("runtime-b")) {
            assertThat(o.health().simulated()).isTrue();
            assertThat(o.register().created()).isTrue();
            assertThat(o.register().created()).isFalse();
            assertThat(u.register().principal()).isEqualTo(user.id());

            assertThat(o.putModelKey(model, mk)).isTrue();
            assertThat(o.putModelKey(model, mk)).isFalse();
            assertThat(o.addGrant(model, user.id(), ma)).isTrue();
            assertThat(o.listGrants(model)).containsExactly(new Grant(model, user.id(), ma));

            assertThatThrownBy(() -> ra.release(user.id(), model)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("no_request_key"));
            assertThat(u.putRequestKey(model, ma, rk)).isTrue();

            Instant before = Instant.now();
            KeyRelease rel = ra.release(user.id(), model);
            assertThat(rel.modelKey()).isEqualTo(mk);
            assertThat(rel.requestKey()).isEqualTo(rk);
            assertThat(rel.expiresAt()).isCloseTo(before.plusSeconds(60), within(5, ChronoUnit.SECONDS));

            // Another measurement, another user, another model: nothing.
            assertThatThrownBy(() -> rb.release(user.id(), model)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("no_grant"));
            assertThatThrownBy(() -> ra.release(owner.id(), model)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("no_grant"));
            assertThatThrownBy(() -> ra.release(user.id(), new ModelId(owner.id(), "other"))).isInstanceOfSatisfying(
                    KeyServiceException.class, e -> assertThat(e.reason()).isEqualTo("unknown_model"));

            // Rotation: the next release carries the new version.
            ModelKey mk2 = ModelKey.generate(2);
            assertThat(o.putModelKey(model, mk2)).isTrue();
            assertThat(ra.release(user.id(), model).modelKey()).isEqualTo(mk2);
            // While model files encrypted under version 1 are still around, a runtime can ask for that version.
            assertThat(ra.release(user.id(), model, 1).modelKey()).isEqualTo(mk);
            assertThat(ra.release(user.id(), model, 2).modelKey()).isEqualTo(mk2);
            assertThatThrownBy(() -> ra.release(user.id(), model, 3)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("no_model_key"));
            assertThatThrownBy(() -> o.putModelKey(model, ModelKey.generate(1))).isInstanceOfSatisfying(
                    KeyServiceException.class, e -> assertThat(e.status()).isEqualTo(409));

            // Revocation takes effect for new releases at once.
            assertThat(o.revokeGrant(model, user.id(), ma)).isTrue();
            assertThatThrownBy(() -> ra.release(user.id(), model)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("no_grant"));
            assertThat(o.addGrant(model, user.id(), ma)).isTrue();
            assertThat(u.deleteRequestKey(model, ma)).isTrue();
            assertThatThrownBy(() -> ra.release(user.id(), model)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("no_request_key"));

            // The audit log: the owner sees releases and denials on its model, the user those naming it.
            List<AuditEvent> ownerView = o.audit(AuditQuery.forModel(model));
            assertThat(ownerView).extracting(AuditEvent::event).contains("model_key_put", "grant_add", "release", "grant_revoke");
            assertThat(ownerView).filteredOn(e -> e.event().equals("release") && e.outcome().equals("allowed")).hasSize(4)
                    .allSatisfy(e -> assertThat(e.measurement()).contains(ma));
            assertThat(ownerView).filteredOn(e -> e.reason().equals(java.util.Optional.of("no_grant"))).isNotEmpty();
            List<AuditEvent> userView = u.audit(AuditQuery.all());
            assertThat(userView).allSatisfy(e -> assertThat(e.user()).contains(user.id()));
            assertThat(userView).extracting(AuditEvent::event).contains("release", "request_key_put", "request_key_delete");
        }
        // Prometheus: releases, denials by reason, latency histograms by route template (never ids).
        try (RawHttp anon = RawHttp.anonymous(ks)) {
            String metrics = anon.get("/metrics").body();
            assertThat(metrics).containsPattern("keyservice_releases_total(\\{[^}]*\\})? 4\\.0")
                    .contains("keyservice_release_denials_total{reason=\"no_grant\"}")
                    .contains("keyservice_release_denials_total{reason=\"no_request_key\"}")
                    .contains("keyservice_release_denials_total{reason=\"unknown_model\"}")
                    .contains("route=\"/v1/release\"")
                    .doesNotContain(owner.id().hex());
        }
    }

    @Test
    void aClientRefusesAKeyServiceWithAnotherMeasurementBeforeSendingAnything() {
        VerificationPolicy wrong = VerificationPolicy.simulated(SimulatedTee.open(ks.teeDir, "keyservice")).toBuilder()
                .expectMeasurement(ks.runtimeTee("not-the-keyservice").measurement()).build();
        try (KeyServiceClient c = KeyServiceClient.forPrincipal(new KeyServiceEndpoint(ks.server.uri(), wrong), owner)) {
            assertThatThrownBy(c::register).isInstanceOfSatisfying(KeyServiceException.class, e -> {
                assertThat(e.reason()).isEqualTo(KeyServiceException.KS_EVIDENCE_REJECTED);
                assertThat(e.status()).isZero();
            });
        }
        // Nothing reached the store.
        assertThat(ks.server.store().isRegistered(owner.id())).isFalse();
    }

    @Test
    void aClientThatDoesNotTrustTheSimulatedRootRefusesTheKeyService() {
        try (KeyServiceClient c = KeyServiceClient.forPrincipal(
                new KeyServiceEndpoint(ks.server.uri(), VerificationPolicy.defaults()), owner)) {
            assertThatThrownBy(c::health).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo(KeyServiceException.KS_EVIDENCE_REJECTED));
        }
    }
}
