package org.sesemi.attestation;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.sesemi.attestation.dcap.Ecdsa;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.attestation.dcap.QuoteWriter;
import org.sesemi.attestation.dcap.TdReportBody;
import org.sesemi.attestation.tee.Pki;

/**
 * A complete DCAP-shaped test PKI built with BouncyCastle (root CA, PCK platform CA, PCK leaf, TCB signing cert,
 * quoting key) that writes SGX and TDX quotes and collateral with chosen CRL entries, windows and TCB levels.
 */
final class TestDcap {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final String FMSPC = "00a0ff000000";
    static final byte[] QE_MRSIGNER = HexFormat.of().parseHex("8c4f5775d796503e96137f77c68a829a0056ac8ded70140b081b094490c57bff");
    static final byte[] TD_QE_MRSIGNER = HexFormat.of().parseHex("dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5");

    final KeyPair root = Pki.p256();
    final KeyPair pckCa = Pki.p256();
    final KeyPair pck = Pki.p256();
    final KeyPair tcb = Pki.p256();
    final KeyPair att = Pki.p256();
    final String rootName = "CN=Test SGX Root CA,O=SeSeMI tests";
    final String pckCaName = "CN=Test SGX PCK Platform CA,O=SeSeMI tests";
    final X509Certificate rootCert;
    final X509Certificate pckCaCert;
    final X509Certificate pckCert;
    final X509Certificate tcbCert;
    final int[] cpuSvn = {3, 3, 2, 2, 4, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0};
    final int pceSvn = 13;

    TestDcap() {
        Instant from = T0.minus(Duration.ofDays(365));
        Instant to = T0.plus(Duration.ofDays(3650));
        rootCert = Pki.ca(rootName, root, rootName, root.getPrivate(), from, to);
        pckCaCert = Pki.ca(pckCaName, pckCa, rootName, root.getPrivate(), from, to);
        pckCert = Pki.pck("CN=Test PCK Certificate,O=SeSeMI tests", pck, pckCaName, pckCa.getPrivate(), from, to, cpuSvn,
                pceSvn, new byte[2], HexFormat.of().parseHex(FMSPC));
        tcbCert = Pki.leaf("CN=Test TCB Signing,O=SeSeMI tests", tcb, rootName, root.getPrivate(), from, to);
    }

    VerificationPolicy.Builder policy() {
        return VerificationPolicy.builder().trustRoot(root.getPublic())
                .clock(java.time.Clock.fixed(T0, java.time.ZoneOffset.UTC));
    }

    byte[] attRaw() {
        return Ecdsa.rawPublicKey(att.getPublic());
    }

    QuoteWriter.QeCertification qeCert(byte[] qeMrSigner, int qeProdId, int qeIsvSvn) {
        byte[] auth = new byte[32];
        byte[] qe = QuoteWriter.qeReport(attRaw(), auth, qeMrSigner, qeProdId, qeIsvSvn, 0x11);
        return new QuoteWriter.QeCertification(qe, Ecdsa.sign(pck.getPrivate(), qe), auth,
                (Pki.pem(List.of(pckCert, pckCaCert, rootCert)) + "\0").getBytes(StandardCharsets.US_ASCII));
    }

    byte[] sgxQuote(byte[] mrEnclave, byte[] mrSigner, int prodId, int svn, long flags) {
        byte[] body = QuoteWriter.sgxReportBody(mrEnclave, mrSigner, prodId, svn, flags, new byte[64]);
        return QuoteWriter.write(3, Quote.TEE_TYPE_SGX, 1, body, 8, pceSvn, new byte[20], att.getPrivate(), attRaw(),
                qeCert(QE_MRSIGNER, 1, 8));
    }

    byte[] sgxQuote() {
        return sgxQuote(bytes(32, 0x11), bytes(32, 0x22), 7, 3, 0x05);
    }

    /** A TD report body: TEE_TCB_SVN, MRSIGNERSEAM zero, MRTD and RTMRs filled with markers, optional debug. */
    static byte[] tdBody(boolean v15, byte[] teeTcbSvn, boolean debug) {
        byte[] b = new byte[v15 ? TdReportBody.SIZE_15 : TdReportBody.SIZE_10];
        System.arraycopy(teeTcbSvn, 0, b, 0, 16);
        b[120] = (byte) (debug ? 0x01 : 0x00);
        b[123] = 0x10; // SEPT_VE_DISABLE
        System.arraycopy(bytes(48, 0xAD), 0, b, 136, 48);
        for (int i = 0; i < 4; i++) {
            System.arraycopy(bytes(48, 0xA0 + i), 0, b, 328 + 48 * i, 48);
        }
        return b;
    }

    byte[] tdxQuote(int version, byte[] body) {
        int bodyType = body.length == TdReportBody.SIZE_15 ? 3 : 2;
        return QuoteWriter.write(version, Quote.TEE_TYPE_TDX, bodyType, body, 0, 0, new byte[20], att.getPrivate(),
                attRaw(), qeCert(TD_QE_MRSIGNER, 2, 8));
    }

