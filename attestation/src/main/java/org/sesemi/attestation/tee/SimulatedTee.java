package org.sesemi.attestation.tee;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.CRLException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.Collateral;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.QuoteVerifier;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.attestation.TeeProvider;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.dcap.Ecdsa;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.attestation.dcap.QuoteWriter;
import org.sesemi.crypto.Hashes;
import org.sesemi.crypto.SealingKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIMULATED TEE — NO HARDWARE PROTECTION. Produces DCAP v3 (SGX layout) quotes signed under a locally generated
 * simulated root CA, PCK and quoting key, so the very same {@link QuoteVerifier} code checks real and simulated
 * evidence; only the trust anchor differs, and verifiers accept it only when its root is explicitly configured (see
 * {@link VerificationPolicy#simulated(SimulatedTee)}).
 *
 * <p>The keys are generated once and kept in {@code <dir>/simulated-tee.json} ({@link SimulatedTeeState}). The
 * MRENCLAVE is {@link #measurementFor(String, Map)}: SHA-256 over the code on this JVM's class path
 * ({@link ClassPathDigest}: jars, directories, the native libraries inside them), the role and the enclave
 * configuration. Anyone who can read the directory can forge evidence for any measurement; that
 * is the point of a simulation, and why it is never trusted by default.
 */
public final class SimulatedTee implements TeeProvider {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedTee.class);
    /** FMSPC the simulated PCK certificate carries. */
    public static final String FMSPC = "5e5e5e000000";
    static final int[] CPU_SVN = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    static final int PCE_SVN = 1;
    static final byte[] QE_MRSIGNER = Hashes.sha256("sesemi-simulated-qe-v1".getBytes(StandardCharsets.US_ASCII));
    static final byte[] MRSIGNER = Hashes.sha256("sesemi-simulated-signer-v1".getBytes(StandardCharsets.US_ASCII));
    private static final long QE_ATTRIBUTES = 0x11;
    /** ATTRIBUTES.flags of simulated enclaves: INIT | MODE64BIT, never DEBUG. */
    private static final long ENCLAVE_ATTRIBUTES = 0x05;

    private final Path dir;
    private final String role;
    private final Measurement measurement;
    private final SimulatedTeeState keys;
    private final QuoteWriter.QeCertification qeCert;
    private final SealingKey sealingKey;
    private final byte[] mrSigner;
    private final int isvProdId;
    private final int isvSvn;

    /** Enclave configuration entries that set the simulated signer identity (they are part of the measurement too). */
    public static final String CONFIG_MRSIGNER = "sgx.mrsigner";
    public static final String CONFIG_ISVPRODID = "sgx.isvprodid";
    public static final String CONFIG_ISVSVN = "sgx.isvsvn";

    private SimulatedTee(Path dir, String role, Map<String, String> config, SimulatedTeeState keys)
            throws GeneralSecurityException {
        this.dir = dir;
        this.role = role;
        this.measurement = measurementFor(role, config);
        Signer signer = signer(config);
        this.mrSigner = HexFormat.of().parseHex(signer.mrSigner());
        this.isvProdId = signer.isvProdId();
        this.isvSvn = signer.isvSvn();
        this.keys = keys;
        byte[] authData = Hashes.sha256("sesemi-simulated-qe-auth".getBytes(StandardCharsets.US_ASCII));
        byte[] qeReport = QuoteWriter.qeReport(keys.attestationRaw(), authData, QE_MRSIGNER, 1, 1, QE_ATTRIBUTES);
        this.qeCert = new QuoteWriter.QeCertification(qeReport, Ecdsa.sign(keys.pck().getPrivate(), qeReport), authData,
                Pki.pemBytes(List.of(keys.pckCert(), keys.pckCaCert(), keys.rootCert())));
        byte[] secret = keys.sealingSecret().clone();
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        // Like SGX's MRENCLAVE sealing policy: another measurement (other code or config) gets another key.
        this.sealingKey = SealingKey.aesGcm(mac.doFinal(("sesemi-simulated-seal-v1:" + measurement.value())
                .getBytes(StandardCharsets.US_ASCII)));
        Arrays.fill(secret, (byte) 0);
    }

    /** Opens (creating on first use) the simulated TEE under {@code dir} for {@code role}. */
    public static SimulatedTee open(Path dir, String role, Map<String, String> enclaveConfig) {
        try {
            SimulatedTeeState keys = SimulatedTeeState.loadOrCreate(dir.toAbsolutePath());
            SimulatedTee tee = new SimulatedTee(dir.toAbsolutePath(), role, enclaveConfig, keys);
            LOG.warn("SIMULATED TEE (no hardware protection): role={} measurement={} keys in {}", role,
                    tee.measurement, tee.dir);
            return tee;
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof AttestationException ae) {
                throw ae;
            }
            if (e instanceof IllegalArgumentException bad && bad.getMessage() != null && bad.getMessage().startsWith("sgx.")) {
                throw new AttestationException(AttestationException.Reason.MALFORMED, bad.getMessage()); // enclave configuration
            }
            throw new AttestationException(AttestationException.Reason.TEE_UNAVAILABLE,
                    "simulated TEE state in " + dir + " is unusable: " + e.getClass().getSimpleName(), e);
        }
    }

    public static SimulatedTee open(Path dir, String role) {
        return open(dir, role, Map.of());
    }

    @Override
    public String name() {
        return "simulated";
    }

    @Override
    public boolean isSimulated() {
        return true;
    }

    @Override
    public byte[] quote(byte[] reportData64) {
        if (reportData64 == null || reportData64.length != 64) {
            throw new AttestationException(AttestationException.Reason.MALFORMED, "report data must be exactly 64 bytes");
        }
        byte[] mrEnclave = HexFormat.of().parseHex(measurement.hex());
        byte[] body = QuoteWriter.sgxReportBody(mrEnclave, mrSigner, isvProdId, isvSvn, ENCLAVE_ATTRIBUTES, reportData64);
        byte[] userData = new byte[20];
        System.arraycopy(Hashes.sha256(keys.attestationRaw()), 0, userData, 0, 16);
        return QuoteWriter.write(3, Quote.TEE_TYPE_SGX, 1, body, 1, PCE_SVN, userData, keys.attestation().getPrivate(),
                keys.attestationRaw(), qeCert);
    }

    @Override
    public SealingKey sealingKey() {
        return sealingKey;
    }

    /** This simulated enclave's measurement ({@code sgx:<MRENCLAVE>}). */
    public Measurement measurement() {
        return measurement;
    }

    public String role() {
        return role;
    }

    /** The MRSIGNER its quotes carry, lowercase hex ({@value #CONFIG_MRSIGNER}, default the simulated signer). */
    public String mrSigner() {
        return HexFormat.of().formatHex(mrSigner);
    }

    /** The ISVPRODID its quotes carry ({@value #CONFIG_ISVPRODID}, default 0). */
    public int isvProdId() {
        return isvProdId;
    }

    /** The ISVSVN its quotes carry ({@value #CONFIG_ISVSVN}, default 0). */
    public int isvSvn() {
        return isvSvn;
    }

    /** The signer identity a simulated enclave with this configuration quotes (MRSIGNER hex, ISVPRODID, ISVSVN). */
    public record Signer(String mrSigner, int isvProdId, int isvSvn) {
        /** The signer rule that admits this build and every later one of the same signer and product. */
        public RuntimeRule rule() {
            return new RuntimeRule.SgxSigner(mrSigner, isvProdId, isvSvn);
        }
    }

    /**
     * The signer identity of enclave configuration {@code config} ({@value #CONFIG_MRSIGNER}, default the fixed simulated
     * signer; {@value #CONFIG_ISVPRODID} and {@value #CONFIG_ISVSVN}, default 0).
     *
     * @throws IllegalArgumentException for values that are not 64 hex characters / 0..65535
     */
    public static Signer signer(Map<String, String> config) {
        byte[] signer = config.containsKey(CONFIG_MRSIGNER) ? hex32(config.get(CONFIG_MRSIGNER)) : MRSIGNER;
        return new Signer(HexFormat.of().formatHex(signer), u16(config.getOrDefault(CONFIG_ISVPRODID, "0"), CONFIG_ISVPRODID),
                u16(config.getOrDefault(CONFIG_ISVSVN, "0"), CONFIG_ISVSVN));
    }

    private static byte[] hex32(String v) {
        String t = v.strip().toLowerCase(Locale.ROOT);
        if (!t.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(CONFIG_MRSIGNER + " must be 64 hex characters (32 bytes)");
        }
        return HexFormat.of().parseHex(t);
    }

    private static int u16(String v, String name) {
        String t = v.strip();
        if (!t.matches("[0-9]{1,5}") || Integer.parseInt(t) > 0xffff) {
            throw new IllegalArgumentException(name + " must be a number 0..65535, got '" + v + "'");
        }
        return Integer.parseInt(t);
    }

    /** The simulated root CA key: configure it as a trust root to accept this TEE's evidence. */
    public PublicKey rootPublicKey() {
        return keys.root().getPublic();
    }

    public X509Certificate rootCertificate() {
        return keys.rootCert();
    }

    /**
     * Simulated collateral for this TEE's platform (empty CRLs, one UpToDate TCB level, matching QE identity), valid
     * from {@code issued} for {@code validity}; lets policies that require collateral run without hardware.
     */
    public Collateral collateral(Instant issued, Duration validity) {
        return collateral(issued, validity, "UpToDate", List.of());
    }

    /** TCB statuses Intel assigns to platform TCB levels, which the simulated collateral may claim. */
    public static final Set<String> TCB_STATUSES = Set.of("UpToDate", "SWHardeningNeeded",
            "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded",
            "Revoked");

    /**
     * Simulated collateral in which the simulated platform's TCB level has {@code tcbStatus} with these advisories, as
     * if Intel had published a TCB info that rates this platform so (e.g. {@code OutOfDate} after a TCB recovery).
     *
     * @throws IllegalArgumentException for a status Intel does not use or a malformed advisory id
     */
    public Collateral collateral(Instant issued, Duration validity, String tcbStatus, List<String> advisoryIds) {
        if (!TCB_STATUSES.contains(tcbStatus)) {
            throw new IllegalArgumentException("unknown TCB status '" + tcbStatus + "' (one of " + new TreeSet<>(TCB_STATUSES) + ")");
        }
        StringBuilder adv = new StringBuilder();
        for (String a : advisoryIds) {
            if (!a.matches("INTEL-SA-[0-9]{5}")) {
                throw new IllegalArgumentException("advisory ids look like INTEL-SA-00123: " + a);
            }
            adv.append(adv.isEmpty() ? "" : ",").append('"').append(a).append('"');
        }
        String advisories = adv.isEmpty() ? "" : ",\"advisoryIDs\":[" + adv + "]";
        Instant next = issued.plus(validity);
        var rootCrl = Pki.crl(keys.rootCert(), keys.root().getPrivate(), issued, next, List.of());
        var pckCrl = Pki.crl(keys.pckCaCert(), keys.pckCa().getPrivate(), issued, next, List.of());
        StringBuilder comps = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            comps.append(i == 0 ? "" : ",").append("{\"svn\":").append(CPU_SVN[i]).append('}');
        }
        String tcbInfo = "{\"id\":\"SGX\",\"version\":3,\"issueDate\":\"" + issued + "\",\"nextUpdate\":\"" + next
                + "\",\"fmspc\":\"" + FMSPC.toUpperCase(Locale.ROOT) + "\",\"pceId\":\"0000\",\"tcbType\":0,"
                + "\"tcbEvaluationDataNumber\":1,\"tcbLevels\":[{\"tcb\":{\"sgxtcbcomponents\":[" + comps
                + "],\"pcesvn\":" + PCE_SVN + "},\"tcbDate\":\"" + issued + "\",\"tcbStatus\":\"" + tcbStatus + "\""
                + advisories + "}]}";
        String qeIdentity = "{\"id\":\"QE\",\"version\":2,\"issueDate\":\"" + issued + "\",\"nextUpdate\":\"" + next
                + "\",\"tcbEvaluationDataNumber\":1,\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\","
                + "\"attributes\":\"11000000000000000000000000000000\",\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\","
                + "\"mrsigner\":\"" + HexFormat.of().withUpperCase().formatHex(QE_MRSIGNER) + "\",\"isvprodid\":1,"
                + "\"tcbLevels\":[{\"tcb\":{\"isvsvn\":1},\"tcbDate\":\"" + issued + "\",\"tcbStatus\":\"UpToDate\"}]}";
        byte[] tcb = tcbInfo.getBytes(StandardCharsets.UTF_8);
        byte[] qe = qeIdentity.getBytes(StandardCharsets.UTF_8);
        try {
            List<X509Certificate> tcbChain = List.of(keys.tcbSignerCert(), keys.rootCert());
            return Collateral.of(List.of(keys.pckCaCert(), keys.rootCert()), rootCrl.getEncoded(), pckCrl.getEncoded(),
                    tcbChain, tcb, Ecdsa.sign(keys.tcbSigner().getPrivate(), tcb), tcbChain, qe,
                    Ecdsa.sign(keys.tcbSigner().getPrivate(), qe));
        } catch (CRLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The measurement a simulated enclave with this role and configuration gets when it runs the code on this JVM's
     * class path (what {@code sesemi measure} prints for owners to grant).
     */
    public static Measurement measurementFor(String role, Map<String, String> enclaveConfig) {
        MessageDigest md = ClassPathDigest.sha256();
        md.update("sesemi-simulated-measurement-v1\0".getBytes(StandardCharsets.US_ASCII));
        md.update(codeDigest());
        md.update(("role=" + role + "\0").getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, String> e : new TreeMap<>(enclaveConfig).entrySet()) {
            md.update((e.getKey() + "=" + e.getValue() + "\0").getBytes(StandardCharsets.UTF_8));
        }
        return Measurement.sgx(md.digest());
    }

    /** The code part of the measurement ({@link ClassPathDigest#codeDigest()}); computed once per JVM. */
    public static byte[] codeDigest() {
        return ClassPathDigest.codeDigest();
    }

    @Override
    public String toString() {
        return "SimulatedTee[SIMULATED, no hardware protection, role=" + role + ", " + measurement + "]";
    }
}
