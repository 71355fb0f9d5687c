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
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.runtime.testing.InMemoryKeySource;
import org.sesemi.time.FakeClock;

class KeyCacheTest {
    final FakeClock clock = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));
    final InMemoryKeySource source = new InMemoryKeySource(clock, Duration.ofSeconds(60));
    final PrincipalIdentity owner = PrincipalIdentity.generate();

    ModelId model(String n) {
        ModelId id = new ModelId(owner.id(), n);
        source.putModelKey(id, ModelKey.generate(1));
        return id;
    }

    @Test
    void boundedEvictingTheEntryClosestToExpiry() {
        KeyCache cache = new KeyCache(source, 2, clock, Duration.ofSeconds(1));
        var u = PrincipalIdentity.generate().id();
        ModelId a = model("a"), b = model("b"), c = model("c");
        for (ModelId m : new ModelId[] {a, b, c}) {
            source.grant(u, m, RequestKey.generate());
        }
        cache.get(u, a);
        clock.advance(Duration.ofSeconds(5));
        cache.get(u, b);
        clock.advance(Duration.ofSeconds(5));
        cache.get(u, c);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(u, b).fetched()).isFalse();
        assertThat(cache.get(u, c).fetched()).isFalse();
        assertThat(cache.get(u, a).fetched()).isTrue(); // a expired soonest and was dropped
    }

    @Test
    void aGrantTakesEffectOnceTheDenialMemoryLapsesAndTheSafetyMarginApplies() {
        KeyCache cache = new KeyCache(source, 10, clock, Duration.ofSeconds(1));
        var u = PrincipalIdentity.generate().id();
        ModelId a = model("a");
        assertThatThrownBy(() -> cache.get(u, a)).isInstanceOfSatisfying(RefusedException.class, e -> assertThat(e.isDenial("no_grant")).isTrue());
        source.grant(u, a, RequestKey.generate());
        clock.advance(KeyFetchLimits.defaults().denialTtl()); // denials are remembered this long (KeyFetchLimitsTest)
        assertThat(cache.get(u, a).fetched()).isTrue();
        clock.advance(Duration.ofSeconds(58));
        assertThat(cache.get(u, a).fetched()).isFalse();
        clock.advance(Duration.ofMillis(1500)); // 0.5 s before expiresAt: inside the safety margin
        assertThat(cache.get(u, a).fetched()).isTrue();
        assertThat(source.calls.get()).isEqualTo(3);
    }
}
