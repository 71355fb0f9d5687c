package org.sesemi.platform.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.sesemi.time.FakeClock;
import org.junit.jupiter.api.Test;

/** The throttle policy with a fake clock. */
class ThrottlesTest {
    private final FakeClock now = new FakeClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void ratePerMinuteResetsWhenTheMinuteChanges() {
        Throttles t = new Throttles(2, 100, now);
        t.acquire("ns").release();
        t.acquire("ns").release();
        assertThatThrownBy(() -> t.acquire("ns")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.getMessage()).isEqualTo("Too many requests in the last minute (count: 3, allowed: 2).");
        });
        t.acquire("other").release();
        now.advance(Duration.ofMillis(59_999));
        assertThatThrownBy(() -> t.acquire("ns")).isInstanceOf(ApiException.class);
        now.advance(Duration.ofMillis(1));
        t.acquire("ns").release();
    }

    @Test
    void concurrencyCountsPermitsInFlight() {
        Throttles t = new Throttles(1000, 2, now);
        Throttles.Permit a = t.acquire("ns");
        Throttles.Permit b = t.acquire("ns");
        assertThat(t.inFlight("ns")).isEqualTo(2);
        assertThatThrownBy(() -> t.acquire("ns")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.getMessage()).isEqualTo("Too many concurrent requests in flight (count: 2, allowed: 2).");
        });
        t.acquire("elsewhere");
        a.release();
        a.release();
        assertThat(t.inFlight("ns")).isEqualTo(1);
        t.acquire("ns");
        b.release();
        assertThat(t.inFlight("ns")).isEqualTo(1);
    }
}
