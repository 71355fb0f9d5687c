package org.sesemi.attestation.ratls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.tee.Pki;
import org.sesemi.crypto.PrincipalIdentity;

/**
 * Real mutual RA-TLS over loopback with exactly the JDK's HttpsServer (SSLEngine) and HttpClient, simulated evidence on
 * both sides.
 */
class RaTlsLoopbackTest {
    @TempDir
    static Path teeDir;

    static SimulatedTee keyservice;
    static SimulatedTee runtime;
    static RaTlsIdentity serverId;
    static RaTlsIdentity runtimeId;
    HttpsServer server;

    @BeforeAll
    static void tees() {
        keyservice = SimulatedTee.open(teeDir, "keyservice");
        runtime = SimulatedTee.open(teeDir, "runtime", Map.of("model.slots", "4"));
        serverId = RaTls.issue(keyservice, Duration.ofHours(1));
        runtimeId = RaTls.issue(runtime, Duration.ofHours(1));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Starts a server answering with what it learned about the client. */
    private URI start(RaTlsIdentity id, VerificationPolicy clientPolicy, boolean allowPrincipals) throws IOException {
        SSLContext ctx = RaTls.sslContext(id.keyManager(), RaTls.clientTrust(clientPolicy, allowPrincipals));
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // The servers do this through the HTTP layer (org.sesemi.http); here the JDK server directly, RA-TLS alone.
        server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                params.setSSLParameters(RaTls.parameters(ctx, true));
            }
        });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/whoami", ex -> {
            Optional<PeerIdentity> peer = RaTls.peer(((HttpsExchange) ex).getSSLSession());
            String body = peer.map(p -> switch (p) {
                case PeerIdentity.Principal pr -> "principal " + pr.id();
                case PeerIdentity.AttestedTee t -> "tee " + t.quote().measurement() + " simulated=" + t.quote().simulated();
            }).orElse("anonymous");
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        return URI.create("https://localhost:" + server.getAddress().getPort() + "/whoami");
    }

    private static HttpClient client(SSLContext ctx) {
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static String get(HttpClient c, URI uri) throws Exception {
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.sslSession()).isPresent();
        return r.body();
    }

    @Test
    void mutualRaTlsBothSidesSimulated() throws Exception {
        VerificationPolicy runtimes = VerificationPolicy.builder().trustSimulated(runtime)
                .expectMeasurement(runtime.measurement()).build();
        URI uri = start(serverId, runtimes, false);
        VerificationPolicy ksPolicy = VerificationPolicy.builder().trustSimulated(keyservice)
                .expectMeasurement(keyservice.measurement()).build();
        SSLContext clientCtx = RaTls.sslContext(runtimeId.keyManager(), RaTls.serverTrust(ksPolicy));
        HttpClient c = client(clientCtx);
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("tee " + runtime.measurement() + " simulated=true");
        // The client learns who the server is from the same session.
        Optional<PeerIdentity> serverPeer = RaTls.peer(r.sslSession().orElseThrow());
        assertThat(serverPeer).get().isInstanceOfSatisfying(PeerIdentity.AttestedTee.class, t -> {
            assertThat(t.quote().measurement()).isEqualTo(keyservice.measurement());
            assertThat(t.key()).isEqualTo(serverId.certificate().getPublicKey());
        });
        // A second request on a new connection (possibly a resumed session) still identifies the peer.
        HttpClient c2 = client(clientCtx);
        assertThat(get(c2, uri)).isEqualTo("tee " + runtime.measurement() + " simulated=true");
    }

    @Test
    void principalCertificateAcceptedOnlyWhenAllowed() throws Exception {
        PrincipalIdentity user = PrincipalIdentity.generate();
        var cert = user.selfSignedCertificate(Duration.ofDays(1));
        VerificationPolicy ksPolicy = VerificationPolicy.simulated(keyservice);
        SSLContext userCtx = RaTls.sslContext(RaTls.keyManager(user.privateKey(), cert), RaTls.serverTrust(ksPolicy));

        URI uri = start(serverId, VerificationPolicy.simulated(runtime), true);
        assertThat(get(client(userCtx), uri)).isEqualTo("principal " + user.id());
        server.stop(0);

        URI strict = start(serverId, VerificationPolicy.simulated(runtime), false);
        assertThatThrownBy(() -> get(client(RaTls.sslContext(RaTls.keyManager(user.privateKey(), cert),
                RaTls.serverTrust(ksPolicy))), strict)).isInstanceOf(IOException.class);
    }

    @Test
    void clientRejectsServerWhoseSimulatedRootIsNotTrusted(@TempDir Path otherDir) throws Exception {
        URI uri = start(serverId, VerificationPolicy.simulated(runtime), true);
        SimulatedTee other = SimulatedTee.open(otherDir, "keyservice");
        // Same code, same measurement, but another simulated root: not trusted.
        assertThat(other.measurement()).isEqualTo(keyservice.measurement());
        SSLContext ctx = RaTls.sslContext(runtimeId.keyManager(), RaTls.serverTrust(VerificationPolicy.simulated(other)));
        assertThatThrownBy(() -> get(client(ctx), uri)).isInstanceOf(SSLHandshakeException.class);
        // And the default policy (Intel root only) never trusts simulated evidence.
        SSLContext intelOnly = RaTls.sslContext(runtimeId.keyManager(), RaTls.serverTrust(VerificationPolicy.defaults()));
        assertThatThrownBy(() -> get(client(intelOnly), uri)).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void clientRejectsServerWithWrongMeasurement() throws Exception {
        URI uri = start(serverId, VerificationPolicy.simulated(runtime), true);
        VerificationPolicy expectsRuntime = VerificationPolicy.builder().trustSimulated(keyservice)
                .expectMeasurement(runtime.measurement()).build();
        SSLContext ctx = RaTls.sslContext(runtimeId.keyManager(), RaTls.serverTrust(expectsRuntime));
        assertThatThrownBy(() -> get(client(ctx), uri)).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void handshakeAgainstServerWithValidQuoteForADifferentKeyFails() throws Exception {
        // The server replays a genuine certificate's quote (bound to key A) in a certificate for its own key B.
        KeyPair b = Pki.p256();
        byte[] quoteForA = org.sesemi.attestation.ratls.RaTlsEvidence.of(serverId.certificate()).orElseThrow().quote();
        var forged = RaTls.certificate(b, "CN=forged", legacyQuoteOf(serverId), Optional.empty(), Duration.ofHours(1));
        RaTlsIdentity forgedId = new RaTlsIdentity(b.getPrivate(), forged);
        assertThat(quoteForA).isNotEmpty();
        URI uri = start(forgedId, VerificationPolicy.simulated(runtime), true);
        VerificationPolicy ksPolicy = VerificationPolicy.simulated(keyservice);
        SSLContext ctx = RaTls.sslContext(runtimeId.keyManager(), RaTls.serverTrust(ksPolicy));
        assertThatThrownBy(() -> get(client(ctx), uri)).isInstanceOf(SSLHandshakeException.class);
        assertThatThrownBy(() -> RaTls.verifyCertificate(forged, ksPolicy))
                .isInstanceOfSatisfying(org.sesemi.attestation.AttestationException.class,
                        e -> assertThat(e.reason()).isEqualTo(org.sesemi.attestation.AttestationException.Reason.BINDING_MISMATCH));
    }

    static byte[] legacyQuoteOf(RaTlsIdentity id) {
        byte[] ext = id.certificate().getExtensionValue(RaTlsEvidence.LEGACY_OID);
        return org.bouncycastle.asn1.ASN1OctetString.getInstance(ext).getOctets();
    }
}
