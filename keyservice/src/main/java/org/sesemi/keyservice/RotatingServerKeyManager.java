package org.sesemi.keyservice;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.sesemi.attestation.TeeProvider;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.attestation.ratls.RaTlsIdentity;

/**
 * The KeyService's RA-TLS server identity, re-issued (fresh key pair, fresh quote) periodically so that clients
 * enforcing a maximum evidence age keep accepting it.
 *
 * <p>Aliases carry the generation ({@code ks-<n>}) and the previous generation stays available, so a handshake that
 * chose its alias just before a rotation still gets the matching certificate and key. Thread-safe.
 */
final class RotatingServerKeyManager extends X509ExtendedKeyManager {
    private final TeeProvider tee;
    private final Duration validity;
    private final AtomicLong generation = new AtomicLong();
    private final ConcurrentHashMap<Long, RaTlsIdentity> identities = new ConcurrentHashMap<>();

    RotatingServerKeyManager(TeeProvider tee, Duration validity) {
        this.tee = tee;
        this.validity = validity;
        rotate();
    }

    /** Issues a new identity and makes it current; keeps the previous one for in-flight handshakes. */
    void rotate() {
        RaTlsIdentity id = RaTls.issue(tee, validity);
        long gen = generation.get() + 1;
        identities.put(gen, id);
        generation.set(gen);
        identities.keySet().removeIf(g -> g < gen - 1);
    }

    X509Certificate currentCertificate() {
        return identities.get(generation.get()).certificate();
    }

    private String currentAlias() {
        return "ks-" + generation.get();
    }

    private RaTlsIdentity byAlias(String alias) {
        if (alias == null || !alias.startsWith("ks-")) {
            return null;
        }
        try {
            return identities.get(Long.parseLong(alias.substring(3)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return "EC".equals(keyType) ? currentAlias() : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return "EC".equals(keyType) ? currentAlias() : null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return "EC".equals(keyType) ? new String[] {currentAlias()} : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        RaTlsIdentity id = byAlias(alias);
        return id == null ? null : new X509Certificate[] {id.certificate()};
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        RaTlsIdentity id = byAlias(alias);
        return id == null ? null : id.privateKey();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
