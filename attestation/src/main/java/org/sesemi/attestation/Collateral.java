package org.sesemi.attestation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.dcap.CertChains;
import org.sesemi.attestation.dcap.QeIdentity;
import org.sesemi.attestation.dcap.TcbInfo;

/**
 * Verification collateral for one platform in the {@code QuoteCollateralV3} JSON layout: PEM issuer chains, hex DER
 * CRLs, and the TCB info / QE identity JSON kept as the exact bytes Intel signed. Parsing checks structure only;
 * signatures, chains and validity windows are checked by {@link QuoteVerifier} at the verification instant.
 */
public final class Collateral {
    /** Collateral documents larger than this are refused (real ones are ~15 KB). */
    public static final int MAX_BYTES = 1 << 20;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final List<X509Certificate> pckCrlIssuerChain;
    private final X509CRL rootCaCrl;
    private final X509CRL pckCrl;
    private final List<X509Certificate> tcbInfoIssuerChain;
    private final byte[] tcbInfoJson;
    private final byte[] tcbInfoSignature;
    private final TcbInfo tcbInfo;
    private final List<X509Certificate> qeIdentityIssuerChain;
    private final byte[] qeIdentityJson;
    private final byte[] qeIdentitySignature;
    private final QeIdentity qeIdentity;
    private final byte[] rootCaCrlDer;
    private final byte[] pckCrlDer;
    private final String fingerprint;

