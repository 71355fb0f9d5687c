package org.sesemi.bench.attestation;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.attestation.ratls.RaTlsIdentity;

/**
 * Mutual RA-TLS (TLS 1.3, simulated evidence on both sides, P-256) over loopback TCP: connect, handshake, one byte
 * each way, close. {@code fullHandshake} invalidates the session each time, so both sides verify the peer's quote
 * (PCK chain cached by the verifier); {@code resumedHandshake} reuses the client session (PSK resumption, no
 * certificate and no quote verification). Server and client share the machine's cores.
 */
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class RaTlsHandshakeBenchmark {
    SSLServerSocket server;
    ExecutorService acceptor;
    SSLContext clientCtx;
    final AtomicLong serverVerifications = new AtomicLong();
    final AtomicLong handshakes = new AtomicLong();

    @Setup(Level.Trial)
    public void start() throws IOException {
        Path dir = Files.createTempDirectory("bench-ratls");
        SimulatedTee ks = SimulatedTee.open(dir, "keyservice");
        SimulatedTee rt = SimulatedTee.open(dir, "runtime");
        RaTlsIdentity serverId = RaTls.issue(ks, Duration.ofHours(2));
        RaTlsIdentity clientId = RaTls.issue(rt, Duration.ofHours(2));
        X509ExtendedTrustManager counting = counting(RaTls.clientTrust(VerificationPolicy.simulated(rt), false));
        SSLContext serverCtx = RaTls.sslContext(serverId.keyManager(), counting);
        clientCtx = RaTls.sslContext(clientId.keyManager(), RaTls.serverTrust(VerificationPolicy.simulated(ks)));
        server = (SSLServerSocket) serverCtx.getServerSocketFactory().createServerSocket(0, 512, InetAddress.getLoopbackAddress());
        server.setSSLParameters(RaTls.parameters(serverCtx, true));
        acceptor = Executors.newVirtualThreadPerTaskExecutor();
        acceptor.submit(() -> {
            while (!server.isClosed()) {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                acceptor.submit(() -> {
                    try (s) {
                        InputStream in = s.getInputStream();
                        int b = in.read();
                        OutputStream out = s.getOutputStream();
                        out.write(b);
                        out.flush();
                    }
                    return null;
                });
            }
            return null;
        });
    }

    private X509ExtendedTrustManager counting(X509ExtendedTrustManager tm) {
        return new X509ExtendedTrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
                serverVerifications.incrementAndGet();
                tm.checkClientTrusted(c, a, s);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException {
                tm.checkServerTrusted(c, a, s);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
                serverVerifications.incrementAndGet();
                tm.checkClientTrusted(c, a, e);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException {
                tm.checkServerTrusted(c, a, e);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException {
                serverVerifications.incrementAndGet();
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

    private int roundTrip(boolean invalidate) throws IOException {
        try (SSLSocket s = (SSLSocket) clientCtx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                server.getLocalPort())) {
            // Without TCP_NODELAY, Nagle + delayed ACK add ~40 ms to the small post-handshake writes.
            s.setTcpNoDelay(true);
            s.setSSLParameters(RaTls.parameters(clientCtx, true));
            s.startHandshake();
            handshakes.incrementAndGet();
            s.getOutputStream().write(7);
            s.getOutputStream().flush();
            int r = s.getInputStream().read();
            if (invalidate) {
                s.getSession().invalidate();
            }
            return r;
        }
    }

    @Benchmark
    public int fullHandshake() throws IOException {
        return roundTrip(true);
    }

    @Benchmark
    public int resumedHandshake() throws IOException {
        return roundTrip(false);
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        System.err.printf("RaTlsHandshakeBenchmark: %d handshakes, %d server-side quote verifications%n",
                handshakes.get(), serverVerifications.get());
        server.close();
        acceptor.shutdownNow();
    }
}
