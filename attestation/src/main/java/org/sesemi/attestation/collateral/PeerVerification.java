package org.sesemi.attestation.collateral;

import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.sesemi.attestation.TeeProvider;
import org.sesemi.attestation.VerificationPolicy;

/**
 * How a server verifies its peers' quotes beyond signatures: where collateral comes from and which TCB statuses it
 * accepts. The KeyService applies it to runtimes' evidence, the runtime to the KeyService's.
 *
 * @param collateral the operator's setting; empty = {@link CollateralSetting#defaultFor} the server's own TEE (simulated
 *     collateral in the simulated TEE, Intel's PCS, required, on real TEEs)
 * @param acceptedTcbStatuses TCB statuses accepted (default {@link VerificationPolicy#DEFAULT_ACCEPTED_TCB})
 */
public record PeerVerification(Optional<CollateralSetting> collateral, Set<String> acceptedTcbStatuses) {
    /** Every TCB status Intel's TCB info and QE identity use (platform, QE and TDX module levels). */
    public static final Set<String> KNOWN_TCB_STATUSES = Set.of("UpToDate", "SWHardeningNeeded", "ConfigurationNeeded",
            "ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded", "Revoked",
            "TDRelaunchAdvised", "TDRelaunchAdvisedConfigurationNeeded");

    public PeerVerification {
        acceptedTcbStatuses = Set.copyOf(acceptedTcbStatuses);
        if (acceptedTcbStatuses.isEmpty()) {
            throw new IllegalArgumentException("at least one TCB status must be accepted");
        }
    }

    public static PeerVerification defaults() {
        return new PeerVerification(Optional.empty(), VerificationPolicy.DEFAULT_ACCEPTED_TCB);
    }

    public PeerVerification withCollateral(CollateralSetting s) {
        return new PeerVerification(Optional.of(s), acceptedTcbStatuses);
    }

    public PeerVerification withAcceptedTcb(Set<String> statuses) {
        return new PeerVerification(collateral, statuses);
    }

    /**
     * Parses a comma-separated list of TCB statuses ({@code --accept-tcb}, {@code SESEMI_ACCEPT_TCB}).
     *
     * @throws IllegalArgumentException for an unknown status (names are Intel's exact spellings)
     */
    public static Set<String> parseTcbStatuses(String csv) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : Arrays.stream(csv.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList()) {
            if (!KNOWN_TCB_STATUSES.contains(s)) {
                throw new IllegalArgumentException("unknown TCB status '" + s + "' (one of " + new TreeSet<>(KNOWN_TCB_STATUSES) + ")");
            }
            out.add(s);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("name at least one TCB status to accept");
        }
        return out;
    }

    /** The setting in force for a server running in {@code own}. */
    public CollateralSetting settingFor(TeeProvider own) {
        return collateral.orElseGet(() -> CollateralSetting.defaultFor(own));
    }

    /** A policy with this collateral source (opened here; the caller closes it) and these accepted statuses. */
    public record Applied(VerificationPolicy policy, ManagedCollateralSource source, CollateralSetting setting) {}

    /**
     * Applies this to {@code base}: collateral source, collateral required (every setting but {@code none}), accepted
     * TCB statuses.
     *
     * @throws IllegalArgumentException when the setting does not fit the TEE (see {@link CollateralSetting#open})
     */
    public Applied apply(VerificationPolicy base, TeeProvider own, Clock clock) {
        CollateralSetting s = settingFor(own);
        ManagedCollateralSource source = s.open(base, own, clock);
        VerificationPolicy p = base.toBuilder().collateralSource(source).collateralRequired(s.required())
                .acceptedTcbStatuses(acceptedTcbStatuses).build();
        return new Applied(p, source, s);
    }
}