    private Collateral(List<X509Certificate> pckCrlIssuerChain, byte[] rootCaCrlDer, byte[] pckCrlDer,
            List<X509Certificate> tcbInfoIssuerChain, byte[] tcbInfoJson, byte[] tcbInfoSignature,
            List<X509Certificate> qeIdentityIssuerChain, byte[] qeIdentityJson, byte[] qeIdentitySignature) {
        this.pckCrlIssuerChain = List.copyOf(pckCrlIssuerChain);
        this.rootCaCrlDer = rootCaCrlDer.clone();
        this.pckCrlDer = pckCrlDer.clone();
        this.rootCaCrl = CertChains.parseCrl(rootCaCrlDer, "collateral root_ca_crl");
        this.pckCrl = CertChains.parseCrl(pckCrlDer, "collateral pck_crl");
        this.tcbInfoIssuerChain = List.copyOf(tcbInfoIssuerChain);
        this.tcbInfoJson = tcbInfoJson.clone();
        this.tcbInfoSignature = tcbInfoSignature.clone();
        this.tcbInfo = TcbInfo.parse(tcbInfoJson);
        this.qeIdentityIssuerChain = List.copyOf(qeIdentityIssuerChain);
        this.qeIdentityJson = qeIdentityJson.clone();
        this.qeIdentitySignature = qeIdentitySignature.clone();
        this.qeIdentity = QeIdentity.parse(qeIdentityJson);
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (List<X509Certificate> chain : List.of(this.pckCrlIssuerChain, this.tcbInfoIssuerChain, this.qeIdentityIssuerChain)) {
            all.writeBytes(pem(chain).getBytes(StandardCharsets.US_ASCII));
        }
        for (byte[] part : new byte[][] {rootCaCrlDer, pckCrlDer, tcbInfoJson, tcbInfoSignature, qeIdentityJson, qeIdentitySignature}) {
            all.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(part.length).array());
            all.writeBytes(part);
        }
        this.fingerprint = org.sesemi.crypto.Hashes.sha256Hex(all.toByteArray());
    }

    /**
     * The earliest {@code nextUpdate} of its parts (TCB info, QE identity, both CRLs): after this instant the
     * collateral is stale and a verifier rejects it ({@code collateral_expired}).
     */
    public java.time.Instant nextUpdate() {
        java.time.Instant t = tcbInfo.nextUpdate();
        if (qeIdentity.nextUpdate().isBefore(t)) {
            t = qeIdentity.nextUpdate();
        }
        for (X509CRL crl : List.of(rootCaCrl, pckCrl)) {
            if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(t)) {
                t = crl.getNextUpdate().toInstant();
            }
        }
        return t;
    }

    /** The latest issue instant of its parts: before it the collateral is not yet valid. */
    public java.time.Instant issueDate() {
        java.time.Instant t = tcbInfo.issueDate();
        if (qeIdentity.issueDate().isAfter(t)) {
            t = qeIdentity.issueDate();
        }
        for (X509CRL crl : List.of(rootCaCrl, pckCrl)) {
            if (crl.getThisUpdate().toInstant().isAfter(t)) {
                t = crl.getThisUpdate().toInstant();
            }
        }
        return t;
    }

    /** SHA-256 over all parts: identifies this collateral's content (cache key for verified signatures). */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * Parses {@code QuoteCollateralV3} JSON.
     *
     * @throws AttestationException MALFORMED when a key is missing, a value does not decode, or the input is too large
     */
    public static Collateral parseJson(byte[] json) {
        if (json == null || json.length > MAX_BYTES) {
            throw new AttestationException(Reason.MALFORMED, "collateral missing or larger than " + MAX_BYTES + " bytes");
        }
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AttestationException(Reason.MALFORMED, "collateral is not valid JSON");
        }
        if (n == null || !n.isObject()) {
            throw new AttestationException(Reason.MALFORMED, "collateral is not a JSON object");
        }
        return new Collateral(
                chain(n, "pck_crl_issuer_chain"), hex(n, "root_ca_crl"), hex(n, "pck_crl"),
                chain(n, "tcb_info_issuer_chain"), text(n, "tcb_info").getBytes(StandardCharsets.UTF_8),
                signature(n, "tcb_info_signature"),
                chain(n, "qe_identity_issuer_chain"), text(n, "qe_identity").getBytes(StandardCharsets.UTF_8),
                signature(n, "qe_identity_signature"));
    }

    /** Serialises back to {@code QuoteCollateralV3} JSON (signed documents kept byte-exact). */
    public byte[] toJson() {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("pck_crl_issuer_chain", pem(pckCrlIssuerChain));
        o.put("root_ca_crl", HexFormat.of().formatHex(rootCaCrlDer));
        o.put("pck_crl", HexFormat.of().formatHex(pckCrlDer));
        o.put("tcb_info_issuer_chain", pem(tcbInfoIssuerChain));
        o.put("tcb_info", new String(tcbInfoJson, StandardCharsets.UTF_8));
        o.put("tcb_info_signature", HexFormat.of().formatHex(tcbInfoSignature));
        o.put("qe_identity_issuer_chain", pem(qeIdentityIssuerChain));
        o.put("qe_identity", new String(qeIdentityJson, StandardCharsets.UTF_8));
        o.put("qe_identity_signature", HexFormat.of().formatHex(qeIdentitySignature));
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Assembles collateral from its parts (used by the simulated TEE and tests). */
    public static Collateral of(List<X509Certificate> pckCrlIssuerChain, byte[] rootCaCrlDer, byte[] pckCrlDer,
            List<X509Certificate> tcbInfoIssuerChain, byte[] tcbInfoJson, byte[] tcbInfoSignature,
            List<X509Certificate> qeIdentityIssuerChain, byte[] qeIdentityJson, byte[] qeIdentitySignature) {
        return new Collateral(pckCrlIssuerChain, rootCaCrlDer, pckCrlDer, tcbInfoIssuerChain, tcbInfoJson,
                tcbInfoSignature, qeIdentityIssuerChain, qeIdentityJson, qeIdentitySignature);
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isTextual()) {
            throw new AttestationException(Reason.MALFORMED, "collateral: '" + key + "' missing or not a string");
        }
        return v.textValue();
    }

    private static byte[] hex(JsonNode n, String key) {
        String s = text(n, key).strip();
        try {
            return HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            throw new AttestationException(Reason.MALFORMED, "collateral: '" + key + "' is not hex");
        }
    }

    private static byte[] signature(JsonNode n, String key) {
        byte[] sig = hex(n, key);
        if (sig.length != 64) {
            throw new AttestationException(Reason.MALFORMED, "collateral: '" + key + "' must be a 64-byte r||s signature");
        }
        return sig;
    }

    private static List<X509Certificate> chain(JsonNode n, String key) {
        return CertChains.parsePem(text(n, key).getBytes(StandardCharsets.ISO_8859_1), Reason.MALFORMED,
                "collateral " + key);
    }

    private static String pem(List<X509Certificate> certs) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certs) {
            try {
                sb.append("-----BEGIN CERTIFICATE-----\n")
                        .append(java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                                .encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (java.security.cert.CertificateEncodingException e) {
                throw new IllegalStateException(e);
            }
        }
        return sb.toString();
    }

    public List<X509Certificate> pckCrlIssuerChain() {
        return pckCrlIssuerChain;
    }

    public X509CRL rootCaCrl() {
        return rootCaCrl;
    }

    public X509CRL pckCrl() {
        return pckCrl;
    }

    public List<X509Certificate> tcbInfoIssuerChain() {
        return tcbInfoIssuerChain;
    }

    /** The exact signed bytes of the TCB info document. */
    public byte[] tcbInfoJson() {
        return tcbInfoJson.clone();
    }

    public byte[] tcbInfoSignature() {
        return tcbInfoSignature.clone();
    }

    public TcbInfo tcbInfo() {
        return tcbInfo;
    }

    public List<X509Certificate> qeIdentityIssuerChain() {
        return qeIdentityIssuerChain;
    }

    public byte[] qeIdentityJson() {
        return qeIdentityJson.clone();
    }

    public byte[] qeIdentitySignature() {
        return qeIdentitySignature.clone();
    }

    public QeIdentity qeIdentity() {
        return qeIdentity;
    }
}
