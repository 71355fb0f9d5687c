package org.sesemi.attestation.ratls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1OctetString;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.crypto.Hashes;

/**
 * Evidence carried by an RA-TLS certificate and the rule that binds it to the certificate key.
 *
 * <ul>
 *   <li>{@link Kind#TCG_DICE} ({@code 2.23.133.5.4.9}): CBOR tag 60000 {@code [bstr quote, bstr claims]}, claims =
 *       map with {@code "pubkey-hash": bstr(CBOR [hash-alg, bstr H(SPKI)])} (hash-alg 1 SHA-256, 7 SHA-384,
 *       8 SHA-512); report_data[0..32] = SHA-256(claims bytes as received).
 *   <li>{@link Kind#GRAMINE_LEGACY} ({@code 0.6.9.42.840.113741.1337.6}, Gramine's mis-encoded OID): raw quote;
 *       report_data = SHA-256(DER SubjectPublicKeyInfo) ‖ 32 zero bytes.
 * </ul>
 * DICE is preferred (as in Gramine): when its extension is present but invalid the certificate fails, with no
 * fallback to the legacy extension.
 *
 * @param claims the raw DICE claims (empty for legacy evidence)
 */
public record RaTlsEvidence(Kind kind, byte[] quote, Optional<byte[]> claims) {
    public static final String LEGACY_OID = "0.6.9.42.840.113741.1337.6";
    public static final String DICE_OID = "2.23.133.5.4.9";
    public static final long DICE_TAG_EVIDENCE = 60000;
    /** Extensions larger than this are refused (a quote is ~5 KB). */
    public static final int MAX_EXTENSION_BYTES = 256 * 1024;

    public enum Kind {
        GRAMINE_LEGACY,
        TCG_DICE
    }

    public RaTlsEvidence {
        quote = quote.clone();
        claims = claims.map(byte[]::clone);
    }

    @Override
    public byte[] quote() {
        return quote.clone();
    }

    /** Whether the certificate carries any RA-TLS extension this module understands. */
    public static boolean present(X509Certificate cert) {
        return cert.getExtensionValue(DICE_OID) != null || cert.getExtensionValue(LEGACY_OID) != null;
    }

    /** Extracts the evidence; empty when the certificate has neither extension. */
    public static Optional<RaTlsEvidence> of(X509Certificate cert) {
        byte[] dice = cert.getExtensionValue(DICE_OID);
        if (dice != null) {
            return Optional.of(parseDice(unwrap(dice, "TCG DICE")));
        }
        byte[] legacy = cert.getExtensionValue(LEGACY_OID);
        if (legacy != null) {
            return Optional.of(new RaTlsEvidence(Kind.GRAMINE_LEGACY, unwrap(legacy, "RA-TLS legacy"), Optional.empty()));
        }
        return Optional.empty();
    }

    /** Parses the value of a TCG DICE tagged-evidence extension (the CBOR bytes). */
    public static RaTlsEvidence parseDice(byte[] cbor) {
        if (cbor.length > MAX_EXTENSION_BYTES) {
            throw new AttestationException(Reason.MALFORMED, "TCG DICE evidence too large");
        }
        Object v = Cbor.decode(cbor);
        if (!(v instanceof Cbor.Tagged t) || t.tag() != DICE_TAG_EVIDENCE) {
            throw new AttestationException(Reason.UNSUPPORTED, "TCG DICE evidence is not tag 60000 (quote + claims)");
        }
        if (!(t.value() instanceof List<?> l) || l.size() != 2 || !(l.get(0) instanceof byte[] quote)
                || !(l.get(1) instanceof byte[] claims)) {
            throw new AttestationException(Reason.MALFORMED, "TCG DICE evidence must be [bstr quote, bstr claims]");
        }
        return new RaTlsEvidence(Kind.TCG_DICE, quote, Optional.of(claims));
    }

    /**
     * The report data this evidence must carry for a certificate with this DER SubjectPublicKeyInfo; checks the DICE
     * claims' pubkey-hash against the key first.
     *
     * @throws AttestationException BINDING_MISMATCH if the claims name another key, MALFORMED if they do not parse
     */
    public byte[] expectedReportDataPrefix(byte[] spki) {
        if (kind == Kind.GRAMINE_LEGACY) {
            return Hashes.sha256(spki);
        }
        byte[] c = claims.orElseThrow();
        Object decoded = Cbor.decode(c);
        if (!(decoded instanceof Map<?, ?> map) || !(map.get("pubkey-hash") instanceof byte[] ph)) {
            throw new AttestationException(Reason.MALFORMED, "TCG DICE claims lack a pubkey-hash");
        }
        Object hashItem = Cbor.decode(ph);
        if (!(hashItem instanceof List<?> hl) || hl.size() != 2 || !(hl.get(0) instanceof Long alg)
                || !(hl.get(1) instanceof byte[] hash)) {
            throw new AttestationException(Reason.MALFORMED, "TCG DICE pubkey-hash must be [alg, bstr]");
        }
        String algName = switch (alg.intValue()) {
            case 1 -> "SHA-256";
            case 7 -> "SHA-384";
            case 8 -> "SHA-512";
            default -> throw new AttestationException(Reason.UNSUPPORTED, "TCG DICE pubkey-hash algorithm " + alg);
        };
        try {
            if (!MessageDigest.isEqual(MessageDigest.getInstance(algName).digest(spki), hash)) {
                throw new AttestationException(Reason.BINDING_MISMATCH,
                        "TCG DICE claims bind another public key than the certificate's");
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return Hashes.sha256(c);
    }

    /**
     * Checks that {@code reportData} binds the certificate key {@code spki}.
     *
     * @throws AttestationException BINDING_MISMATCH otherwise
     */
    public void checkBinding(byte[] reportData, byte[] spki) {
        byte[] prefix = expectedReportDataPrefix(spki);
        boolean ok = MessageDigest.isEqual(Arrays.copyOfRange(reportData, 0, 32), prefix);
        if (ok && kind == Kind.GRAMINE_LEGACY) {
            for (int i = 32; i < 64; i++) {
                ok &= reportData[i] == 0;
            }
        }
        if (!ok) {
            throw new AttestationException(Reason.BINDING_MISMATCH, "quote report data does not bind the certificate key ("
                    + (kind == Kind.GRAMINE_LEGACY ? "SHA-256 of SubjectPublicKeyInfo" : "SHA-256 of DICE claims") + ")");
        }
    }

    private static byte[] unwrap(byte[] extensionValue, String what) {
        if (extensionValue.length > MAX_EXTENSION_BYTES) {
            throw new AttestationException(Reason.MALFORMED, what + " extension too large");
        }
        try {
            return ASN1OctetString.getInstance(extensionValue).getOctets();
        } catch (IllegalArgumentException e) {
            throw new AttestationException(Reason.MALFORMED, what + " extension is not an OCTET STRING");
        }
    }

    /** Builds the DICE extension value for {@code quote} and {@code claims}. */
    static byte[] encodeDice(byte[] quote, byte[] claims) {
        return new Cbor.Writer().tag(DICE_TAG_EVIDENCE).array(2).bytes(quote).bytes(claims).toByteArray();
    }

    /** DICE claims binding {@code spki} with SHA-256. */
    static byte[] claimsFor(byte[] spki) {
        byte[] hash = new Cbor.Writer().array(2).uint(1).bytes(Hashes.sha256(spki)).toByteArray();
        return new Cbor.Writer().map(1).text("pubkey-hash").bytes(hash).toByteArray();
    }
}
