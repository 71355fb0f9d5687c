package org.sesemi.attestation.tee;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.TeeProvider;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.crypto.Hashes;
import org.sesemi.crypto.SealingKey;

/**
 * Gramine-SGX: writes report data to {@code <dir>/user_report_data} and reads the DCAP quote from {@code <dir>/quote}
 * (Gramine's {@code /dev/attestation}); the sealing key derives from {@code <dir>/keys/_sgx_mrenclave}.
 *
 * <p>The two pseudo-files are one process-wide exchange, so quote generation is serialised. The returned quote is
 * parsed and its report data compared with the request, which catches a misbehaving or raced device.
 */
public final class GramineSgxProvider implements TeeProvider {
    private final Path dir;

    public GramineSgxProvider(Path attestationDir) {
        this.dir = attestationDir;
        if (!Files.isDirectory(dir)) {
            throw new AttestationException(Reason.TEE_UNAVAILABLE, dir + " does not exist: not running under Gramine-SGX");
        }
        Path type = dir.resolve("attestation_type");
        if (Files.isRegularFile(type)) {
            try {
                String t = Files.readString(type, StandardCharsets.US_ASCII).strip();
                if (!t.equals("dcap")) {
                    throw new AttestationException(Reason.TEE_UNAVAILABLE, "Gramine attestation type is '" + t
                            + "', DCAP is required (sgx.remote_attestation = \"dcap\" in the manifest)");
                }
            } catch (IOException e) {
                throw new AttestationException(Reason.TEE_UNAVAILABLE, "cannot read " + type, e);
            }
        }
    }

    @Override
    public String name() {
        return "gramine-sgx";
    }

    @Override
    public boolean isSimulated() {
        return false;
    }

    @Override
    public synchronized byte[] quote(byte[] reportData64) {
        if (reportData64 == null || reportData64.length != 64) {
            throw new AttestationException(Reason.MALFORMED, "report data must be exactly 64 bytes");
        }
        byte[] quote;
        try {
            Files.write(dir.resolve("user_report_data"), reportData64, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            quote = Files.readAllBytes(dir.resolve("quote"));
        } catch (IOException e) {
            throw new AttestationException(Reason.TEE_UNAVAILABLE, "Gramine quote generation failed: " + e, e);
        }
        if (quote.length > Quote.MAX_QUOTE_BYTES) {
            throw new AttestationException(Reason.TEE_UNAVAILABLE, "Gramine returned an oversized quote");
        }
        Quote q = Quote.parse(quote);
        if (!Arrays.equals(q.body().reportData(), reportData64)) {
            throw new AttestationException(Reason.BINDING_MISMATCH, "Gramine returned a quote over different report data");
        }
        return Arrays.copyOf(quote, q.length());
    }

    @Override
    public SealingKey sealingKey() {
        Path keyFile = dir.resolve("keys").resolve("_sgx_mrenclave");
        try {
            byte[] k = Files.readAllBytes(keyFile);
            if (k.length < 16 || k.length > 64) {
                throw new AttestationException(Reason.TEE_UNAVAILABLE, keyFile + " does not hold a 128-bit SGX key");
            }
            // SGX sealing keys are 128-bit; widen with a domain-separated hash to the 256-bit AES key SealingKey wants.
            byte[] material = Hashes.sha256("sesemi-gramine-seal-v1".getBytes(StandardCharsets.US_ASCII), k);
            Arrays.fill(k, (byte) 0);
            return SealingKey.aesGcm(material);
        } catch (IOException e) {
            throw new AttestationException(Reason.TEE_UNAVAILABLE, "cannot read the Gramine MRENCLAVE sealing key", e);
        }
    }
}
