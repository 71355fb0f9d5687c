package org.sesemi.runtime.core.keys;

import org.sesemi.runtime.core.ErrorCode;
import org.sesemi.runtime.core.RefusedException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.runtime.testing.InMemoryKeySource;
import org.sesemi.time.FakeClock;

/**
 * The key cache's bounds against unauthenticated envelopes (issue #10): denials are remembered briefly, junk pairs share
 * a small fetch budget, and pairs served before are never starved by them.
 */
class KeyFetchLimitsTest {
    final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    final InMemoryKeySource source = new InMemoryKeySource(clock, Duration.ofSeconds(60));
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final KeyFetchLimits limits = new KeyFetchLimits(Duration.ofSeconds(5), 100, 10, 20, 4, 1000);

    ModelId model(String n) {
        ModelId id = new ModelId(owner.id(), n);
        source.putModelKey(id, ModelKey.generate(1));
        return id;
    }

    @Test
    void aDenialIsRememberedBrieflyThenAskedAgain() {
        KeyCache cache = new KeyCache(source, 10, clock, Duration.ofSeconds(1), limits);
        PrincipalId u = PrincipalIdentity.generate().id();
        ModelId a = model("a");
        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> cache.get(u, a)).isInstanceOfSatisfying(RefusedException.class,
                    e -> assertThat(e.isDenial("no_grant")).isTrue());
        }
        assertThat(source.calls.get()).isEqualTo(1); // before: 50 KeyService round trips
        assertThat(cache.denialHits()).isEqualTo(49);
        source.grant(u, a, RequestKey.generate());
        assertThatThrownBy(() -> cache.get(u, a)).isInstanceOfSatisfying(RefusedException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.DENIED)); // still remembered
        clock.advance(Duration.ofSeconds(5));
        assertThat(cache.get(u, a).fetched()).isTrue(); // the grant takes effect once the memory lapses
    }

    @Test
    void aFloodOfJunkPairsIsBudgetedAndPairsServedBeforeStillGetThrough() {
        KeyCache cache = new KeyCache(source, 10_000, clock, Duration.ofSeconds(1), limits);
        ModelId m = model("m");
        PrincipalId legit = PrincipalIdentity.generate().id();
        source.grant(legit, m, RequestKey.generate());
        assertThat(cache.get(legit, m).fetched()).isTrue(); // served once: proven
        int denied = 0, limited = 0;
        for (int i = 0; i < 1_000; i++) {
            PrincipalId junk = PrincipalIdentity.generate().id();
            try {
                cache.get(junk, m);
            } catch (RefusedException e) {
                if (e.code() == ErrorCode.DENIED) {
                    denied++;
                } else if (e.code() == ErrorCode.UNAVAILABLE && e.reason().equals("key_fetch_limited")) {
                    limited++;
                } else {
                    throw e;
                }
            }
        }
        assertThat(denied).isEqualTo(19); // the burst (20) less the legitimate pair's own first fetch
        assertThat(limited).isEqualTo(1_000 - 19);
        assertThat(source.calls.get()).isEqualTo(20); // before: 1,001
        clock.advance(Duration.ofSeconds(61)); // the legitimate pair's keys expired: a cold request
        assertThat(cache.get(legit, m).fetched()).isTrue(); // not starved by the flood
        clock.advance(Duration.ofSeconds(1));
        PrincipalId newcomer = PrincipalIdentity.generate().id();
        source.grant(newcomer, m, RequestKey.generate());
        assertThat(cache.get(newcomer, m).fetched()).isTrue(); // the budget refills at 10/s
    }
}
