package org.sesemi.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.client.keyservice.KeyServiceException;
import org.sesemi.client.keyservice.StateVersions;
import org.sesemi.crypto.PrincipalIdentity;
import picocli.CommandLine.Option;

/**
 * How a CLI verb reaches and trusts the KeyService, and as whom. Flags win over environment variables, which win over
 * the {@code sesemi.env} file of {@code sesemi up} ({@link SesemiEnv}): {@code SESEMI_KS_URL},
 * {@code SESEMI_KS_MEASUREMENT}, {@code SESEMI_KS_TRUST_ROOT}, {@code SESEMI_IDENTITY}.
 * The KeyService's measurement must always be pinned: the client refuses to talk to anything else.
 */
final class KeyServiceCliOptions {
    @Option(names = "--ks-url", paramLabel = "URL", description = "KeyService address (env SESEMI_KS_URL; default https://127.0.0.1:8443).")
    String url;

    @Option(names = "--ks-measurement", paramLabel = "MEASUREMENT", split = ",",
            description = "Expected KeyService measurement(s), e.g. sgx:<64 hex> (env SESEMI_KS_MEASUREMENT, comma-separated). Required.")
    List<String> measurements;

    @Option(names = "--ks-trust-root", paramLabel = "FILE",
            description = "Trust root for the KeyService's evidence: certificate or public key, PEM/DER (env SESEMI_KS_TRUST_ROOT). "
                    + "Use the file written by 'sesemi keyservice serve --root-out' for the SIMULATED TEE. Default: the Intel SGX Root CA.")
    Path trustRoot;

    @Option(names = "--identity", paramLabel = "FILE", description = "Your identity (private key) file (env SESEMI_IDENTITY).")
    Path identity;

    KeyServiceEndpoint endpoint() {
        String u = SesemiEnv.get(url, SesemiEnv.KS_URL).orElse("https://127.0.0.1:8443");
        URI uri;
        try {
            uri = URI.create(u);
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UserException("--ks-url: not a URL: " + u);
        }
        List<String> ms = measurements != null ? measurements
                : SesemiEnv.get(SesemiEnv.KS_MEASUREMENT).map(v -> List.of(v.split(","))).orElse(List.of());
        if (ms.isEmpty()) {
            throw new CliErrors.UserException("the KeyService measurement is not pinned: pass --ks-measurement or set SESEMI_KS_MEASUREMENT "
                    + "(printed by 'sesemi keyservice serve' and 'sesemi measure')");
        }
        VerificationPolicy.Builder b = VerificationPolicy.builder();
        for (String m : ms) {
            try {
                b.expectMeasurement(Measurement.parse(m));
            } catch (AttestationException e) {
                throw new CliErrors.UserException("--ks-measurement: " + e.getMessage());
            }
        }
        String root = SesemiEnv.get(trustRoot != null ? trustRoot.toString() : null, SesemiEnv.KS_TRUST_ROOT).orElse(null);
        if (root != null) {
            try {
                AttestationCliSupport.TrustRoot r = AttestationCliSupport.loadTrustRoot(Path.of(root));
                if (r.simulated()) {
                    b.simulatedTrustRoot(r.key());
                } else {
                    b.trustRoot(r.key());
                }
            } catch (AttestationCliSupport.Unusable e) {
                throw new CliErrors.UserException("--ks-trust-root: " + e.getMessage());
            }
        }
        try {
            return new KeyServiceEndpoint(uri, b.build());
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UserException(e.getMessage());
        }
    }

    private Path identityFile() {
        String f = SesemiEnv.get(identity != null ? identity.toString() : null, SesemiEnv.IDENTITY).orElse(null);
        if (f == null) {
            throw new CliErrors.UserException("no identity: pass --identity FILE or set SESEMI_IDENTITY (create one with 'sesemi identity create')");
        }
        return Path.of(f);
    }

    PrincipalIdentity identity() {
        return PrincipalIdentity.load(identityFile());
    }

    /** Where the highest KeyService state versions seen with this identity are kept: {@code <identity file>.ks-state}. */
    static Path stateVersionsFile(Path identityFile) {
        return identityFile.resolveSibling(identityFile.getFileName() + ".ks-state");
    }

    /**
     * Runs {@code call} with a principal client that refuses KeyService answers below the state versions already seen
     * with this identity; KeyService refusals become one-line user errors.
     */
    <T> T call(Function<KeyServiceClient, T> call) {
        Path id = identityFile();
        try (KeyServiceClient c = KeyServiceClient.forPrincipal(endpoint(), PrincipalIdentity.load(id),
                StateVersions.file(stateVersionsFile(id)))) {
            return call.apply(c);
        } catch (KeyServiceException e) {
            if (e.reason().equals(KeyServiceException.STATE_ROLLBACK)) {
                throw new CliErrors.ClientRollback(e.getMessage());
            }
            throw new CliErrors.UserException(describe(e));
        }
    }

    static String describe(KeyServiceException e) {
        return switch (e.reason()) {
            case KeyServiceException.KS_EVIDENCE_REJECTED -> "the KeyService's attestation was rejected: " + e.getMessage()
                    + " (check --ks-measurement and --ks-trust-root)";
            case KeyServiceException.UNREACHABLE -> e.getMessage() + " (is 'sesemi keyservice serve' running at the --ks-url?)";
            default -> "KeyService refused [" + e.reason() + (e.status() > 0 ? ", HTTP " + e.status() : "") + "]: " + e.getMessage();
        };
    }

    static Measurement measurement(String text, String option) {
        try {
            return Measurement.parse(text);
        } catch (AttestationException e) {
            throw new CliErrors.UserException(option + ": " + e.getMessage());
        }
    }
}
