package org.sesemi.attestation;

import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.time.SystemTime;

/**
 * Who may be trusted: the immutable set of rules a quote must satisfy. Build one with {@link #builder()}.
 *
 * <p>Defaults: trust root = the Intel SGX Root CA public key shipped with the project; accepted TCB statuses =
 * UpToDate, SWHardeningNeeded, ConfigurationNeeded, ConfigurationAndSWHardeningNeeded; debug rejected; any
 * measurement; collateral not required; RA-TLS evidence at most 24 hours old; the system UTC clock.
 *
 * <p>Expected measurements: when none of {@link Builder#expectMeasurement}, {@link Builder#expectSgxSigner} or
 * {@link Builder#expectTdx} was called, any measurement is accepted; otherwise the quote must satisfy at least one of
 * them.
 */
public final class VerificationPolicy {
    /** TCB statuses accepted unless configured otherwise. */
    public static final Set<String> DEFAULT_ACCEPTED_TCB = Set.of(
            "UpToDate", "SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded");

    /** Default maximum age of RA-TLS evidence (time since the certificate's notBefore). */
    public static final Duration DEFAULT_MAX_EVIDENCE_AGE = Duration.ofHours(24);

    /** SGX identity by signer: MRSIGNER, ISVPRODID and a minimum ISVSVN (Gramine's RA_TLS_MRSIGNER style rule). */
    public record SgxSignerRule(String mrSigner, int isvProdId, int minIsvSvn) {
        public SgxSignerRule {
            mrSigner = hex(mrSigner, 32, "MRSIGNER");
            if (isvProdId < 0 || isvProdId > 0xFFFF || minIsvSvn < 0 || minIsvSvn > 0xFFFF) {
                throw new IllegalArgumentException("ISVPRODID and ISVSVN are 16-bit values");
            }
        }
    }

    /**
     * TDX identity by individual registers: MRTD and any subset of RTMR0..3 (index → 48-byte hex).
     */
    public record TdxRule(String mrTd, Map<Integer, String> rtmrs) {
        public TdxRule {
            mrTd = hex(mrTd, 48, "MRTD");
            Map<Integer, String> copy = new LinkedHashMap<>();
            rtmrs.forEach((i, v) -> {
                if (i < 0 || i > 3) {
                    throw new IllegalArgumentException("RTMR index is 0..3");
                }
                copy.put(i, hex(v, 48, "RTMR" + i));
            });
            rtmrs = Map.copyOf(copy);
        }
    }

    /**
     * Looks up collateral for a quote's platform, e.g. from a PCCS cache; used where no collateral is passed.
     * Implementations are thread-safe; see {@code org.sesemi.attestation.collateral} for the network sources.
     */
    @FunctionalInterface
    public interface CollateralSource {
        Optional<Collateral> collateralFor(TeeType tee, String fmspcHex);

        /**
         * Collateral for a platform whose PCK certificate was issued by the given PCK CA ({@code processor} or
         * {@code platform}); the PCK CRL differs between the two. Sources that ignore the CA need not override this.
         */
        default Optional<Collateral> collateralFor(TeeType tee, String fmspcHex, String pckCa) {
            return collateralFor(tee, fmspcHex);
        }

        static CollateralSource none() {
            return (tee, fmspc) -> Optional.empty();
        }

        /**
         * Collateral files in {@code dir}: {@code <tee>-<fmspc>.json} or {@code <fmspc>.json} (lowercase hex), in the
         * {@code QuoteCollateralV3} layout; re-read when a file changes. A missing file means no collateral.
         */
        static CollateralSource directory(java.nio.file.Path dir) {
            return new DirectoryCollateralSource(dir);
        }
    }

    private final List<PublicKey> trustRoots;
    private final List<PublicKey> simulatedRoots;
    private final Set<String> acceptedTcbStatuses;
    private final boolean allowDebug;
    private final Set<Measurement> expectedMeasurements;
    private final List<SgxSignerRule> sgxSignerRules;
    private final List<TdxRule> tdxRules;
    private final boolean collateralRequired;
    private final Optional<Duration> maxEvidenceAge;
    private final Clock clock;
    private final CollateralSource collateralSource;
    private final boolean requireTdxSeptVeDisable;

