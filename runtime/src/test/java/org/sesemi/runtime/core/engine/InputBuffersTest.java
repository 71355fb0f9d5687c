package org.sesemi.runtime.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class InputBuffersTest {
    @Test
    void buffersAreWipedOnReleaseAndReused() {
        InputBuffers pool = new InputBuffers();
        ByteBuffer b = pool.take(200_000);
        assertThat(b.isDirect()).isTrue();
        assertThat(b.position()).isZero();
        assertThat(b.limit()).isEqualTo(200_000);
        while (b.hasRemaining()) {
            b.put((byte) 0x5a);
        }
        pool.release(b);
        ByteBuffer again = pool.take(100_000);
        assertThat(again).isSameAs(b);
        assertThat(again.limit()).isEqualTo(100_000);
        ByteBuffer all = again.duplicate().clear();
        while (all.hasRemaining()) {
            assertThat(all.get()).isZero(); // the plaintext input left no trace, beyond the new limit either
        }
        pool.release(again);
        assertThat(pool.take(300_000)).isNotSameAs(b).satisfies(x -> assertThat(x.limit()).isEqualTo(300_000));
    }

    @Test
    void oversizedBuffersAreWipedButNotKept() {
        InputBuffers pool = new InputBuffers();
        ByteBuffer huge = ByteBuffer.allocateDirect(InputBuffers.MAX_BUFFER_BYTES + 1);
        huge.put(0, (byte) 1).put(huge.capacity() - 1, (byte) 1);
        pool.release(huge);
        assertThat(huge.get(0)).isZero();
        assertThat(huge.get(huge.capacity() - 1)).isZero();
        assertThat(pool.take(16)).isNotSameAs(huge);
    }
}
