package org.sesemi.attestation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.sesemi.attestation.dcap.CertChains;
import org.sesemi.attestation.dcap.Ecdsa;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.attestation.dcap.QuoteWriter;
import org.sesemi.attestation.tee.Pki;
import org.sesemi.crypto.Hashes;
import org.sesemi.crypto.SealingKey;
import org.sesemi.crypto.SecureFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIMULATED TEE — NO HARDWARE PROTECTION. Produces DCAP v3 (SGX layout) quotes signed under a locally generated
 * simulated root CA, PCK and quoting key, so the very same {@link QuoteVerifier} code checks real and simulated
 * evidence; only the trust anchor differs, and verifiers accept it only when its root is explicitly configured (see
 * {@link VerificationPolicy#simulated(SimulatedTee)}).
 *
 * <p>The keys are generated once and kept in {@code <dir>/simulated-tee.json} (mode 0600; creation is serialised with
 * a file lock so concurrently starting processes share one root). The MRENCLAVE is {@link #measurementFor(String,
 * Map)}: SHA-256 over the code on this JVM's class path (jars, directories, the native libraries inside them), the
 * role and the enclave configuration. Anyone who can read the directory can forge evidence for any measurement; that
 * is the point of a simulation, and why it is never trusted by default.
 */
public final class SimulatedTee implements TeeProvider {
    private static final Logger LOG = LoggerFactory.getLogger(SimulatedTee.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String STATE_FILE = "simulated-tee.json";
    /** FMSPC the simulated PCK certificate carries. */
    public static final String FMSPC = "5e5e5e000000";
    static final int[] CPU_SVN = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    static final int PCE_SVN = 1;
    static final byte[] QE_MRSIGNER = Hashes.sha256("sesemi-simulated-qe-v1".getBytes(StandardCharsets.US_ASCII));
    static final byte[] MRSIGNER = Hashes.sha256("sesemi-simulated-signer-v1".getBytes(StandardCharsets.US_ASCII));
    private static final long QE_ATTRIBUTES = 0x11;
    /** ATTRIBUTES.flags of simulated enclaves: INIT | MODE64BIT, never DEBUG. */
    private static final long ENCLAVE_ATTRIBUTES = 0x05;
    private static final Object STATE_LOCK = new Object();
    private static volatile byte[] codeDigest;

    private final Path dir;
    private final String role;
    private final Measurement measurement;
    private final KeyPair root;
    private final X509Certificate rootCert;
    private final KeyPair pckCa;
    private final X509Certificate pckCaCert;
    private final X509Certificate pckCert;
    private final KeyPair tcbSigner;
    private final X509Certificate tcbSignerCert;
    private final KeyPair attestation;
    private final byte[] attestationRaw;
    private final QuoteWriter.QeCertification qeCert;
    private final SealingKey sealingKey;
    private final byte[] mrSigner;
    private final int isvProdId;
    private final int isvSvn;

    /** Enclave configuration entries that set the simulated signer identity (they are part of the measurement too). */
    public static final String CONFIG_MRSIGNER = "sgx.mrsigner";
    public static final String CONFIG_ISVPRODID = "sgx.isvprodid";
    public static final String CONFIG_ISVSVN = "sgx.isvsvn";

    private SimulatedTee(Path dir, String role, Map<String, String> config, JsonNode s) throws GeneralSecurityException {
        this.dir = dir;
        this.role = role;
        this.measurement = measurementFor(role, config);
        Signer signer = signer(config);
        this.mrSigner = HexFormat.of().parseHex(signer.mrSigner());
        this.isvProdId = signer.isvProdId();
        this.isvSvn = signer.isvSvn();
        this.root = keyPair(s, "rootKey", "rootCert");
        this.rootCert = cert(s, "rootCert");
        this.pckCa = keyPair(s, "pckCaKey", "pckCaCert");
        this.pckCaCert = cert(s, "pckCaCert");
        KeyPair pck = keyPair(s, "pckKey", "pckCert");
        this.pckCert = cert(s, "pckCert");
        this.tcbSigner = keyPair(s, "tcbSignerKey", "tcbSignerCert");
        this.tcbSignerCert = cert(s, "tcbSignerCert");
        PrivateKey attPriv = privateKey(s, "attestationKey");
        byte[] raw = HexFormat.of().parseHex(s.get("attestationPublic").textValue());
        this.attestation = new KeyPair(Ecdsa.publicKey(raw), attPriv);
        this.attestationRaw = raw;
        byte[] authData = Hashes.sha256("sesemi-simulated-qe-auth".getBytes(StandardCharsets.US_ASCII));
        byte[] qeReport = QuoteWriter.qeReport(raw, authData, QE_MRSIGNER, 1, 1, QE_ATTRIBUTES);
        this.qeCert = new QuoteWriter.QeCertification(qeReport, Ecdsa.sign(pck.getPrivate(), qeReport), authData,
                Pki.pemBytes(List.of(pckCert, pckCaCert, rootCert)));
        byte[] secret = Base64.getDecoder().decode(s.get("sealingSecret").textValue());
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
            JsonNode state = loadOrCreate(dir.toAbsolutePath());
            SimulatedTee tee = new SimulatedTee(dir.toAbsolutePath(), role, enclaveConfig, state);
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
        System.arraycopy(Hashes.sha256(attestationRaw), 0, userData, 0, 16);
        return QuoteWriter.write(3, Quote.TEE_TYPE_SGX, 1, body, 1, PCE_SVN, userData, attestation.getPrivate(),
                attestationRaw, qeCert);
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
        String t = v.strip().toLowerCase(java.util.Locale.ROOT);
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
        return root.getPublic();
    }

    public X509Certificate rootCertificate() {
        return rootCert;
    }

    /**
     * Simulated collateral for this TEE's platform (empty CRLs, one UpToDate TCB level, matching QE identity), valid
     * from {@code issued} for {@code validity}; lets policies that require collateral run without hardware.
     */
    public Collateral collateral(Instant issued, Duration validity) {
        return collateral(issued, validity, "UpToDate", List.of());
    }

    /** TCB statuses Intel assigns to platform TCB levels, which the simulated collateral may claim. */
    public static final java.util.Set<String> TCB_STATUSES = java.util.Set.of("UpToDate", "SWHardeningNeeded",
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
            throw new IllegalArgumentException("unknown TCB status '" + tcbStatus + "' (one of " + new java.util.TreeSet<>(TCB_STATUSES) + ")");
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
        var rootCrl = Pki.crl(rootCert, root.getPrivate(), issued, next, List.of());
        var pckCrl = Pki.crl(pckCaCert, pckCa.getPrivate(), issued, next, List.of());
        StringBuilder comps = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            comps.append(i == 0 ? "" : ",").append("{\"svn\":").append(CPU_SVN[i]).append('}');
        }
        String tcbInfo = "{\"id\":\"SGX\",\"version\":3,\"issueDate\":\"" + issued + "\",\"nextUpdate\":\"" + next
                + "\",\"fmspc\":\"" + FMSPC.toUpperCase(java.util.Locale.ROOT) + "\",\"pceId\":\"0000\",\"tcbType\":0,"
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
            return Collateral.of(List.of(pckCaCert, rootCert), rootCrl.getEncoded(), pckCrl.getEncoded(),
                    List.of(tcbSignerCert, rootCert), tcb, Ecdsa.sign(tcbSigner.getPrivate(), tcb),
                    List.of(tcbSignerCert, rootCert), qe, Ecdsa.sign(tcbSigner.getPrivate(), qe));
        } catch (java.security.cert.CRLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The measurement a simulated enclave with this role and configuration gets when it runs the code on this JVM's
     * class path (what {@code sesemi measure} prints for owners to grant).
     */
    public static Measurement measurementFor(String role, Map<String, String> enclaveConfig) {
        MessageDigest md = sha256();
        md.update("sesemi-simulated-measurement-v1\0".getBytes(StandardCharsets.US_ASCII));
        md.update(codeDigest());
        md.update(("role=" + role + "\0").getBytes(StandardCharsets.UTF_8));
        for (Map.Entry<String, String> e : new TreeMap<>(enclaveConfig).entrySet()) {
            md.update((e.getKey() + "=" + e.getValue() + "\0").getBytes(StandardCharsets.UTF_8));
        }
        return Measurement.sgx(md.digest());
    }

    /**
     * SHA-256 over the contents of every class-path entry in order (files by content; directories by sorted relative
     * path and content). Paths themselves are not hashed, so the same build measures the same wherever it is unpacked.
     * Computed once per JVM.
     */
    public static byte[] codeDigest() {
        byte[] d = codeDigest;
        if (d == null) {
            synchronized (SimulatedTee.class) {
                if (codeDigest == null) {
                    codeDigest = computeCodeDigest(System.getProperty("java.class.path", ""));
                }
                d = codeDigest;
            }
        }
        return d.clone();
    }

    static byte[] computeCodeDigest(String classPath) {
        MessageDigest md = sha256();
        List<Path> entries = new ArrayList<>();
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) {
                addWithManifestClassPath(Path.of(entry).toAbsolutePath().normalize(), entries);
            }
        }
        for (Path p : entries) {
            String entry = p.toString();
            try {
                if (Files.isRegularFile(p)) {
                    md.update(("file\0").getBytes(StandardCharsets.US_ASCII));
                    md.update(fileHash(p));
                } else if (Files.isDirectory(p)) {
                    md.update(("dir\0").getBytes(StandardCharsets.US_ASCII));
                    List<Path> files = new ArrayList<>();
                    try (Stream<Path> s = Files.walk(p)) {
                        s.filter(Files::isRegularFile).forEach(files::add);
                    }
                    files.sort(java.util.Comparator.comparing(f -> p.relativize(f).toString().replace('\\', '/')));
                    for (Path f : files) {
                        md.update((p.relativize(f).toString().replace('\\', '/') + "\0").getBytes(StandardCharsets.UTF_8));
                        md.update(fileHash(f));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot measure class path entry " + entry, e);
            }
        }
        return md.digest();
    }

    /**
     * {@code java -jar app.jar} puts only app.jar on {@code java.class.path}; the JVM also loads the jars its manifest
     * {@code Class-Path} names, so those are measured too (after the jar, in manifest order, each once).
     */
    private static void addWithManifestClassPath(Path p, List<Path> out) {
        if (out.contains(p)) {
            return;
        }
        out.add(p);
        if (!Files.isRegularFile(p) || !p.getFileName().toString().endsWith(".jar")) {
            return;
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(p.toFile())) {
            java.util.jar.Manifest m = jar.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue(java.util.jar.Attributes.Name.CLASS_PATH);
            if (cp != null) {
                for (String rel : cp.trim().split("\\s+")) {
                    if (!rel.isEmpty()) {
                        addWithManifestClassPath(p.resolveSibling(rel).normalize(), out);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest of " + p, e);
        }
    }

    private static byte[] fileHash(Path f) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(f)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- state ---------------------------------------------------------------------------------------------------

    private static JsonNode loadOrCreate(Path dir) {
        Path file = dir.resolve(STATE_FILE);
        try {
            Files.createDirectories(dir);
            // Two components starting at once must end up with the same root: serialise creation with a lock file
            // (across processes) and a monitor (across threads: the JVM refuses overlapping file locks).
            synchronized (STATE_LOCK) {
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

    private static ObjectNode generate() {
        Instant now = Instant.now();
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
        X509Certificate pckCert = Pki.pck(pckName, pck, pckCaName, pckCa.getPrivate(), from, to, CPU_SVN, PCE_SVN,
                new byte[2], HexFormat.of().parseHex(FMSPC));
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
        new java.security.SecureRandom().nextBytes(secret);
        o.put("sealingSecret", Base64.getEncoder().encodeToString(secret));
        return o;
    }

    private static void putKey(ObjectNode o, String name, KeyPair k) {
        o.put(name, Base64.getEncoder().encodeToString(k.getPrivate().getEncoded()));
    }

    private static void putCert(ObjectNode o, String name, X509Certificate c) {
        try {
            o.put(name, Base64.getEncoder().encodeToString(c.getEncoded()));
        } catch (java.security.cert.CertificateEncodingException e) {
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
        return "SimulatedTee[SIMULATED, no hardware protection, role=" + role + ", " + measurement + "]";
    }

}
