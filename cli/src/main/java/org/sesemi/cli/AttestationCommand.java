package org.sesemi.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.Collateral;
import org.sesemi.attestation.QuoteVerifier;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.VerifiedQuote;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.attestation.ratls.RaTlsEvidence;
import org.sesemi.crypto.Hashes;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sesemi attestation verify|simulate|inspect-cert}: DCAP evidence from the command line. Verdicts are one JSON
 * object on stdout; exit 0 = verified, 1 = rejected, 2 = unusable input.
 */
@Command(name = "attestation", mixinStandardHelpOptions = true,
        description = "Verify Intel DCAP quotes and RA-TLS certificates; produce simulated quotes.",
        subcommands = {AttestationCommand.Verify.class, AttestationCommand.Simulate.class, AttestationCommand.InspectCert.class})
final class AttestationCommand {

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Verify a DCAP quote (SGX v3, TDX v4/v5). Without --collateral only signatures and the PCK chain",
                "are checked (tcbStatus null). Prints one JSON object; exit 0 verified, 1 rejected, 2 unusable input."})
    static final class Verify implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--quote", required = true, paramLabel = "FILE", description = "Quote, binary or hex text.")
        Path quote;

        @Option(names = "--collateral", paramLabel = "FILE", description = "Collateral in QuoteCollateralV3 JSON.")
        Path collateral;

        @Mixin AttestationCliSupport.PolicyOptions policy;

        @Override
        public Integer call() {
            byte[] q;
            VerificationPolicy p;
            Optional<Collateral> c = Optional.empty();
            try {
                q = AttestationCliSupport.binaryOrHex(AttestationCliSupport.readFile(quote));
                p = policy.policy();
                if (collateral != null) {
                    c = Optional.of(Collateral.parseJson(AttestationCliSupport.readFile(collateral)));
                }
            } catch (AttestationCliSupport.Unusable e) {
                spec.commandLine().getErr().println("sesemi attestation verify: error: " + e.getMessage());
                return AttestationCliSupport.UNUSABLE;
            } catch (AttestationException e) {
                spec.commandLine().getErr().println("sesemi attestation verify: error: collateral: " + e.getMessage());
                return AttestationCliSupport.UNUSABLE;
            }
            return report(spec, q, c, p, policy.simulatedRoot);
        }
    }

    static int report(CommandSpec spec, byte[] q, Optional<Collateral> c, VerificationPolicy p, boolean simulatedRoot) {
        try {
            VerifiedQuote v = new QuoteVerifier().verify(q, c, p);
            ObjectNode o = AttestationCliSupport.verdict(q, Optional.of(v), Optional.empty(), simulatedRoot);
            spec.commandLine().getOut().println(AttestationCliSupport.json(o));
            if (v.simulated()) {
                spec.commandLine().getErr().println("warning: SIMULATED TEE evidence, no hardware protection");
            }
            return AttestationCliSupport.VERIFIED;
        } catch (AttestationException e) {
            ObjectNode o = AttestationCliSupport.verdict(q, Optional.empty(), Optional.of(e), simulatedRoot);
            spec.commandLine().getOut().println(AttestationCliSupport.json(o));
            return AttestationCliSupport.exitFor(e);
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true,
            description = {"Write a quote from the SIMULATED TEE (no hardware protection) binding the given report data.",
                "Verify it with --trust-root pointing at the simulated root (see --root-out)."})
    static final class Simulate implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--report-data", required = true, paramLabel = "HEX", description = "Up to 64 bytes, hex; zero-padded.")
        String reportData;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Quote file to write (binary).")
        Path out;

        @Option(names = "--root-out", paramLabel = "FILE", description = "Also write the simulated root CA certificate (PEM).")
        Path rootOut;

        @Option(names = "--role", defaultValue = "runtime", description = "Role whose measurement to use (default ${DEFAULT-VALUE}).")
        String role;

        @Option(names = "--simulated-dir", paramLabel = "DIR", description = "Simulated TEE state (default ~/.sesemi/simulated-tee).")
        Path dir;

        @Override
        public Integer call() throws Exception {
            byte[] rd;
            try {
                rd = HexFormat.of().parseHex(reportData.strip());
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UserException("--report-data must be hex");
            }
            if (rd.length > 64) {
                throw new CliErrors.UserException("--report-data is at most 64 bytes");
            }
            byte[] padded = java.util.Arrays.copyOf(rd, 64);
            SimulatedTee tee = SimulatedTee.open(dir == null ? TeeConfig.DEFAULT_SIMULATED_DIR : dir, role);
            byte[] quote = tee.quote(padded);
            Files.write(out, quote);
            if (rootOut != null) {
                Files.writeString(rootOut, org.sesemi.attestation.tee.Pki.pem(List.of(tee.rootCertificate())));
            }
            spec.commandLine().getErr().println("SIMULATED TEE (no hardware protection): wrote " + quote.length
                    + "-byte quote for " + tee.measurement() + " to " + out);
            ObjectNode o = AttestationCliSupport.JSON.createObjectNode();
            o.put("simulated", true);
            o.put("warning", "SIMULATED TEE evidence: no hardware protection");
            o.put("measurement", tee.measurement().value());
            o.put("quote", out.toString());
            o.put("bytes", quote.length);
            spec.commandLine().getOut().println(AttestationCliSupport.json(o));
            return 0;
        }
    }

    @Command(name = "inspect-cert", mixinStandardHelpOptions = true,
            description = {"Inspect an RA-TLS certificate: evidence kind, key binding, quote fields, and the verdict under the",
                "policy options. Exit 0 verified, 1 rejected, 2 unusable input."})
    static final class InspectCert implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--cert", required = true, paramLabel = "FILE", description = "Certificate, PEM or DER.")
        Path cert;

        @Mixin AttestationCliSupport.PolicyOptions policy;

        @Override
        public Integer call() {
            X509Certificate c;
            VerificationPolicy p;
            try {
                byte[] raw = AttestationCliSupport.readFile(cert);
                try {
                    c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(raw));
                } catch (java.security.cert.CertificateException e) {
                    throw new AttestationCliSupport.Unusable(cert + ": not an X.509 certificate");
                }
                p = policy.policy();
            } catch (AttestationCliSupport.Unusable e) {
                spec.commandLine().getErr().println("sesemi attestation inspect-cert: error: " + e.getMessage());
                return AttestationCliSupport.UNUSABLE;
            }
            ObjectNode o = AttestationCliSupport.JSON.createObjectNode();
            o.put("subject", c.getSubjectX500Principal().getName());
            o.put("notBefore", c.getNotBefore().toInstant().toString());
            o.put("notAfter", c.getNotAfter().toInstant().toString());
            o.put("publicKeyAlgorithm", c.getPublicKey().getAlgorithm());
            o.put("spkiSha256", Hashes.sha256Hex(c.getPublicKey().getEncoded()));
            Optional<RaTlsEvidence> ev;
            try {
                ev = RaTlsEvidence.of(c);
            } catch (AttestationException e) {
                o.put("verified", false);
                o.put("reason", e.code());
                o.put("message", e.getMessage());
                spec.commandLine().getOut().println(AttestationCliSupport.json(o));
                return AttestationCliSupport.UNUSABLE;
            }
            if (ev.isEmpty()) {
                o.put("evidence", (String) null);
                o.put("verified", false);
                o.put("reason", "unsupported");
                o.put("message", "certificate carries no RA-TLS evidence");
                spec.commandLine().getOut().println(AttestationCliSupport.json(o));
                return AttestationCliSupport.UNUSABLE;
            }
            o.put("evidence", ev.get().kind().name().toLowerCase(java.util.Locale.ROOT));
            byte[] quote = ev.get().quote();
            try {
                ev.get().checkBinding(Quote.parse(quote).body().reportData(), c.getPublicKey().getEncoded());
                o.put("binding", true);
            } catch (AttestationException e) {
                o.put("binding", false);
            }
            int code;
            ObjectNode verdict;
            try {
                var tee = RaTls.verifyCertificate(c, p);
                verdict = AttestationCliSupport.verdict(quote, Optional.of(tee.quote()), Optional.empty(), policy.simulatedRoot);
                code = AttestationCliSupport.VERIFIED;
            } catch (AttestationException e) {
                verdict = AttestationCliSupport.verdict(quote, Optional.empty(), Optional.of(e), policy.simulatedRoot);
                code = e.reason() == AttestationException.Reason.MALFORMED ? AttestationCliSupport.UNUSABLE
                        : AttestationCliSupport.REJECTED;
            }
            o.setAll(verdict);
            spec.commandLine().getOut().println(AttestationCliSupport.json(o));
            return code;
        }
    }

}
