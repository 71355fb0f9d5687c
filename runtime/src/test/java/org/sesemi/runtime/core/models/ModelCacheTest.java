package org.sesemi.runtime.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.runtime.core.ErrorCode;
import org.sesemi.runtime.core.RefusedException;
import org.sesemi.runtime.core.engine.EngineConfig;
import org.sesemi.runtime.core.engine.ModelSession;
import org.sesemi.runtime.core.engine.OnnxEngine;
import org.sesemi.runtime.testing.TestModels;

/** The model cache with real ONNX Runtime sessions and a loader that counts loads. */
class ModelCacheTest {
    final OnnxEngine engine = new OnnxEngine(EngineConfig.defaults());
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final AtomicInteger loads = new AtomicInteger();
    volatile CountDownLatch gate;

    ModelCache.Loader loader(long charge) {
        return (model, key, reserve, times) -> {
            loads.incrementAndGet();
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            reserve.accept(charge);
            byte[] onnx = TestModels.affine(model.name().length(), 0);
            return engine.load(model.toString(), ByteBuffer.wrap(onnx), onnx.length);
        };
    }

    ModelId id(String name) {
        return new ModelId(owner.id(), name);
    }

    @Test
    void anInUseSessionIsNeverClosedToMakeRoomTheLoaderWaitsThenAnswersBusy() {
        ModelKey k = ModelKey.generate(1);
        try (ModelCache cache = new ModelCache(loader(600), 1000, Duration.ofMillis(200))) {
            ModelCache.Lease a = cache.acquire(id("a"), k, new LoadTimes());
            assertThatThrownBy(() -> cache.acquire(id("bb"), k, new LoadTimes())).isInstanceOfSatisfying(RefusedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BUSY));
            // a still works: its session was not closed
            assertThat(a.session().metadata().inputs()).hasSize(1);
            a.close();
            try (ModelCache.Lease b = cache.acquire(id("bb"), k, new LoadTimes())) {
                assertThat(b.loaded()).isTrue();
            }
            assertThat(cache.stats().evictions()).isEqualTo(1);
            assertThat(cache.stats().usedBytes()).isEqualTo(600);
        }
    }

    @Test
    void tooLargeForTheWholeBudgetFailsAtOnceAndIsNotCached() {
        try (ModelCache cache = new ModelCache(loader(5000), 1000, Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> cache.acquire(id("a"), ModelKey.generate(1), new LoadTimes())).isInstanceOfSatisfying(RefusedException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MODEL_TOO_LARGE));
            assertThat(cache.stats().usedBytes()).isZero();
            assertThat(cache.stats().models()).isZero();
        }
    }

    @Test
    void singleFlightLoadAndLruOrder() throws Exception {
        ModelKey k = ModelKey.generate(1);
        try (ModelCache cache = new ModelCache(loader(400), 1000, Duration.ofSeconds(5))) {
            gate = new CountDownLatch(1);
            ExecutorService ex = Executors.newFixedThreadPool(6);
            List<Future<Boolean>> fs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                fs.add(ex.submit(() -> {
                    try (ModelCache.Lease l = cache.acquire(id("a"), k, new LoadTimes())) {
                        return l.loaded();
                    }
                }));
            }
            org.awaitility.Awaitility.await().until(() -> loads.get() == 1);
            gate.countDown();
            gate = null;
            int loaders = 0;
            for (Future<Boolean> f : fs) {
                loaders += f.get() ? 1 : 0;
            }
            ex.shutdown();
            assertThat(loaders).isEqualTo(1);
            assertThat(loads.get()).isEqualTo(1);
            cache.acquire(id("b"), k, new LoadTimes()).close();
            cache.acquire(id("a"), k, new LoadTimes()).close(); // a is now most recently used
            cache.acquire(id("c"), k, new LoadTimes()).close(); // evicts b, the least recently used
            assertThat(cache.acquire(id("a"), k, new LoadTimes())).satisfies(l -> {
                assertThat(l.loaded()).isFalse();
                l.close();
            });
            assertThat(cache.acquire(id("b"), k, new LoadTimes())).satisfies(l -> {
                assertThat(l.loaded()).isTrue();
                l.close();
            });
        }
    }

    @Test
    void aCachedModelIsOnlyServedUnderTheKeyItWasDecryptedWith() {
        try (ModelCache cache = new ModelCache(loader(100), 1000, Duration.ofSeconds(5))) {
            cache.acquire(id("a"), ModelKey.generate(1), new LoadTimes()).close();
            assertThatThrownBy(() -> cache.acquire(id("a"), ModelKey.generate(1), new LoadTimes()))
                    .isInstanceOfSatisfying(CryptoException.class, e -> assertThat(e.reason()).isEqualTo(CryptoException.Reason.WRONG_KEY));
            // a rotated key (new version) is a different cache entry
            try (ModelCache.Lease l = cache.acquire(id("a"), ModelKey.generate(2), new LoadTimes())) {
                assertThat(l.loaded()).isTrue();
            }
        }
    }

    @Test
    void invalidateClosesOnlyAfterTheLastLease() {
        ModelKey k = ModelKey.generate(1);
        try (ModelCache cache = new ModelCache(loader(100), 1000, Duration.ofSeconds(5))) {
            ModelCache.Lease held = cache.acquire(id("a"), k, new LoadTimes());
            cache.invalidate(id("a"));
            assertThat(held.session().metadata().name()).endsWith("/a"); // still usable
            assertThat(cache.stats().usedBytes()).isEqualTo(100);
            held.close();
            assertThat(cache.stats().usedBytes()).isZero();
        }
    }
}
