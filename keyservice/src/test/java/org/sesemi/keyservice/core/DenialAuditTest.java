package org.sesemi.keyservice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.client.keyservice.AuditEvent;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.SealingKey;
import org.sesemi.keyservice.store.KeyStore;
import org.sesemi.time.FakeClock;

/**
 * A flood of refused releases naming a victim user (random model ids, as issue #10's attacker sent) writes one audit
 * row per window with a count, not one per request, in the real store; the victim still sees that it happened.
 */
class DenialAuditTest {
    @TempDir Path dir;

    @Test
    void aFloodOfDenialsNamingAVictimCostsItsAuditLogOneRowPerWindow() {
        FakeClock clock = new FakeClock(Instant.parse("2026-12-07T12:00:00Z"));
        byte[] seal = new byte[32];
        new java.security.SecureRandom().nextBytes(seal);
        PrincipalIdentity victim = PrincipalIdentity.generate();
        PrincipalIdentity attackerOwner = PrincipalIdentity.generate();
        Caller runtime = new Caller.Runtime(new Measurement("sgx:" + "1".repeat(64)), "i");
        try (KeyStore store = KeyStore.open(dir.resolve("ks.db"), SealingKey.aesGcm(seal), clock)) {
            KeyServiceCore core = new KeyServiceCore(store, Duration.ofSeconds(60), clock, false);
            core.register(new Caller.Principal(victim.id(), victim.subjectPublicKeyInfo()));
            for (int i = 0; i < 500; i++) {
                ModelId junk = new ModelId(attackerOwner.id(), "junk-" + i);
                assertThatThrownBy(() -> core.release(runtime, victim.id(), junk)).isInstanceOfSatisfying(DeniedException.class,
                        e -> assertThat(e.reason().code()).isEqualTo("unknown_model"));
            }
            List<AuditEvent> seen = core.audit(new Caller.Principal(victim.id(), victim.subjectPublicKeyInfo()), java.util.Optional.empty(), 0, 1000);
            // Before: 500 rows (one per request). Now: the first denial, at once.
            assertThat(seen).filteredOn(e -> e.event().startsWith("release")).hasSize(1);

            clock.advance(KeyServiceCore.DENIAL_AUDIT_WINDOW);
            core.flushDenialAudit(false);
            seen = core.audit(new Caller.Principal(victim.id(), victim.subjectPublicKeyInfo()), java.util.Optional.empty(), 0, 1000);
            assertThat(seen).filteredOn(e -> e.event().startsWith("release")).hasSize(2);
            AuditEvent summary = seen.getLast();
            assertThat(summary.event()).isEqualTo("release_denied_repeats");
            assertThat(summary.outcome()).isEqualTo("denied");
            assertThat(summary.reason()).contains("unknown_model;count=499;window_s=60");
        }
    }

    @Test
    void differentKindsAreAuditedSeparatelyAndAZeroWindowAuditsEveryDenial() {
        FakeClock clock = new FakeClock(Instant.parse("2026-12-07T12:00:00Z"));
        DenialAudit a = new DenialAudit(clock, Duration.ofSeconds(60), 2);
        var e1 = new KeyStore.AuditEntry("release", "runtime:x", java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.empty(), false, java.util.Optional.of("no_grant"));
        var e2 = new KeyStore.AuditEntry("release", "runtime:y", java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.empty(), false, java.util.Optional.of("no_grant"));
        assertThat(a.denied(e1)).containsExactly(e1);
        assertThat(a.denied(e1)).isEmpty();
        assertThat(a.denied(e2)).containsExactly(e2);
        var e3 = new KeyStore.AuditEntry("release", "runtime:z", java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.empty(), false, java.util.Optional.of("no_grant"));
        // Two kinds tracked at most: the oldest window (e1, one repeat) is closed early with its summary.
        List<KeyStore.AuditEntry> rows = a.denied(e3);
        assertThat(rows).hasSize(2);
        assertThat(rows.getFirst().reason()).contains("no_grant;count=1;window_s=60");
        assertThat(rows.getLast()).isEqualTo(e3);
        DenialAudit every = new DenialAudit(clock, Duration.ZERO, 10);
        assertThat(every.denied(e1)).containsExactly(e1);
        assertThat(every.denied(e1)).containsExactly(e1);
    }
}
