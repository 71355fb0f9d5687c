package org.sesemi.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.VerifiedQuote;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.attestation.dcap.SgxReportBody;
import org.sesemi.attestation.dcap.TdReportBody;
import picocli.CommandLine.Option;

/** Shared pieces of the attestation verbs: input decoding, policy options and the JSON verdict. */
final class AttestationCliSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Exit codes of the attestation verbs. */
    static final int VERIFIED = 0;
    static final int REJECTED = 1;
    static final int UNUSABLE = 2;
    static final int MAX_INPUT = 4 << 20;

    private AttestationCliSupport() {}

    /** Input that cannot be used at all (missing file, bad format): exit code 2. */
    static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message) {
            super(message);
        }
    }

    /** Policy options shared by verify and inspect-cert. */
    static final class PolicyOptions {
        @Option(names = "--at", paramLabel = "INSTANT", description = "Verification instant (ISO-8601, e.g. 2025-07-01T00:00:00Z); default now.")
        String at;

        @Option(names = "--trust-root", paramLabel = "FILE",
                description = "Trust root: X.509 certificate or public key (PEM or DER). Repeatable. Default: the Intel SGX Root CA.")
        List<Path> trustRoots = List.of();

        @Option(names = "--allow-debug", description = "Accept debug enclaves / debug TDs (insecure).")
        boolean allowDebug;

        @Option(names = "--accept-tcb", split = ",", paramLabel = "STATUS",
                description = "Accepted TCB statuses (default UpToDate,SWHardeningNeeded,ConfigurationNeeded,ConfigurationAndSWHardeningNeeded).")
        List<String> acceptTcb = List.of();

        boolean simulatedRoot;

        VerificationPolicy policy() throws Unusable {
            VerificationPolicy.Builder b = VerificationPolicy.builder().allowDebug(allowDebug).noEvidenceAgeLimit();
            if (at != null) {
                try {
                    b.clock(Clock.fixed(Instant.parse(at), ZoneOffset.UTC));
                } catch (DateTimeParseException e) {
                    throw new Unusable("--at: not an ISO-8601 instant: " + at);
                }
            }
            for (Path p : trustRoots) {
                TrustRoot r = loadTrustRoot(p);
                if (r.simulated()) {
                    simulatedRoot = true;
                    b.simulatedTrustRoot(r.key());
                } else {
                    b.trustRoot(r.key());
                }
            }
            if (!acceptTcb.isEmpty()) {
                b.acceptedTcbStatuses(Set.copyOf(acceptTcb));
            }
            return b.build();
        }
    }

    record TrustRoot(PublicKey key, boolean simulated) {}

    /** A certificate (PEM/DER) or a public key (PEM/DER). Roots of the simulated TEE are recognised by subject. */
    static TrustRoot loadTrustRoot(Path p) throws Unusable {
        byte[] raw = readFile(p);
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        try {
            if (text.contains("-----BEGIN PUBLIC KEY-----")) {
                return new TrustRoot(publicKey(pemBody(text, "PUBLIC KEY")), false);
            }
            if (text.contains("-----BEGIN CERTIFICATE-----") || (raw.length > 0 && raw[0] == 0x30)) {
                try {
                    X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(raw));
                    boolean sim = c.getSubjectX500Principal().getName().contains("SeSeMI SIMULATED");
                    return new TrustRoot(c.getPublicKey(), sim);
                } catch (java.security.cert.CertificateException notACert) {
                    return new TrustRoot(publicKey(raw), false);
                }
            }
        } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
            throw new Unusable(p + ": not a certificate or public key");
        }
        throw new Unusable(p + ": not a certificate or public key");
    }

    private static PublicKey publicKey(byte[] der) throws java.security.GeneralSecurityException {
        return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
    }

    private static byte[] pemBody(String text, String type) {
        int b = text.indexOf("-----BEGIN " + type + "-----");
        int e = text.indexOf("-----END " + type + "-----", b);
        return Base64.getMimeDecoder().decode(text.substring(b + ("-----BEGIN " + type + "-----").length(), e));
    }

    static byte[] readFile(Path p) throws Unusable {
        try {
            if (Files.size(p) > MAX_INPUT) {
                throw new Unusable(p + ": larger than " + MAX_INPUT + " bytes");
            }
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new Unusable(p + ": no such file");
        } catch (IOException e) {
            throw new Unusable(p + ": cannot read (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Binary as is, or hex text (whitespace and an optional 0x prefix allowed) decoded. */
    static byte[] binaryOrHex(byte[] raw) {
        String s = new String(raw, StandardCharsets.ISO_8859_1).strip();
        if (s.startsWith("0x") || s.startsWith("0X")) {
            s = s.substring(2);
        }
        String compact = s.replaceAll("\\s+", "");
        if (!compact.isEmpty() && compact.length() % 2 == 0 && compact.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return HexFormat.of().parseHex(compact);
        }
        return raw;
    }

    /** The verdict JSON: what the quote says (as far as it parses) and whether it verified. */
    static ObjectNode verdict(byte[] quote, Optional<VerifiedQuote> verified, Optional<AttestationException> failure,
            boolean simulatedRoot) {
        ObjectNode o = JSON.createObjectNode();
        o.put("verified", verified.isPresent());
        Quote q = null;
        try {
            q = Quote.parse(quote);
        } catch (AttestationException e) {
            // Leave the descriptive fields null: the quote does not parse.
        }
        o.put("tee", q == null ? null : q.tee().label());
        if (q == null) {
            o.putNull("quoteVersion");
            o.putNull("debug");
        } else {
            o.put("quoteVersion", q.version());
            o.put("debug", q.body().debug());
        }
        // On rejection, report what the TCB evaluation found (e.g. OutOfDate for tcb_rejected): it says why.
        o.put("tcbStatus", verified.flatMap(VerifiedQuote::tcbStatus)
                .or(() -> failure.flatMap(AttestationException::tcbStatus)).orElse(null));
        var adv = o.putArray("advisoryIds");
        verified.ifPresent(v -> v.advisoryIds().forEach(adv::add));
        failure.ifPresent(f -> f.advisoryIds().forEach(adv::add));
        o.put("reportData", q == null ? null : HexFormat.of().formatHex(q.body().reportData()));
        if (q == null) {
            o.putNull("measurement");
        } else {
            ObjectNode m = o.putObject("measurement");
            switch (q.body()) {
                case SgxReportBody b -> {
                    m.put("mrEnclave", HexFormat.of().formatHex(b.mrEnclave()));
                    m.put("mrSigner", HexFormat.of().formatHex(b.mrSigner()));
                    m.put("isvProdId", b.isvProdId());
                    m.put("isvSvn", b.isvSvn());
                }
                case TdReportBody b -> {
                    m.put("mrTd", HexFormat.of().formatHex(b.mrTd()));
                    for (int i = 0; i < 4; i++) {
                        m.put("rtmr" + i, HexFormat.of().formatHex(b.rtmr(i)));
                    }
                    m.put("mrSeam", HexFormat.of().formatHex(b.mrSeam()));
                    m.put("teeTcbSvn", HexFormat.of().formatHex(b.teeTcbSvn()));
                    m.put("tdAttributes", HexFormat.of().formatHex(b.tdAttributes()));
                }
            }
        }
        verified.ifPresent(v -> o.put("canonicalMeasurement", v.measurement().value()));
        boolean simulated = verified.map(VerifiedQuote::simulated).orElse(simulatedRoot);
        o.put("simulated", simulated);
        if (simulated) {
            o.put("warning", "SIMULATED TEE evidence: no hardware protection");
        }
        failure.ifPresent(f -> {
            o.put("reason", f.code());
            o.put("message", f.getMessage());
        });
        return o;
    }

    static String json(ObjectNode o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Exit code for a failed verification: rejected (1) unless the input itself was unusable (2). */
    static int exitFor(AttestationException e) {
        return switch (e.reason()) {
            case MALFORMED, UNSUPPORTED -> UNUSABLE;
            default -> REJECTED;
        };
    }
}