    private VerificationPolicy(Builder b) {
        List<PublicKey> roots = new ArrayList<>(b.trustRoots);
        if (roots.isEmpty() && b.simulatedRoots.isEmpty()) {
            roots.add(IntelRoot.publicKey());
        }
        this.trustRoots = List.copyOf(roots);
        this.simulatedRoots = List.copyOf(b.simulatedRoots);
        this.acceptedTcbStatuses = Set.copyOf(b.acceptedTcbStatuses);
        this.allowDebug = b.allowDebug;
        this.expectedMeasurements = Set.copyOf(b.expectedMeasurements);
        this.sgxSignerRules = List.copyOf(b.sgxSignerRules);
        this.tdxRules = List.copyOf(b.tdxRules);
        this.collateralRequired = b.collateralRequired;
        this.maxEvidenceAge = b.maxEvidenceAge;
        this.clock = b.clock;
        this.collateralSource = b.collateralSource;
        this.requireTdxSeptVeDisable = b.requireTdxSeptVeDisable;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The default policy: Intel root, default TCB statuses, no debug, any measurement. */
    public static VerificationPolicy defaults() {
        return builder().build();
    }

    /**
     * A policy that trusts exactly this simulated TEE's root (and not Intel's): for development and tests only.
     * Quotes verified under it are marked {@link VerifiedQuote#simulated()}.
     */
    public static VerificationPolicy simulated(SimulatedTee tee) {
        return builder().simulatedTrustRoot(tee.rootPublicKey()).build();
    }

    /** A builder initialised with this policy's settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.trustRoots.addAll(trustRoots);
        b.simulatedRoots.addAll(simulatedRoots);
        b.acceptedTcbStatuses.clear();
        b.acceptedTcbStatuses.addAll(acceptedTcbStatuses);
        b.allowDebug = allowDebug;
        b.expectedMeasurements.addAll(expectedMeasurements);
        b.sgxSignerRules.addAll(sgxSignerRules);
        b.tdxRules.addAll(tdxRules);
        b.collateralRequired = collateralRequired;
        b.maxEvidenceAge = maxEvidenceAge;
        b.clock = clock;
        b.collateralSource = collateralSource;
        b.requireTdxSeptVeDisable = requireTdxSeptVeDisable;
        return b;
    }

    /** Hardware trust roots (public keys; certificates are matched by key, never by bytes). */
    public List<PublicKey> trustRoots() {
        return trustRoots;
    }

    /** Simulated trust roots; evidence chaining to one of them is accepted but marked simulated. */
    public List<PublicKey> simulatedRoots() {
        return simulatedRoots;
    }

    public Set<String> acceptedTcbStatuses() {
        return acceptedTcbStatuses;
    }

    public boolean allowDebug() {
        return allowDebug;
    }

    public Set<Measurement> expectedMeasurements() {
        return expectedMeasurements;
    }

    public List<SgxSignerRule> sgxSignerRules() {
        return sgxSignerRules;
    }

    public List<TdxRule> tdxRules() {
        return tdxRules;
    }

    /** Whether any measurement rule is configured (if not, every measurement passes). */
    public boolean restrictsMeasurement() {
        return !expectedMeasurements.isEmpty() || !sgxSignerRules.isEmpty() || !tdxRules.isEmpty();
    }

    public boolean collateralRequired() {
        return collateralRequired;
    }

    /** Maximum age of RA-TLS evidence; empty = no limit beyond the certificate's own validity. */
    public Optional<Duration> maxEvidenceAge() {
        return maxEvidenceAge;
    }

    public Clock clock() {
        return clock;
    }

    public CollateralSource collateralSource() {
        return collateralSource;
    }

    /** Whether TDs must have TDATTRIBUTES.SEPT_VE_DISABLE (bit 28) set; off by default (not all real TDs set it). */
    public boolean requireTdxSeptVeDisable() {
        return requireTdxSeptVeDisable;
    }

    @Override
    public String toString() {
        return "VerificationPolicy[roots=" + trustRoots.size() + ", simulatedRoots=" + simulatedRoots.size()
                + ", tcb=" + acceptedTcbStatuses + ", allowDebug=" + allowDebug
                + ", measurements=" + expectedMeasurements + ", signerRules=" + sgxSignerRules.size()
                + ", tdxRules=" + tdxRules.size() + ", collateralRequired=" + collateralRequired
                + ", maxEvidenceAge=" + maxEvidenceAge.map(Duration::toString).orElse("none") + "]";
    }

    private static String hex(String value, int bytes, String what) {
        if (value == null) {
            throw new IllegalArgumentException(what + " missing");
        }
        String v = value.strip().toLowerCase(java.util.Locale.ROOT);
        if (v.length() != bytes * 2 || !v.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException(what + " must be " + bytes * 2 + " hex characters");
        }
        return v;
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private final List<PublicKey> trustRoots = new ArrayList<>();
        private final List<PublicKey> simulatedRoots = new ArrayList<>();
        private final Set<String> acceptedTcbStatuses = new LinkedHashSet<>(DEFAULT_ACCEPTED_TCB);
        private boolean allowDebug;
        private final Set<Measurement> expectedMeasurements = new LinkedHashSet<>();
        private final List<SgxSignerRule> sgxSignerRules = new ArrayList<>();
        private final List<TdxRule> tdxRules = new ArrayList<>();
        private boolean collateralRequired;
        private Optional<Duration> maxEvidenceAge = Optional.of(DEFAULT_MAX_EVIDENCE_AGE);
        private Clock clock = SystemTime.clock();
        private CollateralSource collateralSource = CollateralSource.none();
        private boolean requireTdxSeptVeDisable;

        private Builder() {}

        /**
         * Adds a hardware trust root. Once any root is added the Intel default is no longer implied; call
         * {@link #intelRoot()} to keep it.
         */
        public Builder trustRoot(PublicKey key) {
            if (!containsKey(trustRoots, key)) {
                trustRoots.add(key);
            }
            return this;
        }

        /** Adds the Intel SGX Root CA key shipped with the project. */
        public Builder intelRoot() {
            return trustRoot(IntelRoot.publicKey());
        }

        /** Trusts a simulated root explicitly (development only; evidence is marked simulated). */
        public Builder simulatedTrustRoot(PublicKey key) {
            if (!containsKey(simulatedRoots, key)) {
                simulatedRoots.add(key);
            }
            return this;
        }

        /** Trusts this simulated TEE's root explicitly. */
        public Builder trustSimulated(SimulatedTee tee) {
            return simulatedTrustRoot(tee.rootPublicKey());
        }

        /** Replaces the accepted TCB statuses (exact Intel spellings, e.g. {@code UpToDate}). */
        public Builder acceptedTcbStatuses(Set<String> statuses) {
            acceptedTcbStatuses.clear();
            acceptedTcbStatuses.addAll(statuses);
            return this;
        }

        public Builder allowDebug(boolean allow) {
            this.allowDebug = allow;
            return this;
        }

        public Builder expectMeasurement(Measurement m) {
            expectedMeasurements.add(m);
            return this;
        }

        public Builder expectMeasurements(Set<Measurement> ms) {
            expectedMeasurements.addAll(ms);
            return this;
        }

        /** Accepts SGX enclaves signed by {@code mrSignerHex} with this product id and ISVSVN ≥ {@code minIsvSvn}. */
        public Builder expectSgxSigner(String mrSignerHex, int isvProdId, int minIsvSvn) {
            sgxSignerRules.add(new SgxSignerRule(mrSignerHex, isvProdId, minIsvSvn));
            return this;
        }

        /** Accepts TDs with this MRTD and these RTMR values (index 0..3 → hex; unspecified RTMRs are not checked). */
        public Builder expectTdx(String mrTdHex, Map<Integer, String> rtmrs) {
            tdxRules.add(new TdxRule(mrTdHex, rtmrs));
            return this;
        }

        public Builder collateralRequired(boolean required) {
            this.collateralRequired = required;
            return this;
        }

        /** Rejects RA-TLS certificates issued more than {@code age} ago (and, always, expired ones). */
        public Builder maxEvidenceAge(Duration age) {
            if (age.isNegative() || age.isZero()) {
                throw new IllegalArgumentException("maxEvidenceAge must be positive");
            }
            this.maxEvidenceAge = Optional.of(age);
            return this;
        }

        /** Removes the evidence age limit (only certificate validity applies), e.g. for archived evidence. */
        public Builder noEvidenceAgeLimit() {
            this.maxEvidenceAge = Optional.empty();
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = java.util.Objects.requireNonNull(clock);
            return this;
        }

        public Builder collateralSource(CollateralSource source) {
            this.collateralSource = java.util.Objects.requireNonNull(source);
            return this;
        }

        /**
         * Requires TDs to run with SEPT_VE_DISABLE, so the host cannot inject #VE exceptions through secure EPT
         * violations (dcap-qvl enforces this; Intel's QVL leaves it to the relying party).
         */
        public Builder requireTdxSeptVeDisable(boolean require) {
            this.requireTdxSeptVeDisable = require;
            return this;
        }

        public VerificationPolicy build() {
            return new VerificationPolicy(this);
        }

        private static boolean containsKey(List<PublicKey> keys, PublicKey k) {
            return keys.stream().anyMatch(x -> Arrays.equals(x.getEncoded(), k.getEncoded()));
        }
    }

    static String hexOf(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
