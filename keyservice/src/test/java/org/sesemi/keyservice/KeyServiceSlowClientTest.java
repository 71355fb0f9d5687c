package org.sesemi.keyservice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.crypto.PrincipalIdentity;

/**
 * Clients that announce more than they send, over real RA-TLS sockets: a declared oversized body is refused from its
 * Content-Length at once, and a client that stops sending mid-request is cut off by the request deadline.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyServiceSlowClientTest {
    KsFixture ks;
    final PrincipalIdentity owner = PrincipalIdentity.generate();

    @BeforeAll
    void start(@TempDir Path dir) {
        ks = new KsFixture(dir);
        try (var o = ks.principal(owner)) {
            o.register();
        }
    }

    @AfterAll
    void stop() {
        ks.close();
    }

    private SSLSocket connect() throws IOException {
        var ctx = RaTls.sslContext(RaTls.keyManager(owner.privateKey(), owner.selfSignedCertificate(Duration.ofHours(1))),
                RaTls.serverTrust(ks.clientPolicy()));
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", ks.server.port());
        s.startHandshake();
        return s;
    }

    /** Reads until the peer closes or {@code limit} passes; returns what arrived and when the first byte came. */
    private static String readAnswer(SSLSocket s, Duration limit) throws IOException {
        s.setSoTimeout((int) limit.toMillis());
        var out = new java.io.ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                if (out.toString(StandardCharsets.ISO_8859_1).contains("}")) {
                    break; // one JSON error body is all we wait for
                }
            }
        } catch (java.net.SocketTimeoutException | javax.net.ssl.SSLException e) {
            // what arrived so far is the answer
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aDeclared50MegabyteBodyThatNeverComesIsRefusedAtOnce() throws Exception {
        String path = "/v1/models/" + owner.id().hex() + "/m/key";
        for (String head : new String[] {
            "PUT " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n",
            // not even a route that takes a body, and no client certificate needed to learn it
            "GET /v1/nothing HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n{",
        }) {
            try (SSLSocket s = connect()) {
                long t0 = System.nanoTime();
                s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                String answer = readAnswer(s, Duration.ofSeconds(8));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(answer).as(head).startsWith("HTTP/1.1 413").contains("\"too_large\"");
                assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
                // Before the fix the answer waited for the body (never) until the request deadline closed the socket.
                assertThat(ms).as("answered after %d ms", ms).isLessThan(5_000);
            }
        }
    }

    @Test
    void aClientThatStopsSendingMidRequestIsCutOff() throws Exception {
        long deadline = Long.getLong("sun.net.httpserver.maxReqTime", 30);
        try (SSLSocket s = connect()) {
            long t0 = System.nanoTime();
            s.getOutputStream().write("POST /v1/register HTTP/1.1\r\nHost: x\r\nContent-Le".getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            s.setSoTimeout((int) Duration.ofSeconds(deadline + 15).toMillis());
            int r;
            try {
                r = s.getInputStream().read();
            } catch (java.net.SocketException | javax.net.ssl.SSLException closed) {
                r = -1;
            }
            long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
            assertThat(r).as("the server closed the connection").isEqualTo(-1);
            assertThat(seconds).isLessThanOrEqualTo(deadline + 5);
        }
        // and it still serves
        try (var o = ks.principal(owner)) {
            o.register();
        }
    }
}
