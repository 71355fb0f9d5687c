package org.sesemi.keyservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.attestation.ratls.RaTlsEvidence;
import org.sesemi.attestation.ratls.RaTlsIdentity;
import org.sesemi.client.keyservice.AuditQuery;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.time.FakeClock;

/**
 * Malformed, oversized, unauthenticated and unauthorized requests over real RA-TLS: each gets the right status and
 * reason, and none changes the state.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyServiceBadInputTest {
    Path dir;
    KsFixture ks;
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final PrincipalIdentity user = PrincipalIdentity.generate();
    final PrincipalIdentity stranger = PrincipalIdentity.generate();
    ModelId model;
    ModelKey key = ModelKey.generate(1);
    Measurement ma;
    RawHttp raw;
    RawHttp anon;
    RawHttp strangerRaw;

    @BeforeAll
    void start(@TempDir Path tmp) {
        dir = tmp;
        ks = new KsFixture(dir);
        model = new ModelId(owner.id(), "m");
        ma = ks.runtimeTee("runtime-a").measurement();
        try (var o = ks.principal(owner); var u = ks.principal(user); var s = ks.principal(stranger)) {
            o.register();
            u.register();
            s.register();
            o.putModelKey(model, key);
            o.addGrant(model, user.id(), ma);
            u.putRequestKey(model, ma, RequestKey.generate());
        }
        raw = RawHttp.principal(ks, owner);
        anon = RawHttp.anonymous(ks);
        strangerRaw = RawHttp.principal(ks, stranger);
    }

    @AfterAll
    void stop() {
        raw.close();
        anon.close();
        strangerRaw.close();
        ks.close();
    }

    String keyPath() {
        return "/v1/models/" + model.owner().hex() + "/" + model.name() + "/key";
    }

    static String b64(int n) {
        return Base64.getEncoder().encodeToString(new byte[n]);
    }

    void assertStateUnchanged() {
        try (var o = ks.principal(owner); var rt = ks.runtime("runtime-a")) {
            assertThat(o.listGrants(model)).hasSize(1);
            assertThat(rt.release(user.id(), model).modelKey()).isEqualTo(key);
        }
    }

    @Test
    void malformedBodiesAreRejectedWithMalformed() {
        String[] bodies = {
            "{\"version\":2,\"key\":",                                  // truncated
            "{\"version\":2,\"key\":\"" + b64(32) + "\",\"extra\":1}",   // unknown field
            "{\"version\":2,\"version\":3,\"key\":\"" + b64(32) + "\"}", // duplicate field
            "{\"version\":2}",                                          // missing field
            "{\"version\":\"2\",\"key\":\"" + b64(32) + "\"}",           // string for a number
            "{\"version\":2.5,\"key\":\"" + b64(32) + "\"}",             // float for an int
            "{\"version\":null,\"key\":\"" + b64(32) + "\"}",            // null for a number
            "{\"version\":2,\"key\":\"" + b64(32) + "\"} {}",            // trailing tokens
            "{\"version\":2,\"key\":\"" + b64(31) + "\"}",               // short key
            "{\"version\":2,\"key\":\"not base64!\"}",
            "{\"version\":0,\"key\":\"" + b64(32) + "\"}",               // version below 1
            "[]", "null", "\"x\"", "{}", "{\"a\":" + "[".repeat(100) + "]".repeat(100) + "}",
        };
        for (String b : bodies) {
            var r = raw.json("PUT", keyPath(), b);
            assertThat(r.status()).as(b).isEqualTo(400);
            assertThat(r.reason()).as(b).isEqualTo("malformed");
        }
        var r = raw.json("PUT", keyPath(), "{\"version\":2,\"key\":\"" + b64(32) + "\",\"sneaky\":1}");
        assertThat(r.body()).contains("sneaky").doesNotContain(b64(32));
        assertThat(raw.send("PUT", keyPath(), "application/json", null).reason()).isEqualTo("malformed");
        assertStateUnchanged();
    }

    @Test
    void oversizedAndWronglyTypedBodies() {
        byte[] huge = ("{\"version\":2,\"key\":\"" + "A".repeat(2 << 20) + "\"}").getBytes(StandardCharsets.US_ASCII);
        // The server answers 413 and closes the connection (it will not read an oversized body): use a fresh client.
        try (RawHttp once = RawHttp.principal(ks, owner)) {
            var big = once.send("PUT", keyPath(), "application/json", huge);
            assertThat(big.status()).isEqualTo(413);
            assertThat(big.reason()).isEqualTo("too_large");
            assertThat(big.headers().firstValue("Connection")).contains("close");
        }
        var text = raw.send("PUT", keyPath(), "text/plain", ("{\"version\":2,\"key\":\"" + b64(32) + "\"}").getBytes());
        assertThat(text.status()).isEqualTo(415);
        var none = raw.send("PUT", keyPath(), null, ("{\"version\":2,\"key\":\"" + b64(32) + "\"}").getBytes());
        assertThat(none.status()).isEqualTo(415);
        var bodyOnGrant = raw.json("PUT", "/v1/models/" + owner.id() + "/m/grants/" + user.id() + "/" + ma, "{}");
        assertThat(bodyOnGrant.reason()).isEqualTo("malformed");
        assertStateUnchanged();
    }

    @Test
    void badPathsMethodsAndQueries() {
        assertThat(raw.get("/v1/nothing-here").status()).isEqualTo(404);
        assertThat(raw.get("/v1/nothing-here").reason()).isEqualTo("not_found");
        assertThat(raw.send("DELETE", "/v1/register", null, null).status()).isEqualTo(405);
        assertThat(raw.send("FOOBAR1", "/v1/register", null, null).reason()).isEqualTo("method_not_allowed");
        assertThat(anon.get("/metrics").body()).doesNotContain("FOOBAR1").contains("method=\"OTHER\"");
        assertThat(raw.get("/v1/models/NOTHEX/m/grants").reason()).isEqualTo("malformed");
        assertThat(raw.get("/v1/models/" + owner.id() + "/.hidden/grants").reason()).isEqualTo("malformed");
        assertThat(raw.send("PUT", "/v1/models/" + owner.id() + "/m/grants/" + user.id() + "/sgx:1234", null, null).reason())
                .isEqualTo("malformed");
        assertThat(raw.get("/v1/models/" + owner.id() + "/m%2Fx/grants").reason()).isEqualTo("malformed");
        assertThat(raw.get("/v1/audit?limit=0").reason()).isEqualTo("malformed");
        assertThat(raw.get("/v1/audit?limit=5&limit=6").reason()).isEqualTo("malformed");
        assertThat(raw.get("/v1/audit?evil=1").reason()).isEqualTo("malformed");
        assertThat(raw.json("POST", "/v1/register", "{\"x\":1}").reason()).isEqualTo("malformed");
        assertStateUnchanged();
    }

    /** Sends raw bytes over a real TLS connection as the owner and returns what the server answered (may be empty). */
    private String rawExchange(String request, boolean closeOutput) throws Exception {
        var ctx = RaTls.sslContext(RaTls.keyManager(owner.privateKey(), owner.selfSignedCertificate(Duration.ofHours(1))),
                RaTls.serverTrust(ks.clientPolicy()));
        try (var sock = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", ks.server.port())) {
            sock.setSoTimeout(20_000);
            sock.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            sock.getOutputStream().flush();
            if (closeOutput) {
                sock.close(); // truncated: the peer goes away mid-body
                return "";
            }
            // Read until the server closes, or until it has been silent for 2 s (it may keep a garbled connection).
            sock.setSoTimeout(2_000);
            var out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; out.size() < 65536 && (n = sock.getInputStream().read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                }
            } catch (java.net.SocketTimeoutException | javax.net.ssl.SSLException silentOrClosed) {
                // what arrived so far is the answer
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void truncatedAndGarbledHttpLeavesTheServerServing() throws Exception {
        String path = keyPath();
        rawExchange("PUT " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"version\":", true);
        String badLength = rawExchange("PUT " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: abc\r\nConnection: close\r\n\r\n{}", false);
        assertThat(badLength).startsWith("HTTP/1.1 4");
        String garbage = rawExchange("\u0000\u0001GARBAGE not http\r\n\r\n", false);
        assertThat(garbage).doesNotContain("200 OK");
        String noLength = rawExchange("PUT " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n{\"ver\r\n0\r\n\r\n", false);
        assertThat(noLength).startsWith("HTTP/1.1 400");
        assertStateUnchanged();
    }

    @Test
    void noClientCertificateMeansUnauthenticatedExceptForHealthMetricsAndOpenApi() {
        var r = anon.json("POST", "/v1/register", "{}");
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.reason()).isEqualTo("unauthenticated");
        assertThat(anon.json("POST", "/v1/release", "{\"user\":\"" + user.id() + "\",\"model\":\"" + model + "\"}").status())
                .isEqualTo(401);
        assertThat(anon.get("/health").status()).isEqualTo(200);
        var metrics = anon.get("/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("keyservice_requests_seconds_bucket").contains("keyservice_releases_total");
        var api = anon.get("/v1/openapi.json");
        assertThat(api.status()).isEqualTo(200);
        assertThat(api.body()).contains("\"openapi\"").contains("/v1/release");
        assertThat(anon.get("/health").headers().firstValue("Cache-Control")).contains("no-store");
    }

    @Test
    void principalsCannotActOnOthersModelsOrFetchKeys() {
        try (KeyServiceClient s = ks.principal(stranger); KeyServiceClient unregistered = ks.principal(PrincipalIdentity.generate());
                KeyServiceClient u = ks.principal(user)) {
            for (Runnable op : new Runnable[] {
                () -> s.putModelKey(model, ModelKey.generate(9)),
                () -> s.addGrant(model, stranger.id(), ma),
                () -> s.revokeGrant(model, user.id(), ma),
                () -> s.listGrants(model),
                () -> unregistered.putRequestKey(model, ma, RequestKey.generate()),
                () -> unregistered.audit(AuditQuery.all()),
            }) {
                assertThatThrownBy(op::run).isInstanceOfSatisfying(KeyServiceException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.reason()).isEqualTo("forbidden");
                });
            }
            assertThatThrownBy(() -> u.release(user.id(), model)).isInstanceOfSatisfying(KeyServiceException.class, e -> {
                assertThat(e.status()).isEqualTo(403);
                assertThat(e.reason()).isEqualTo("attestation_rejected");
            });
        }
        try (KeyServiceClient o = ks.principal(owner)) {
            assertThat(o.audit(AuditQuery.forModel(model))).filteredOn(e -> e.outcome().equals("denied"))
                    .extracting(e -> e.actor()).contains(stranger.id().hex());
        }
        assertStateUnchanged();
    }

    @Test
    void runtimesCannotManageKeysOrGrants() {
        try (KeyServiceClient rt = ks.runtime("runtime-a")) {
            assertThatThrownBy(() -> rt.putModelKey(model, ModelKey.generate(5))).isInstanceOfSatisfying(
                    KeyServiceException.class, e -> assertThat(e.reason()).isEqualTo("forbidden"));
            assertThatThrownBy(() -> rt.addGrant(model, user.id(), ma)).isInstanceOfSatisfying(
                    KeyServiceException.class, e -> assertThat(e.reason()).isEqualTo("forbidden"));
            assertThatThrownBy(() -> rt.putRequestKey(model, ma, RequestKey.generate())).isInstanceOfSatisfying(
                    KeyServiceException.class, e -> assertThat(e.reason()).isEqualTo("forbidden"));
            assertThatThrownBy(rt::register).isInstanceOfSatisfying(
                    KeyServiceException.class, e -> assertThat(e.reason()).isEqualTo("forbidden"));
        }
        assertStateUnchanged();
    }

    @Test
    void evidenceFromAnUntrustedRootIsRejectedWithAttestationRejected() {
        // Same role (so same measurement as the granted runtime), but another simulated root.
        SimulatedTee foreign = SimulatedTee.open(dir.resolve("other-root"), "runtime-a");
        assertThat(foreign.measurement()).isEqualTo(ma);
        try (KeyServiceClient rt = KeyServiceClient.forRuntime(ks.endpoint, RaTls.issue(foreign, Duration.ofHours(1)))) {
            assertThatThrownBy(() -> rt.release(user.id(), model)).isInstanceOfSatisfying(KeyServiceException.class, e -> {
                assertThat(e.status()).isEqualTo(403);
                assertThat(e.reason()).isEqualTo("attestation_rejected");
                assertThat(e.getMessage()).contains("untrusted_root");
            });
        }
        assertStateUnchanged();
    }

    @Test
    void replayedEvidenceBoundToAnotherKeyIsRejected() throws Exception {
        RaTlsIdentity genuine = ks.runtimeIdentity("runtime-a");
        byte[] quote = RaTlsEvidence.of(genuine.certificate()).orElseThrow().quote();
        var keys = java.security.KeyPairGenerator.getInstance("EC");
        keys.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        var kp = keys.generateKeyPair();
        var forged = RaTls.certificate(kp, "CN=replay", quote, Optional.empty(), Duration.ofHours(1));
        try (RawHttp rt = new RawHttp(ks.server.uri(), ks.clientPolicy(), RaTls.keyManager(kp.getPrivate(), forged))) {
            var r = rt.json("POST", "/v1/release", "{\"user\":\"" + user.id() + "\",\"model\":\"" + model + "\"}");
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.reason()).isEqualTo("attestation_rejected");
            assertThat(r.body()).contains("binding_mismatch");
        }
        assertStateUnchanged();
    }

    @Test
    void expiredEvidenceIsRejected(@TempDir Path other) {
        // A KeyService whose clock is two days ahead sees every fresh runtime certificate (valid 1 h) as expired.
        try (KsFixture late = new KsFixture(other, c -> c.runtimePolicy(VerificationPolicy.simulated(
                SimulatedTee.open(other.resolve("tee"), "keyservice")).toBuilder()
                .clock(Clock.offset(Clock.systemUTC(), Duration.ofDays(2))).build()));
                KeyServiceClient rt = late.runtime("runtime-a")) {
            assertThatThrownBy(() -> rt.release(user.id(), model)).isInstanceOfSatisfying(KeyServiceException.class, e -> {
                assertThat(e.reason()).isEqualTo("attestation_rejected");
                assertThat(e.getMessage()).contains("evidence_expired");
            });
        }
    }

    @Test
    void evidenceThatExpiresDuringAConnectionStopsWorkingAndCannotReconnect(@TempDir Path other) {
        FakeClock clock = new FakeClock(java.time.Instant.now());
        try (KsFixture ks2 = new KsFixture(other, c -> c.runtimePolicy(VerificationPolicy.simulated(
                SimulatedTee.open(other.resolve("tee"), "keyservice")).toBuilder().clock(clock).build()))) {
            PrincipalIdentity o = PrincipalIdentity.generate();
            ModelId m = new ModelId(o.id(), "m");
            Measurement mr = ks2.runtimeTee("runtime-a").measurement();
            try (var oc = ks2.principal(o)) {
                oc.register();
                oc.putModelKey(m, ModelKey.generate(1));
                oc.addGrant(m, o.id(), mr);
                oc.putRequestKey(m, mr, RequestKey.generate());
            }
            RaTlsIdentity id = ks2.runtimeIdentity("runtime-a"); // valid for 1 h
            try (KeyServiceClient rt = KeyServiceClient.forRuntime(ks2.endpoint, id)) {
                assertThat(rt.release(o.id(), m).modelKey().version()).isEqualTo(1);
                clock.advance(Duration.ofHours(2));
                assertThatThrownBy(() -> rt.release(o.id(), m)).isInstanceOfSatisfying(KeyServiceException.class, e -> {
                    assertThat(e.reason()).isEqualTo("attestation_rejected");
                    assertThat(e.getMessage()).contains("evidence_expired");
                });
            }
            // A new connection with the same (now expired) certificate: the identity caches must not revive it.
            try (KeyServiceClient again = KeyServiceClient.forRuntime(ks2.endpoint, id)) {
                assertThatThrownBy(() -> again.release(o.id(), m)).isInstanceOfSatisfying(KeyServiceException.class,
                        e -> assertThat(e.reason()).isEqualTo("attestation_rejected"));
            }
            // Fresh evidence works again.
            try (KeyServiceClient fresh = KeyServiceClient.forRuntime(ks2.endpoint, RaTls.issue(ks2.runtimeTee("runtime-a"),
                    Duration.ofHours(4)))) {
                // the clock stays 2 h ahead: inside the fresh evidence's 4 h
                assertThat(fresh.release(o.id(), m).modelKey().version()).isEqualTo(1);
            }
        }
    }

    @Test
    void rateLimitAnswers429WithRetryAfter(@TempDir Path other) {
        try (KsFixture limited = new KsFixture(other, c -> c.rateLimit(0.01, 2));
                RawHttp r = RawHttp.principal(limited, owner)) {
            assertThat(r.json("POST", "/v1/register", "{}").status()).isEqualTo(201);
            assertThat(r.json("POST", "/v1/register", "{}").status()).isEqualTo(200);
            var third = r.json("POST", "/v1/register", "{}");
            assertThat(third.status()).isEqualTo(429);
            assertThat(third.reason()).isEqualTo("rate_limited");
            assertThat(third.headers().firstValue("Retry-After")).isPresent();
            // Health is not rate limited per principal.
            assertThat(r.get("/health").status()).isEqualTo(200);
        }
    }
}
