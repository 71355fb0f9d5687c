package org.sesemi.attestation.dcap;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;

/**
 * The Intel SGX extension of a PCK certificate ({@code 1.2.840.113741.1.13.1}): the platform's TCB (CPUSVN components
 * and PCESVN), PCE-ID and FMSPC. TCB matching uses these values, not the CPUSVN in the quote.
 *
 * @param cpuSvnComponents 16 component SVNs
 * @param pceSvn PCE security version
 * @param pceId 2 bytes
 * @param fmspc 6 bytes
 */
public record PckExtension(int[] cpuSvnComponents, int pceSvn, byte[] pceId, byte[] fmspc) {
    public static final String OID = "1.2.840.113741.1.13.1";

    public PckExtension {
        cpuSvnComponents = cpuSvnComponents.clone();
        pceId = pceId.clone();
        fmspc = fmspc.clone();
    }

    public String fmspcHex() {
        return HexFormat.of().formatHex(fmspc);
    }

    public String pceIdHex() {
        return HexFormat.of().formatHex(pceId);
    }

    /** Reads the extension; MALFORMED (as COLLATERAL-independent) when absent or not the expected structure. */
    public static PckExtension of(X509Certificate pck) {
        byte[] ext = pck.getExtensionValue(OID);
        if (ext == null) {
            throw new AttestationException(Reason.CHAIN_INVALID, "PCK certificate has no SGX extension");
        }
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(ASN1OctetString.getInstance(ext).getOctets());
            int[] comps = null;
            int pceSvn = -1;
            byte[] pceId = null;
            byte[] fmspc = null;
            for (ASN1Encodable e : seq) {
                ASN1Sequence pair = ASN1Sequence.getInstance(e);
                String oid = ASN1ObjectIdentifier.getInstance(pair.getObjectAt(0)).getId();
                ASN1Encodable value = pair.getObjectAt(1);
                switch (oid) {
                    case OID + ".2" -> {
                        comps = new int[16];
                        Arrays.fill(comps, -1);
                        for (ASN1Encodable t : ASN1Sequence.getInstance(value)) {
                            ASN1Sequence tp = ASN1Sequence.getInstance(t);
                            String toid = ASN1ObjectIdentifier.getInstance(tp.getObjectAt(0)).getId();
                            String suffix = toid.substring((OID + ".2.").length());
                            int idx = toid.startsWith(OID + ".2.") ? Integer.parseInt(suffix) : -1;
                            if (idx >= 1 && idx <= 16) {
                                comps[idx - 1] = smallInt(tp.getObjectAt(1));
                            } else if (idx == 17) {
                                pceSvn = smallInt(tp.getObjectAt(1));
                            }
                        }
                    }
                    case OID + ".3" -> pceId = ASN1OctetString.getInstance(value).getOctets();
                    case OID + ".4" -> fmspc = ASN1OctetString.getInstance(value).getOctets();
                    default -> { /* PPID, SGX type, platform instance, configuration: not needed for TCB matching */ }
                }
            }
            if (comps == null || Arrays.stream(comps).anyMatch(c -> c < 0) || pceSvn < 0 || pceId == null
                    || pceId.length != 2 || fmspc == null || fmspc.length != 6) {
                throw new AttestationException(Reason.CHAIN_INVALID, "PCK certificate SGX extension is incomplete");
            }
            return new PckExtension(comps, pceSvn, pceId, fmspc);
        } catch (IllegalArgumentException | ClassCastException | IndexOutOfBoundsException e) {
            throw new AttestationException(Reason.CHAIN_INVALID, "PCK certificate SGX extension is malformed");
        }
    }

    private static int smallInt(ASN1Encodable v) {
        ASN1Primitive p = v.toASN1Primitive();
        java.math.BigInteger b = p instanceof ASN1Enumerated en ? en.getValue() : ASN1Integer.getInstance(p).getValue();
        if (b.signum() < 0 || b.bitLength() > 16) {
            throw new IllegalArgumentException("SVN out of range");
        }
        return b.intValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PckExtension p && Arrays.equals(cpuSvnComponents, p.cpuSvnComponents) && pceSvn == p.pceSvn
                && Arrays.equals(pceId, p.pceId) && Arrays.equals(fmspc, p.fmspc);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fmspc) * 31 + pceSvn;
    }

    @Override
    public String toString() {
        return "PckExtension[fmspc=" + fmspcHex() + ", pceSvn=" + pceSvn + ", cpuSvn=" + Arrays.toString(cpuSvnComponents) + "]";
    }
}
