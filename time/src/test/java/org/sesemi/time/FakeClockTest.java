package org.sesemi.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FakeClockTest {
    @Test
    void instantAndTickerMoveTogetherOnlyWhenAdvanced() {
        FakeClock c = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));
        long t0 = c.read();
        assertThat(c.instant()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(c.read()).isEqualTo(t0);

        c.advance(Duration.ofMillis(1500));
        assertThat(c.instant()).isEqualTo(Instant.parse("2026-03-01T10:00:01.500Z"));
        assertThat(c.millis()).isEqualTo(Instant.parse("2026-03-01T10:00:01.500Z").toEpochMilli());
        assertThat(c.elapsedNanos(t0)).isEqualTo(1_500_000_000L);
        assertThat(c.elapsedMillis(t0)).isEqualTo(1500.0);

        c.set(Instant.parse("2026-03-01T10:01:00Z"));
        assertThat(c.instant()).isEqualTo(Instant.parse("2026-03-01T10:01:00Z"));
        assertThat(c.elapsedNanos(t0)).isEqualTo(Duration.ofMinutes(1).toNanos());
    }

    @Test
    void neverMovesBack() {
        FakeClock c = new FakeClock();
        assertThat(c.instant()).isEqualTo(FakeClock.DEFAULT_START);
        assertThatThrownBy(() -> c.advance(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only moves forward");
        assertThatThrownBy(() -> c.set(FakeClock.DEFAULT_START.minusSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FakeClock(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSystemTickerMovesForward() {
        Ticker t = SystemTime.ticker();
        long a = t.read();
        assertThat(t.read()).isGreaterThanOrEqualTo(a);
        assertThat(SystemTime.clock().instant()).isAfter(FakeClock.DEFAULT_START.minus(Duration.ofDays(365 * 10)));
    }
}
