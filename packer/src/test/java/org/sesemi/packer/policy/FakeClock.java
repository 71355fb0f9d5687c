package org.sesemi.packer.policy;

import java.util.function.LongSupplier;

/** A settable nanosecond clock for policy tests. */
final class FakeClock implements LongSupplier {
    private long nanos;

    @Override
    public long getAsLong() {
        return nanos;
    }

    void advanceMillis(long ms) {
        nanos += ms * 1_000_000L;
    }

    static long ms(long ms) {
        return ms * 1_000_000L;
    }
}
