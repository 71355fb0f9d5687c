package org.sesemi.keyservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.sesemi.time.FakeClock;

class RateLimiterTest {
    final FakeClock now = new FakeClock();

    @Test
    void burstThenSustainedRatePerKey() {
        RateLimiter l = new RateLimiter(10, 3, now);
        assertThat(l.tryAcquire("a")).isTrue();
        assertThat(l.tryAcquire("a")).isTrue();
        assertThat(l.tryAcquire("a")).isTrue();
        assertThat(l.tryAcquire("a")).isFalse();
        assertThat(l.tryAcquire("b")).as("keys are independent").isTrue();
        now.advance(Duration.ofMillis(100)); // 0.1 s = one token at 10/s
        assertThat(l.tryAcquire("a")).isTrue();
        assertThat(l.tryAcquire("a")).isFalse();
        now.advance(Duration.ofSeconds(10));
        assertThat(l.tryAcquire("a")).isTrue(); // refilled, but never above the burst
        assertThat(l.tryAcquire("a")).isTrue();
        assertThat(l.tryAcquire("a")).isTrue();
        assertThat(l.tryAcquire("a")).isFalse();
        assertThat(l.retryAfterSeconds()).isEqualTo(1);
    }

    @Test
    void zeroRateDisablesLimiting() {
        RateLimiter l = new RateLimiter(0, 1, now);
        for (int i = 0; i < 10_000; i++) {
            assertThat(l.tryAcquire("a")).isTrue();
        }
    }

    @Property
    void neverMoreThanBurstPlusRateTimesElapsed(@ForAll @IntRange(min = 1, max = 50) int rate, @ForAll @IntRange(min = 1, max = 20) int burst,
            @ForAll @IntRange(min = 0, max = 3000) int millis) {
        FakeClock t = new FakeClock();
        RateLimiter l = new RateLimiter(rate, burst, t);
        int granted = 0;
        for (int ms = 0; ms <= millis; ms++) {
            if (ms > 0) {
                t.advance(Duration.ofMillis(1));
            }
            for (int i = 0; i < 5; i++) {
                if (l.tryAcquire("k")) {
                    granted++;
                }
            }
        }
        assertThat(granted).isLessThanOrEqualTo(burst + (int) Math.ceil(rate * millis / 1000.0));
        assertThat(granted).isGreaterThanOrEqualTo(Math.min(burst, 5));
    }
}
