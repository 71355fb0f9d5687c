package org.sesemi.attestation.collateral;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.sesemi.attestation.Collateral;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeProvider;
import org.sesemi.attestation.TeeType;
import org.sesemi.attestation.VerificationPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's choice of collateral source ({@code --collateral} / {@code SESEMI_COLLATERAL}):
 * <ul>
 *   <li>{@code intel} — Intel's PCS over the internet;</li>
 *   <li>{@code pccs:URL} (or just an {@code http(s)://} URL) — a PCCS, API v4;</li>
 *   <li>{@code dir:PATH} — collateral files {@code <tee>-<fmspc>.json} in a directory, refreshed by the operator;</li>
 *   <li>{@code simulated[:STATUS[:INTEL-SA-…,…]]} — collateral the simulated TEE signs for its own platform, rating it
 *       STATUS (default {@code UpToDate}); only with the simulated TEE;</li>
 *   <li>{@code none} — signatures and chains only, no TCB status, no revocation: logged as a warning.</li>
 * </ul>
 * Every setting but {@code none} makes collateral required: a quote without current collateral is rejected.
 *
 * @param kind which source
 * @param argument URL, directory, or simulated TCB status (empty for intel and none)
 * @param advisoryIds advisories of a simulated platform
 */
public record CollateralSetting(Kind kind, String argument, List<String> advisoryIds) {
    private static final Logger LOG = LoggerFactory.getLogger(CollateralSetting.class);
    /** How long simulated collateral is valid (Intel's is valid about 30 days). */
    static final Duration SIMULATED_VALIDITY = Duration.ofDays(1);
    /** Refresh at least this often even when nextUpdate is later. */
    static final Duration REFRESH_EVERY = Duration.ofHours(6);
    /** How often the background thread looks for due refreshes. */
    static final Duration CHECK_EVERY = Duration.ofMinutes(1);

    public enum Kind { NONE, INTEL, PCCS, DIRECTORY, SIMULATED }

    public CollateralSetting {
        advisoryIds = List.copyOf(advisoryIds);
    }

    /**
     * Parses a setting (see the class comment).
     *
     * @throws IllegalArgumentException with a message naming the accepted forms
     */
    public static CollateralSetting parse(String spec) {
        String s = spec == null ? "" : spec.strip();
        if (s.equals("none")) {
            return new CollateralSetting(Kind.NONE, "", List.of());
        }
        if (s.equals("intel") || s.equals("pcs")) {
            return new CollateralSetting(Kind.INTEL, "", List.of());
        }
        if (s.startsWith("pccs:") || s.startsWith("http://") || s.startsWith("https://")) {
            String url = s.startsWith("pccs:") ? s.substring(5) : s;
            URI u;
            try {
                u = URI.create(url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("collateral: not a URL: " + url);
            }
            if (u.getHost() == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new IllegalArgumentException("collateral: a PCCS is given as pccs:https://host[:port]");
            }
            return new CollateralSetting(Kind.PCCS, url, List.of());
        }
        if (s.startsWith("dir:")) {
            String dir = s.substring(4);
            if (dir.isBlank()) {
                throw new IllegalArgumentException("collateral: dir:PATH needs a directory");
            }
            return new CollateralSetting(Kind.DIRECTORY, dir, List.of());
        }
        if (s.equals("simulated") || s.startsWith("simulated:")) {
            String[] parts = s.split(":", 3);
            String status = parts.length > 1 ? parts[1] : "UpToDate";
            if (!SimulatedTee.TCB_STATUSES.contains(status)) {
                throw new IllegalArgumentException("collateral: simulated TCB status must be one of "
                        + new java.util.TreeSet<>(SimulatedTee.TCB_STATUSES) + ", not '" + status + "'");
            }
            List<String> adv = parts.length > 2 && !parts[2].isBlank() ? Arrays.asList(parts[2].split(",")) : List.of();
            for (String a : adv) {
                if (!a.matches("INTEL-SA-[0-9]{5}")) {
                    throw new IllegalArgumentException("collateral: advisory ids look like INTEL-SA-00123, not '" + a + "'");
                }
            }
            return new CollateralSetting(Kind.SIMULATED, status, adv);
        }
        throw new IllegalArgumentException("collateral must be intel, pccs:URL, dir:PATH, simulated[:STATUS[:ADVISORIES]] "
                + "or none, not '" + s + "'");
    }

    /** The default for a component running in {@code tee}: simulated collateral in the simulated TEE, else Intel's PCS. */
    public static CollateralSetting defaultFor(TeeProvider tee) {
        return tee.isSimulated() ? new CollateralSetting(Kind.SIMULATED, "UpToDate", List.of())
                : new CollateralSetting(Kind.INTEL, "", List.of());
    }

    /** Whether quotes without current collateral are rejected (every setting but {@code none}). */
    public boolean required() {
        return kind != Kind.NONE;
    }

    /** The setting as it would be written. */
    public String describe() {
        return switch (kind) {
            case NONE -> "none";
            case INTEL -> "intel";
            case PCCS -> "pccs:" + argument;
            case DIRECTORY -> "dir:" + argument;
            case SIMULATED -> "simulated:" + argument + (advisoryIds.isEmpty() ? "" : ":" + String.join(",", advisoryIds));
        };
    }

    /**
     * Opens the source. The cache's trust anchors are the policy's roots (hardware and simulated).
     *
     * @param own the TEE of the component that verifies (the simulated setting signs with its simulated root)
     * @throws IllegalArgumentException when the setting does not fit (simulated collateral outside the simulated TEE,
     *     a missing directory)
     */
    public ManagedCollateralSource open(VerificationPolicy policy, TeeProvider own, Clock clock) {
        List<PublicKey> anchors = new ArrayList<>(policy.trustRoots());
        anchors.addAll(policy.simulatedRoots());
        return switch (kind) {
            case NONE -> {
                LOG.warn("collateral: none — peer quotes are checked for signatures and chains only: no TCB status, no "
                        + "revocation, no QE identity. Use only for development.");
                yield fixed(VerificationPolicy.CollateralSource.none());
            }
            case DIRECTORY -> {
                Path dir = Path.of(argument);
                if (!Files.isDirectory(dir)) {
                    throw new IllegalArgumentException("collateral directory " + dir + " does not exist");
                }
                yield fixed(VerificationPolicy.CollateralSource.directory(dir));
            }
            case INTEL -> cached(PccsClient.intelPcs(), anchors, clock);
            case PCCS -> cached(PccsClient.pccs(URI.create(argument)), anchors, clock);
            case SIMULATED -> {
                if (!(own instanceof SimulatedTee sim)) {
                    throw new IllegalArgumentException("simulated collateral only works with the simulated TEE");
                }
                String status = argument;
                List<String> adv = advisoryIds;
                CollateralFetcher f = new CollateralFetcher() {
                    @Override
                    public Collateral fetch(TeeType tee, String fmspcHex, String pckCa) {
                        if (tee != TeeType.SGX || !fmspcHex.equalsIgnoreCase(SimulatedTee.FMSPC)) {
                            throw new org.sesemi.attestation.AttestationException(
                                    org.sesemi.attestation.AttestationException.Reason.COLLATERAL_UNAVAILABLE,
                                    "the simulated TEE has collateral only for its own platform (FMSPC " + SimulatedTee.FMSPC + ")");
                        }
                        return sim.collateral(clock.instant().minusSeconds(60), SIMULATED_VALIDITY, status, adv);
                    }

                    @Override
                    public String describe() {
                        return "simulated";
                    }
                };
                yield cached(f, anchors, clock);
            }
        };
    }

    private ManagedCollateralSource cached(CollateralFetcher f, List<PublicKey> anchors, Clock clock) {
        return new CachingCollateralSource(describe(), f, anchors, clock, REFRESH_EVERY, CHECK_EVERY);
    }

    private ManagedCollateralSource fixed(VerificationPolicy.CollateralSource s) {
        String name = describe();
        return new ManagedCollateralSource() {
            @Override
            public Optional<Collateral> collateralFor(TeeType tee, String fmspcHex) {
                return s.collateralFor(tee, fmspcHex);
            }

            @Override
            public CollateralStats stats() {
                return CollateralStats.idle(name);
            }

            @Override
            public void close() {}
        };
    }
}
