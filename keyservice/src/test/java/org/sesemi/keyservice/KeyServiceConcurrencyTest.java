package org.sesemi.keyservice;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.client.keyservice.KeyRelease;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;

/**
 * Many runtimes release keys while the owner revokes and re-adds the grant and rotates the key, concurrently: every
 * answer is either exactly a stored (model key, request key) pair or a {@code no_grant} denial — never another key,
 * never an internal error.
 */
class KeyServiceConcurrencyTest {
    @TempDir Path dir;

    @Test
    void releasesRacingWithRevocationAndRotationNeverReturnWrongKeys() throws Exception {
        try (KsFixture ks = new KsFixture(dir)) {
            PrincipalIdentity owner = PrincipalIdentity.generate();
            PrincipalIdentity user = PrincipalIdentity.generate();
            ModelId model = new ModelId(owner.id(), "m");
            Measurement m = ks.runtimeTee("runtime-a").measurement();
            RequestKey rk = RequestKey.generate();
            Set<ModelKey> stored = ConcurrentHashMap.newKeySet();
            try (KeyServiceClient o = ks.principal(owner); KeyServiceClient u = ks.principal(user)) {
                o.register();
                u.register();
                ModelKey first = ModelKey.generate(1);
                stored.add(first);
                o.putModelKey(model, first);
                o.addGrant(model, user.id(), m);
                u.putRequestKey(model, m, rk);

                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger released = new AtomicInteger();
                AtomicInteger denied = new AtomicInteger();
                List<Future<?>> runtimes = new ArrayList<>();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int r = 0; r < 12; r++) {
                        runtimes.add(pool.submit(() -> {
                            try (KeyServiceClient rt = ks.runtime("runtime-a")) {
                                while (!stop.get()) {
                                    try {
                                        KeyRelease rel = rt.release(user.id(), model);
                                        assertThat(stored).contains(rel.modelKey());
                                        assertThat(rel.requestKey()).isEqualTo(rk);
                                        released.incrementAndGet();
                                    } catch (KeyServiceException e) {
                                        assertThat(e.reason()).isEqualTo("no_grant");
                                        denied.incrementAndGet();
                                    }
                                }
                            }
                            return null;
                        }));
                    }
                    for (int i = 2; i <= 30; i++) {
                        o.revokeGrant(model, user.id(), m);
                        ModelKey next = ModelKey.generate(i);
                        stored.add(next); // before it is stored: a release may see it as soon as the put commits
                        o.putModelKey(model, next);
                        o.addGrant(model, user.id(), m);
                    }
                    stop.set(true);
                    for (Future<?> f : runtimes) {
                        f.get();
                    }
                }
                assertThat(released.get()).isPositive();
                try (KeyServiceClient rt = ks.runtime("runtime-a")) {
                    assertThat(rt.release(user.id(), model).modelKey().version()).isEqualTo(30);
                }
            }
        }
    }
}
