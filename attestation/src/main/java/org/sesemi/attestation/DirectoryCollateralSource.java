package org.sesemi.attestation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Collateral kept as files, one {@code QuoteCollateralV3} JSON per platform: {@code <dir>/<tee>-<fmspc>.json} (e.g.
 * {@code sgx-00a067110000.json}) or {@code <dir>/<fmspc>.json}. Operators refresh the files (e.g. from a PCCS) before
 * Intel's {@code nextUpdate}; a changed file is re-read (by modification time), an unchanged one is parsed once.
 * Thread-safe.
 */
final class DirectoryCollateralSource implements VerificationPolicy.CollateralSource {
    private record Entry(FileTime modified, Collateral collateral) {}

    private final Path dir;
    private final Map<Path, Entry> cache = new ConcurrentHashMap<>();

    DirectoryCollateralSource(Path dir) {
        this.dir = dir;
    }

    @Override
    public Optional<Collateral> collateralFor(TeeType tee, String fmspcHex) {
        String fmspc = fmspcHex.toLowerCase(Locale.ROOT);
        if (!fmspc.matches("[0-9a-f]{12}")) {
            return Optional.empty();
        }
        for (Path p : new Path[] {dir.resolve(tee.label() + "-" + fmspc + ".json"), dir.resolve(fmspc + ".json")}) {
            try {
                FileTime modified = Files.getLastModifiedTime(p);
                Entry e = cache.get(p);
                if (e == null || !e.modified().equals(modified)) {
                    if (Files.size(p) > Collateral.MAX_BYTES) {
                        throw new AttestationException(AttestationException.Reason.MALFORMED, p + " is too large");
                    }
                    e = new Entry(modified, Collateral.parseJson(Files.readAllBytes(p)));
                    cache.put(p, e);
                }
                return Optional.of(e.collateral());
            } catch (NoSuchFileException missing) {
                cache.remove(p);
            } catch (IOException io) {
                throw new AttestationException(AttestationException.Reason.COLLATERAL_INVALID,
                        "cannot read collateral " + p + ": " + io.getClass().getSimpleName());
            }
        }
        return Optional.empty();
    }
}
