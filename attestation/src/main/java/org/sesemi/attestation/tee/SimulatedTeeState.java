package org.sesemi.attestation.tee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.dcap.CertChains;
import org.sesemi.attestation.dcap.Ecdsa;
import org.sesemi.crypto.Hashes;
import org.sesemi.crypto.SecureFiles;
import org.sesemi.time.SystemTime;

/**
 * The simulated TEE's keys, kept in {@code <dir>/simulated-tee.json} (mode 0600): a simulated root CA, PCK platform
 * CA, PCK certificate, TCB signer, quoting (attestation) key and the secret sealing keys derive from. Generated once;
 * creation is serialised with a file lock so processes starting at once share one root.
 *
 * @param sealingSecret the caller must not keep or log it; sealing keys are derived from it per measurement
 */
record SimulatedTeeState(KeyPair root, X509Certificate rootCert, KeyPair pckCa, X509Certificate pckCaCert, KeyPair pck,
        X509Certificate pckCert, KeyPair tcbSigner, X509Certificate tcbSignerCert, KeyPair attestation, byte[] attestationRaw,
        byte[] sealingSecret) {
    static final String FILE = "simulated-tee.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Object LOCK = new Object();

    /**
     * Reads the state under {@code dir}, creating it on first use.
     *
     * @throws AttestationException TEE_UNAVAILABLE when it cannot be created or read
     * @throws GeneralSecurityException when the file exists but does not hold usable keys (never replaced silently)
     */
    static SimulatedTeeState loadOrCreate(Path dir) throws GeneralSecurityException {
        return parse(readOrCreate(dir));
    }

    private static JsonNode readOrCreate(Path dir) {
        Path file = dir.resolve(FILE);
        try {
            Files.createDirectories(dir);
            // Two components starting at once must end up with the same root: serialise creation with a lock file
            // (across processes) and a monitor (across threads: the JVM refuses overlapping file locks).
            synchronized (LOCK) {
                try (FileChannel ch = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
                    if (!Files.exists(file)) {
                        SecureFiles.writeOwnerOnly(file, MAPPER.writeValueAsBytes(generate()), false);
                    }
                    return MAPPER.readTree(Files.readAllBytes(file));
                }
            }
        } catch (IOException e) {
            throw new AttestationException(AttestationException.Reason.TEE_UNAVAILABLE,
                    "cannot create or read the simulated TEE state in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static SimulatedTeeState parse(JsonNode s) throws GeneralSecurityException {
        JsonNode attPublic = s.get("attestationPublic");
        JsonNode secret = s.get("sealingSecret");
        if (attPublic == null || !attPublic.isTextual() || secret == null || !secret.isTextual()) {
            throw new GeneralSecurityException("missing attestationPublic or sealingSecret");
        }
        byte[] raw = HexFormat.of().parseHex(attPublic.textValue());
        return new SimulatedTeeState(keyPair(s, "rootKey", "rootCert"), cert(s, "rootCert"), keyPair(s, "pckCaKey", "pckCaCert"),
                cert(s, "pckCaCert"), keyPair(s, "pckKey", "pckCert"), cert(s, "pckCert"), keyPair(s, "tcbSignerKey", "tcbSignerCert"),
                cert(s, "tcbSignerCert"), new KeyPair(Ecdsa.publicKey(raw), privateKey(s, "attestationKey")), raw,
                Base64.getDecoder().decode(secret.textValue()));
    }

    private static ObjectNode generate() {
        Instant now = SystemTime.clock().instant();
        Instant from = now.minus(Duration.ofDays(1));
        Instant to = now.plus(Duration.ofDays(365L * 30));
        String tag = HexFormat.of().formatHex(Hashes.sha256(now.toString().getBytes(StandardCharsets.US_ASCII)), 0, 4);
        String rootName = "CN=SeSeMI SIMULATED SGX Root CA " + tag + " (NO HARDWARE PROTECTION),O=SeSeMI simulation";
        String pckCaName = "CN=SeSeMI SIMULATED SGX PCK Platform CA " + tag + ",O=SeSeMI simulation";
        String pckName = "CN=SeSeMI SIMULATED SGX PCK Certificate " + tag + ",O=SeSeMI simulation";
        String tcbName = "CN=SeSeMI SIMULATED SGX TCB Signing " + tag + ",O=SeSeMI simulation";
        KeyPair root = Pki.p256();
        KeyPair pckCa = Pki.p256();
        KeyPair pck = Pki.p256();
        KeyPair tcb = Pki.p256();
        KeyPair att = Pki.p256();
        X509Certificate rootCert = Pki.ca(rootName, root, rootName, root.getPrivate(), from, to);
        X509Certificate pckCaCert = Pki.ca(pckCaName, pckCa, rootName, root.getPrivate(), from, to);
        X509Certificate pckCert = Pki.pck(pckName, pck, pckCaName, pckCa.getPrivate(), from, to, SimulatedTee.CPU_SVN,
                SimulatedTee.PCE_SVN, new byte[2], HexFormat.of().parseHex(SimulatedTee.FMSPC));
        X509Certificate tcbCert = Pki.leaf(tcbName, tcb, rootName, root.getPrivate(), from, to);
        ObjectNode o = MAPPER.createObjectNode();
        o.put("format", "sesemi-simulated-tee-v1");
        o.put("warning", "SIMULATED TEE: these keys offer no hardware protection");
        putKey(o, "rootKey", root);
        putCert(o, "rootCert", rootCert);
        putKey(o, "pckCaKey", pckCa);
        putCert(o, "pckCaCert", pckCaCert);
        putKey(o, "pckKey", pck);
        putCert(o, "pckCert", pckCert);
        putKey(o, "tcbSignerKey", tcb);
        putCert(o, "tcbSignerCert", tcbCert);
        putKey(o, "attestationKey", att);
        o.put("attestationPublic", HexFormat.of().formatHex(Ecdsa.rawPublicKey(att.getPublic())));
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        o.put("sealingSecret", Base64.getEncoder().encodeToString(secret));
        return o;
    }

    private static void putKey(ObjectNode o, String name, KeyPair k) {
        o.put(name, Base64.getEncoder().encodeToString(k.getPrivate().getEncoded()));
    }

    private static void putCert(ObjectNode o, String name, X509Certificate c) {
        try {
            o.put(name, Base64.getEncoder().encodeToString(c.getEncoded()));
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static PrivateKey privateKey(JsonNode s, String name) throws GeneralSecurityException {
        JsonNode v = s.get(name);
        if (v == null || !v.isTextual()) {
            throw new GeneralSecurityException("missing " + name);
        }
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(v.textValue())));
    }

    private static KeyPair keyPair(JsonNode s, String keyName, String certName) throws GeneralSecurityException {
        return new KeyPair(cert(s, certName).getPublicKey(), privateKey(s, keyName));
    }

    private static X509Certificate cert(JsonNode s, String name) throws GeneralSecurityException {
        JsonNode v = s.get(name);
        if (v == null || !v.isTextual()) {
            throw new GeneralSecurityException("missing " + name);
        }
        try {
            return CertChains.parseDer(Base64.getDecoder().decode(v.textValue()));
        } catch (CertificateException | IllegalArgumentException e) {
            throw new GeneralSecurityException("bad " + name);
        }
    }

    @Override
    public String toString() {
        return "SimulatedTeeState[keys redacted]";
    }
}
