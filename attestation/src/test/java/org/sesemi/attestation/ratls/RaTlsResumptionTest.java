package org.sesemi.attestation.ratls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.VerificationPolicy;

/**
 * TLS 1.3 session resumption: the trust manager is not consulted again, yet the server still learns the attested peer
 * of the resumed session (from the verified-peer cache keyed by certificate).
 */
class RaTlsResumptionTest {
    @TempDir
    Path dir;

    @Test
    void resumedSessionStillIdentifiesTheAttestedPeer() throws Exception {
        SimulatedTee ks = SimulatedTee.open(dir, "keyservice");
        SimulatedTee rt = SimulatedTee.open(dir, "runtime");
        RaTlsIdentity serverId = RaTls.issue(ks, Duration.ofHours(1));
        RaTlsIdentity clientId = RaTls.issue(rt, Duration.ofHours(1));
        AtomicInteger verifications = new AtomicInteger();
        SSLContext serverCtx = RaTls.sslContext(serverId.keyManager(),
                counting(RaTls.clientTrust(VerificationPolicy.simulated(rt), false), verifications));
        SSLContext clientCtx = RaTls.sslContext(clientId.keyManager(), RaTls.serverTrust(VerificationPolicy.simulated(ks)));
        LinkedBlockingQueue<Optional<PeerIdentity>> seen = new LinkedBlockingQueue<>();
        try (SSLServerSocket server = (SSLServerSocket) serverCtx.getServerSocketFactory()
                .createServerSocket(0, 16, InetAddress.getLoopbackAddress());
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            server.setSSLParameters(RaTls.parameters(serverCtx, true));
            pool.submit(() -> {
                for (int i = 0; i < 2; i++) {
                    try (SSLSocket s = (SSLSocket) server.accept()) {
                        int b = s.getInputStream().read();
                        seen.add(RaTls.peer(s.getSession()));
                        s.getOutputStream().write(b);
                        s.getOutputStream().flush();
                    }
                }
                return null;
            });
            byte[][] sessionIds = new byte[2][];
            for (int i = 0; i < 2; i++) {
                try (SSLSocket c = (SSLSocket) clientCtx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                        server.getLocalPort())) {
                    c.setSSLParameters(RaTls.parameters(clientCtx, true));
                    c.getOutputStream().write(1);
                    c.getOutputStream().flush();
                    assertThat(c.getInputStream().read()).isEqualTo(1);
                    assertThat(RaTls.peer(c.getSession())).get().isInstanceOf(PeerIdentity.AttestedTee.class);
                    sessionIds[i] = c.getSession().getId();
                }
            }
            for (int i = 0; i < 2; i++) {
                Optional<PeerIdentity> p = seen.poll(30, TimeUnit.SECONDS);
                assertThat(p).as("connection " + i).isNotNull().get().isInstanceOfSatisfying(PeerIdentity.AttestedTee.class,
                        t -> assertThat(t.quote().measurement()).isEqualTo(rt.measurement()));
            }
        }
        // One full handshake verified the client's evidence; the second connection resumed without re-verifying.
        assertThat(verifications.get()).isEqualTo(1);
    }

    static X509ExtendedTrustManager counting(X509ExtendedTrustManager tm, AtomicInteger n) {
        return new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
                n.incrementAndGet();
                tm.checkClientTrusted(c, a, s);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
                tm.checkServerTrusted(c, a, s);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
                n.incrementAndGet();
                tm.checkClientTrusted(c, a, e);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
                tm.checkServerTrusted(c, a, e);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException {
                n.incrementAndGet();
                tm.checkClientTrusted(c, a);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException {
                tm.checkServerTrusted(c, a);
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return tm.getAcceptedIssuers();
            }
        };
    }

}
