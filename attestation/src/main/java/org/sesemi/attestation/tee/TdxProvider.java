package org.sesemi.attestation.tee;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.TeeProvider;
import org.sesemi.attestation.dcap.Quote;
import org.sesemi.crypto.Hashes;
import org.sesemi.crypto.SealingKey;

/**
 * TDX through Linux configfs-tsm: {@code mkdir <tsm>/<entry>}, write the report data to {@code inblob}, read the quote
 * from {@code outblob}, {@code rmdir}. One entry per request avoids sharing {@code generation} with other users; when
 * the kernel exposes {@code generation} it must show exactly our one write.
 *
 * <p>{@code tdx.entry} in the enclave configuration names a fixed, pre-created entry instead (kept after use); then
 * the {@code generation} check is what detects a concurrent writer.
 *
 * <p>TDX has no hardware sealing key. {@link #sealingKey()} therefore needs {@code tdx.sealingKeyFile} in the
 * enclave configuration (32 bytes, e.g. provisioned from a key broker or a vTPM-sealed volume inside the TD).
 */
public final class TdxProvider implements TeeProvider {
    private static final AtomicLong COUNTER = new AtomicLong();
    private final Path tsmDir;
    private final Map<String, String> config;

    public TdxProvider(Path tsmReportDir, Map<String, String> enclaveConfig) {
        this.tsmDir = tsmReportDir;
        this.config = Map.copyOf(enclaveConfig);
        if (!Files.isDirectory(tsmDir)) {
            throw new AttestationException(Reason.TEE_UNAVAILABLE, tsmDir
                    + " does not exist: configfs-tsm is unavailable (Linux >= 6.7 TDX guest with configfs mounted)");
        }
    }

    @Override
    public String name() {
        return "tdx";
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
        String fixed = config.get("tdx.entry");
        if (fixed != null && !fixed.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new AttestationException(Reason.UNSUPPORTED, "tdx.entry must be a plain directory name");
        }
        Path entry = tsmDir.resolve(fixed != null ? fixed : "sesemi-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet());
        try {
            long before = 0;
            if (fixed == null) {
                Files.createDirectory(entry);
            } else {
                Files.createDirectories(entry);
                before = generation(entry).orElse(0L);
            }
            try {
                Path provider = entry.resolve("provider");
                if (Files.isRegularFile(provider)) {
                    String p = Files.readString(provider, StandardCharsets.US_ASCII).strip();
                    if (!p.equals("tdx_guest")) {
                        throw new AttestationException(Reason.TEE_UNAVAILABLE, "configfs-tsm provider is '" + p + "', not tdx_guest");
                    }
                }
                Files.write(entry.resolve("inblob"), reportData64);
                byte[] quote = Files.readAllBytes(entry.resolve("outblob"));
                java.util.Optional<Long> gen = generation(entry);
                if (gen.isPresent() && gen.get() != before + 1) {
                    throw new AttestationException(Reason.TEE_UNAVAILABLE, "configfs-tsm generation is " + gen.get()
                            + " after our one write (expected " + (before + 1) + "): another writer raced this report");
                }
                if (quote.length > Quote.MAX_QUOTE_BYTES) {
                    throw new AttestationException(Reason.TEE_UNAVAILABLE, "configfs-tsm returned an oversized quote");
                }
                Quote q = Quote.parse(quote);
                if (!Arrays.equals(q.body().reportData(), reportData64)) {
                    throw new AttestationException(Reason.BINDING_MISMATCH, "configfs-tsm returned a quote over different report data");
                }
                return Arrays.copyOf(quote, q.length());
            } finally {
                if (fixed == null) {
                    removeEntry(entry);
                }
            }
        } catch (NoSuchFileException e) {
            throw new AttestationException(Reason.TEE_UNAVAILABLE, "configfs-tsm did not produce " + e.getFile(), e);
        } catch (IOException e) {
            throw new AttestationException(Reason.TEE_UNAVAILABLE, "configfs-tsm quote generation failed: " + e, e);
        }
    }

    private static java.util.Optional<Long> generation(Path entry) throws IOException {
        Path gen = entry.resolve("generation");
        if (!Files.isRegularFile(gen)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(Long.parseLong(Files.readString(gen, StandardCharsets.US_ASCII).strip()));
        } catch (NumberFormatException e) {
            throw new AttestationException(Reason.TEE_UNAVAILABLE, "configfs-tsm generation is not a number");
        }
    }

    /** configfs removes the attribute files with the directory; a plain folder (tests) needs them deleted first. */
    private static void removeEntry(Path entry) {
        try {
            Files.delete(entry);
        } catch (IOException notEmpty) {
            try (var files = Files.list(entry)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(entry);
            } catch (IOException ignored) {
                // Leaving a stale entry behind is harmless: every request uses a fresh name.
            }
        }
    }

    @Override
    public SealingKey sealingKey() {
        String file = config.get("tdx.sealingKeyFile");
        if (file == null) {
            throw new AttestationException(Reason.UNSUPPORTED,
                    "TDX has no hardware sealing key; set tdx.sealingKeyFile to a 32-byte key provisioned inside the TD");
        }
        try {
            byte[] k = Files.readAllBytes(Path.of(file));
            if (k.length != 32) {
                throw new AttestationException(Reason.TEE_UNAVAILABLE, "tdx.sealingKeyFile must hold exactly 32 bytes");
            }
            byte[] material = Hashes.sha256("sesemi-tdx-seal-v1".getBytes(StandardCharsets.US_ASCII), k);
            Arrays.fill(k, (byte) 0);
            return SealingKey.aesGcm(material);
        } catch (IOException e) {
            throw new AttestationException(Reason.TEE_UNAVAILABLE, "cannot read tdx.sealingKeyFile", e);
        }
    }
}
