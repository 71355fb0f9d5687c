package org.sesemi.platform.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The throttle policy with a fake clock. */
class ThrottlesTest {
    private final AtomicLong now = new AtomicLong(60_000L * 1000);

    @Test
    void ratePerMinuteResetsWhenTheMinuteChanges() {
        Throttles t = new Throttles(2, 100, now::get);
        t.acquire("ns").release();
        t.acquire("ns").release();
        assertThatThrownBy(() -> t.acquire("ns")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.getMessage()).isEqualTo("Too many requests in the last minute (count: 3, allowed: 2).");
        });
        t.acquire("other").release();
        now.addAndGet(59_999);
        assertThatThrownBy(() -> t.acquire("ns")).isInstanceOf(ApiException.class);
        now.addAndGet(1);
        t.acquire("ns").release();
    }

    @Test
    void concurrencyCountsPermitsInFlight() {
        Throttles t = new Throttles(1000, 2, now::get);
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
