package org.sesemi.attestation.collateral;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;
import org.sesemi.attestation.Collateral;
import org.sesemi.attestation.QuoteVerifier;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeType;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.VerifiedQuote;
import org.sesemi.time.FakeClock;

/** The cache's contract, driven by a hand-moved clock and the simulated TEE's collateral. */
class CachingCollateralSourceTest {
    private static final String FMSPC = SimulatedTee.FMSPC;
    @TempDir Path dir;

    /** A fetcher whose next answer (collateral or failure) the test sets, counting calls. */
    private static final class Scripted implements CollateralFetcher {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicReference<Object> next = new AtomicReference<>();

        @Override
        public Collateral fetch(TeeType tee, String fmspcHex, String pckCa) {
            calls.incrementAndGet();
            Object n = next.get();
            if (n instanceof Collateral c) {
                return c;
            }
            throw new AttestationException(Reason.COLLATERAL_UNAVAILABLE, "PCCS unreachable (test)");
        }
    }

    @Test
    void freshCollateralIsServedWithoutFetchingAndDueOnesAreRefreshed() {
        SimulatedTee tee = SimulatedTee.open(dir, "runtime");
        Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        FakeClock clock = new FakeClock(t0);
        Scripted f = new Scripted();
        f.next.set(tee.collateral(t0, Duration.ofDays(30)));
        try (CachingCollateralSource s = new CachingCollateralSource("test", f, List.of(tee.rootPublicKey()), clock,
                Duration.ofHours(6), Duration.ZERO)) {
            Collateral first = s.collateralFor(TeeType.SGX, FMSPC, "processor").orElseThrow();
            assertThat(f.calls).hasValue(1);
            // The network goes away: fresh cached collateral is still served, without a fetch.
            f.next.set(null);
            for (int i = 0; i < 100; i++) {
                assertThat(s.collateralFor(TeeType.SGX, FMSPC, "processor")).containsSame(first);
            }
            assertThat(f.calls).hasValue(1);
            assertThat(s.refreshDue()).isZero();

            // Due after refreshEvery: the refresh fails, is counted, and the cached collateral stays in use.
            clock.advance(Duration.ofHours(6));
            assertThat(s.refreshDue()).isEqualTo(1);
            assertThat(s.stats().failures()).isEqualTo(1);
            assertThat(s.stats().lastFailure()).hasValueSatisfying(m -> assertThat(m).contains("PCCS unreachable"));
            assertThat(s.collateralFor(TeeType.SGX, FMSPC, "processor")).containsSame(first);
            // Backed off: no new attempt before RETRY has passed.
            assertThat(s.refreshDue()).isZero();

            // The network is back: the next due refresh replaces the collateral.
            Collateral second = tee.collateral(clock.instant(), Duration.ofDays(30));
            f.next.set(second);
            clock.advance(CachingCollateralSource.RETRY);
            assertThat(s.refreshDue()).isZero();
            assertThat(s.collateralFor(TeeType.SGX, FMSPC, "processor")).containsSame(second);
            assertThat(s.stats().fetches()).isEqualTo(2);
            assertThat(s.stats().earliestNextUpdate()).contains(second.nextUpdate());
        }
    }

