package org.sesemi.runtime.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class PlaintextBuffersTest {
    @Test
    void buffersAreWipedOnReleaseAndReused() {
        PlaintextBuffers pool = new PlaintextBuffers(true, Runnable::run);
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
        PlaintextBuffers pool = new PlaintextBuffers(true, Runnable::run);
        ByteBuffer huge = ByteBuffer.allocateDirect(PlaintextBuffers.MAX_BUFFER_BYTES + 1);
        huge.put(0, (byte) 1).put(huge.capacity() - 1, (byte) 1);
        pool.release(huge);
        assertThat(huge.get(0)).isZero();
        assertThat(huge.get(huge.capacity() - 1)).isZero();
        assertThat(pool.take(16)).isNotSameAs(huge);
    }

    @Test
    void heapBuffersHaveArraysAndAreWipedToo() {
        PlaintextBuffers pool = new PlaintextBuffers(false, Runnable::run);
        ByteBuffer b = pool.take(5000);
        assertThat(b.isDirect()).isFalse();
        assertThat(b.hasArray()).isTrue();
        java.util.Arrays.fill(b.array(), 0, 5000, (byte) 0x33);
        pool.release(b);
        assertThat(b.array()).containsOnly(0);
        assertThat(pool.take(4000)).isSameAs(b);
    }

    @Test
    void theBackgroundWiperWipesBeforeTheBufferIsReused() throws Exception {
        PlaintextBuffers pool = new PlaintextBuffers(false);
        ByteBuffer b = pool.take(1 << 20);
        java.util.Arrays.fill(b.array(), 0, 1 << 20, (byte) 0x77);
        pool.release(b);
        long deadline = System.nanoTime() + 5_000_000_000L;
        ByteBuffer again;
        while ((again = pool.take(1 << 20)) != b && System.nanoTime() < deadline) {
            Thread.sleep(1); // not wiped yet: the pool handed out a fresh buffer meanwhile
        }
        assertThat(again).isSameAs(b);
        assertThat(b.array()).containsOnly(0);
    }

    @Test
    void aBackloggedWiperMakesReleaseWipeInline() {
        java.util.List<Runnable> parked = new java.util.ArrayList<>();
        PlaintextBuffers pool = new PlaintextBuffers(false, parked::add); // a wiper that never gets to run
        int n = 16 << 20;
        java.util.List<ByteBuffer> held = new java.util.ArrayList<>();
        for (long pending = 0; pending <= PlaintextBuffers.MAX_PENDING_BYTES; pending += n) {
            held.add(pool.take(n));
        }
        for (ByteBuffer b : held) {
            java.util.Arrays.fill(b.array(), 0, n, (byte) 1);
            pool.release(b);
        }
        ByteBuffer last = held.getLast();
        assertThat(parked).hasSize(held.size() - 1); // the last one went over the backlog bound
        assertThat(zero(last.array())).isTrue();
        assertThat(held.getFirst().array()[0]).isEqualTo((byte) 1); // still queued, not yet wiped
        parked.forEach(Runnable::run);
        held.forEach(b -> assertThat(zero(b.array())).isTrue());
    }

    private static boolean zero(byte[] a) {
        return java.util.Arrays.mismatch(a, new byte[a.length]) < 0;
    }
}
