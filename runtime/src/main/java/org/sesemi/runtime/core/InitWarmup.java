package org.sesemi.runtime.core;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.sesemi.attestation.dcap.Ecdsa;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.attestation.tee.Pki;
import org.sesemi.crypto.Hashes;

/**
 * Stem-cell work for {@code /init}: what the TEE identity, the RA-TLS certificate and the KeyService handshake execute,
 * run once on throwaway data on a daemon thread as soon as the process starts, before any setting is known — P-256
 * key generation, ECDSA signatures over DCAP's encodings and their verification, the curve tables, a self-signed
 * certificate with an extension (the RA-TLS builder), SHA-256 and HMAC, JSSE's TLS 1.3 context and engine. In a fresh
 * JVM these paths run interpreted and load their classes (Bouncy Castle's come from signed jars, which the JDK's AOT
 * cache does not hold), which made them most of {@code /init}; done here they overlap the process start and the wait
 * for {@code /init} (all of it in a prewarmed container), and {@code /init} finds them loaded and compiled.
 *
 * <p>Nothing of it is kept: the keys, signatures and the certificate are discarded, nothing is sent or logged; a
 * failure is ignored ({@code /init} then does the same work and reports its own errors). At most once per process;
 * {@code -Dsesemi.runtime.warmup=false} turns it off (the lever's "before" in {@code sesemi bench platform}).
 */
public final class InitWarmup {
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** Rounds of the signing and verifying paths: enough for the JIT's first tier to pick them up. */
    private static final int ROUNDS = 8;

    private InitWarmup() {}

    /** Starts the warm-up on a daemon thread and returns at once (no-op after the first call, or when turned off). */
    public static void start() {
        if ("false".equals(System.getProperty("sesemi.runtime.warmup")) || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> run(), "semirt-init-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** The warm-up itself, on the caller's thread; true if every step ran. */
    static boolean run() {
        try {
            byte[] data = "sesemi init warm-up".getBytes(StandardCharsets.US_ASCII);
            KeyPair keys = Pki.p256();
            byte[] raw = Ecdsa.rawPublicKey(keys.getPublic());
            for (int i = 0; i < ROUNDS; i++) {
                byte[] sig = Ecdsa.sign(keys.getPrivate(), data);
                Ecdsa.verify(Ecdsa.publicKey(raw), data, sig);
                Hashes.sha256(sig);
            }
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Hashes.sha256(data), "HmacSHA256"));
            mac.doFinal(data);
            X509Certificate cert = RaTls.certificate(keys, "CN=SeSeMI init warm-up", new byte[64], Optional.empty(), Duration.ofMinutes(1));
            cert.verify(cert.getPublicKey());
            SSLContext tls = SSLContext.getInstance("TLSv1.3");
            tls.init(null, null, null);
            SSLEngine engine = tls.createSSLEngine("localhost", 443);
            engine.setUseClientMode(true);
            engine.beginHandshake();
            return true;
        } catch (Exception | LinkageError e) {
            // Only a head start: /init does the same work and reports its own failures.
            return false;
        }
    }
}