    static byte[] bytes(int n, int fill) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }

    /** Collateral knobs. */
    static final class Spec {
        Instant issue = T0.minus(Duration.ofDays(1));
        Instant next = T0.plus(Duration.ofDays(29));
        Instant crlThis = T0.minus(Duration.ofDays(1));
        Instant crlNext = T0.plus(Duration.ofDays(29));
        List<BigInteger> rootRevoked = new ArrayList<>();
        List<BigInteger> pckRevoked = new ArrayList<>();
        String tee = "SGX";
        String fmspc = FMSPC.toUpperCase(java.util.Locale.ROOT);
        String platformStatus = "UpToDate";
        List<String> advisories = List.of();
        int levelSvn = 2;
        int qeMinSvn = 8;
        String qeStatus = "UpToDate";
        int tdxModuleMinSvn = 3;
        String tdxModuleStatus = "UpToDate";
        boolean tamperTcbInfo;
    }

    Collateral collateral(Spec s) {
        X509CRL rootCrl = Pki.crl(rootName, root.getPrivate(), s.crlThis, s.crlNext, s.rootRevoked);
        X509CRL pckCrl = Pki.crl(pckCaName, pckCa.getPrivate(), s.crlThis, s.crlNext, s.pckRevoked);
        StringBuilder sgx = new StringBuilder();
        StringBuilder tdx = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            sgx.append(i == 0 ? "" : ",").append("{\"svn\":").append(s.levelSvn > 8 ? s.levelSvn : Math.min(s.levelSvn, cpuSvn[i])).append('}');
            tdx.append(i == 0 ? "" : ",").append("{\"svn\":").append(i < 2 ? 0 : 1).append('}');
        }
        String adv = s.advisories.isEmpty() ? "" : ",\"advisoryIDs\":[\"" + String.join("\",\"", s.advisories) + "\"]";
        String tdxComps = s.tee.equals("TDX") ? ",\"tdxtcbcomponents\":[" + tdx + "]" : "";
        String module = s.tee.equals("TDX")
                ? ",\"tdxModule\":{\"mrsigner\":\"" + "00".repeat(48) + "\",\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"},"
                        + "\"tdxModuleIdentities\":[{\"id\":\"TDX_01\",\"mrsigner\":\"" + "00".repeat(48)
                        + "\",\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\",\"tcbLevels\":["
                        + "{\"tcb\":{\"isvsvn\":" + s.tdxModuleMinSvn + "},\"tcbDate\":\"2029-01-01T00:00:00Z\",\"tcbStatus\":\"" + s.tdxModuleStatus + "\"}]}]"
                : "";
        String tcbInfo = "{\"id\":\"" + s.tee + "\",\"version\":3,\"issueDate\":\"" + s.issue + "\",\"nextUpdate\":\"" + s.next
                + "\",\"fmspc\":\"" + s.fmspc + "\",\"pceId\":\"0000\",\"tcbType\":0,\"tcbEvaluationDataNumber\":17" + module
                + ",\"tcbLevels\":[{\"tcb\":{\"sgxtcbcomponents\":[" + sgx + "]" + tdxComps + ",\"pcesvn\":" + pceSvn
                + "},\"tcbDate\":\"2029-01-01T00:00:00Z\",\"tcbStatus\":\"" + s.platformStatus + "\"" + adv + "}]}";
        boolean td = s.tee.equals("TDX");
        String qeId = "{\"id\":\"" + (td ? "TD_QE" : "QE") + "\",\"version\":2,\"issueDate\":\"" + s.issue + "\",\"nextUpdate\":\""
                + s.next + "\",\"tcbEvaluationDataNumber\":17,\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\","
                + "\"attributes\":\"11000000000000000000000000000000\",\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\","
                + "\"mrsigner\":\"" + HexFormat.of().formatHex(td ? TD_QE_MRSIGNER : QE_MRSIGNER) + "\",\"isvprodid\":" + (td ? 2 : 1)
                + ",\"tcbLevels\":[{\"tcb\":{\"isvsvn\":" + s.qeMinSvn + "},\"tcbDate\":\"2029-01-01T00:00:00Z\",\"tcbStatus\":\"" + s.qeStatus + "\"}]}";
        byte[] tcbBytes = tcbInfo.getBytes(StandardCharsets.UTF_8);
        byte[] tcbSig = Ecdsa.sign(tcb.getPrivate(), tcbBytes);
        if (s.tamperTcbInfo) {
            tcbBytes = tcbInfo.replace("\"tcbType\":0", "\"tcbType\":1").getBytes(StandardCharsets.UTF_8);
        }
        byte[] qeBytes = qeId.getBytes(StandardCharsets.UTF_8);
        try {
            return Collateral.of(List.of(pckCaCert, rootCert), rootCrl.getEncoded(), pckCrl.getEncoded(),
                    List.of(tcbCert, rootCert), tcbBytes, tcbSig, List.of(tcbCert, rootCert), qeBytes,
                    Ecdsa.sign(tcb.getPrivate(), qeBytes));
        } catch (java.security.cert.CRLException e) {
            throw new IllegalStateException(e);
        }
    }
}