    @Test
    void staleCollateralFailsClosedWhenItCannotBeRefreshed() {
        SimulatedTee tee = SimulatedTee.open(dir, "runtime");
        Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        FakeClock clock = new FakeClock(t0);
        Scripted f = new Scripted();
        f.next.set(tee.collateral(t0, Duration.ofHours(1)));
        try (CachingCollateralSource s = new CachingCollateralSource("test", f, List.of(tee.rootPublicKey()), clock,
                Duration.ofHours(6), Duration.ZERO)) {
            s.collateralFor(TeeType.SGX, FMSPC, "processor").orElseThrow();
            f.next.set(null);
            clock.advance(Duration.ofHours(2));
            assertThatThrownBy(() -> s.collateralFor(TeeType.SGX, FMSPC, "processor"))
                    .isInstanceOfSatisfying(AttestationException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.COLLATERAL_UNAVAILABLE);
                        assertThat(e.getMessage()).contains("went stale at", "PCCS unreachable");
                    });
        }
    }

    @Test
    void aLookupOfDueCollateralRefreshesInTheBackground() throws Exception {
        SimulatedTee tee = SimulatedTee.open(dir, "runtime");
        Instant t0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        FakeClock clock = new FakeClock(t0);
        Scripted f = new Scripted();
        f.next.set(tee.collateral(t0, Duration.ofDays(30)));
        // A background thread that would only look every hour: the refresh below is triggered by the lookup.
        try (CachingCollateralSource s = new CachingCollateralSource("test", f, List.of(tee.rootPublicKey()), clock,
                Duration.ofHours(6), Duration.ofHours(1))) {
            Collateral first = s.collateralFor(TeeType.SGX, FMSPC, "processor").orElseThrow();
            Collateral second = tee.collateral(t0, Duration.ofDays(31));
            f.next.set(second);
            clock.advance(Duration.ofHours(7));
            assertThat(s.collateralFor(TeeType.SGX, FMSPC, "processor")).containsSame(first);
            await().atMost(Duration.ofSeconds(30)).until(() -> s.collateralFor(TeeType.SGX, FMSPC, "processor").orElseThrow() == second);
            assertThat(f.calls).hasValue(2);
        }
    }

    @Test
    void collateralOfAnotherRootIsNotAdmitted() {
        SimulatedTee tee = SimulatedTee.open(dir.resolve("a"), "runtime");
        SimulatedTee other = SimulatedTee.open(dir.resolve("b"), "runtime");
        FakeClock clock = new FakeClock(Instant.now());
        Scripted f = new Scripted();
        f.next.set(other.collateral(clock.instant(), Duration.ofDays(1)));
        try (CachingCollateralSource s = new CachingCollateralSource("test", f, List.of(tee.rootPublicKey()), clock,
                Duration.ofHours(6), Duration.ZERO)) {
            assertThatThrownBy(() -> s.collateralFor(TeeType.SGX, FMSPC, "processor"))
                    .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.getMessage()).contains("untrusted_root"));
        }
    }

    @Test
    void simulatedPlatformStatusDecidesAndIsReportedOnRejection() {
        SimulatedTee tee = SimulatedTee.open(dir, "runtime");
        CollateralSetting outOfDate = CollateralSetting.parse("simulated:OutOfDate:INTEL-SA-00615,INTEL-SA-00657");
        VerificationPolicy base = VerificationPolicy.simulated(tee);
        byte[] quote = tee.quote(new byte[64]);
        try (ManagedCollateralSource source = outOfDate.open(base, tee, java.time.Clock.systemUTC())) {
            VerificationPolicy strict = base.toBuilder().collateralSource(source).collateralRequired(true).build();
            assertThatThrownBy(() -> new QuoteVerifier().verify(quote, Optional.empty(), strict))
                    .isInstanceOfSatisfying(AttestationException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.TCB_REJECTED);
                        assertThat(e.tcbStatus()).contains("OutOfDate");
                        assertThat(e.advisoryIds()).containsExactly("INTEL-SA-00615", "INTEL-SA-00657");
                    });
            VerificationPolicy lenient = strict.toBuilder().acceptedTcbStatuses(Set.of("UpToDate", "OutOfDate")).build();
            VerifiedQuote v = new QuoteVerifier().verify(quote, Optional.empty(), lenient);
            assertThat(v.tcbStatus()).contains("OutOfDate");
            assertThat(v.advisoryIds()).containsExactly("INTEL-SA-00615", "INTEL-SA-00657");
        }
        for (String status : SimulatedTee.TCB_STATUSES) {
            VerificationPolicy any = base.toBuilder().acceptedTcbStatuses(SimulatedTee.TCB_STATUSES).build();
            Collateral c = tee.collateral(Instant.now().minusSeconds(5), Duration.ofHours(1), status, List.of());
            assertThat(new QuoteVerifier().verify(quote, Optional.of(c), any).tcbStatus()).contains(status);
        }
    }
}
