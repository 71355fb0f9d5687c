package org.sesemi.runtime.core.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.runtime.core.engine.EngineConfig;
import org.sesemi.runtime.core.engine.ModelSession;
import org.sesemi.runtime.core.engine.OnnxEngine;
import org.sesemi.runtime.store.DirectoryModelStore;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/** {@link EncryptedModelLoader}: a model is decrypted as it is read, never held whole on the Java heap as ciphertext. */
class EncryptedModelLoaderTest {
    @TempDir Path dir;

    @Test
    void decryptsAsItReadsWithoutAHeapCopyOfTheCiphertext() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeThat(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled())
                .as("this JVM measures no per-thread allocation").isTrue();
        byte[] onnx = TestModels.affine(3, 4 << 20); // 16 MiB of weights
        ModelId id = new ModelId(PrincipalIdentity.generate().id(), "big");
        ModelKey key = ModelKey.generate(1);
        DirectoryModelStore store = new DirectoryModelStore(dir.resolve("models"));
        Fixture.upload(store, dir.resolve("big.smodel"), id, onnx, key);
        long ciphertext = Files.size(store.pathOf(id));
        EncryptedModelLoader loader = new EncryptedModelLoader(store, new OnnxEngine(EngineConfig.defaults()), 1.0);
        AtomicLong reserved = new AtomicLong();
        LoadTimes times = new LoadTimes();

        long before = threads.getCurrentThreadAllocatedBytes();
        try (ModelSession s = loader.load(id, key, reserved::set, times)) {
            long heap = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(s.metadata().inputs()).hasSize(1);
            // Reading the ciphertext whole (as before) allocated at least its size here; streaming allocates one segment.
            assertThat(heap).as("heap bytes allocated while loading a %d-byte encrypted model", ciphertext).isLessThan(ciphertext / 4);
        }
        assertThat(reserved.get()).isGreaterThanOrEqualTo(onnx.length);
        assertThat(times.fetchMs).isPositive();
        assertThat(times.decryptMs).isPositive();
    }
}
