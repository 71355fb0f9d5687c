package org.sesemi.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.request;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/**
 * Which model key version the core asks for, step by step through a rotation (injected clock, keys expire between
 * steps): the version of the file it decrypts, never simply the newest.
 */
class ModelKeyVersionTest {
    static final float[] X = {1, 2, 3, 4, 5, 6, 7, 8};
    static final Duration PAST_TTL = Duration.ofMinutes(2);
    @TempDir Path dir;
    Fixture f;
    final byte[] onnx = TestModels.affine(1, 0);

    @BeforeEach
    void setUp() {
        f = new Fixture(dir, CoreConfig.defaults());
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private Outcome send(ModelId m) {
        return f.core.handle(EnvelopeJson.write(f.seal(m, request(floats("x", X, 2, 4)), false)));
    }

    @Test
    void theCoreAsksForTheVersionOfTheFileThroughAWholeRotation() throws Exception {
        ModelId m = f.addModel("affine", onnx); // file and key version 1
        f.keys.putModelKey(m, ModelKey.generate(2)); // 1. the owner stores v2 first; the file is still v1
        assertThat(send(m)).isInstanceOf(Outcome.Sealed.class);
        assertThat(f.keys.versionsAsked).containsExactly(0, 1); // cold: the newest, then the file's version
        f.clock.advance(PAST_TTL);
        assertThat(send(m)).isInstanceOf(Outcome.Sealed.class);
        assertThat(f.keys.versionsAsked).containsExactly(0, 1, 1); // warm: the file's version directly

        ModelKey v2 = ModelKey.generate(2);
        f.keys.putModelKey(m, v2);
        f.storeEncrypted(m, onnx, v2); // 2. re-upload under v2 (the loaded v1 session keeps serving)
        f.keys.retire(m, 1); // 3. retire v1
        assertThat(send(m)).as("v1 keys still cached").isInstanceOf(Outcome.Sealed.class);
        f.clock.advance(PAST_TTL);
        assertThat(send(m)).isInstanceOf(Outcome.Sealed.class);
        assertThat(f.keys.versionsAsked).containsExactly(0, 1, 1, 1, 0); // v1 retired: the newest, which the new file has
        // Load attempts: the cold one under v2 keys stopped at the file's header, then v1, then the re-uploaded v2.
        assertThat(f.core.stats().modelLoads()).isEqualTo(3);
        f.clock.advance(PAST_TTL);
        assertThat(send(m)).isInstanceOf(Outcome.Sealed.class);
        assertThat(f.keys.versionsAsked.getLast()).isEqualTo(2);
    }

    @Test
    void aFileUnderARetiredVersionIsRefusedSayingSo() throws Exception {
        ModelId m = f.addModel("affine", onnx);
        f.keys.putModelKey(m, ModelKey.generate(2));
        f.keys.retire(m, 1); // the wrong order: retired before the model was re-uploaded
        Outcome o = send(m);
        assertThat(o).isInstanceOfSatisfying(Outcome.Rejected.class, r -> {
            assertThat(r.code()).isEqualTo(ErrorCode.DENIED);
            assertThat(r.reason()).isEqualTo("key_retired");
            assertThat(r.message()).contains("key version 1", "retired", "upload");
        });
        assertThat(f.keys.versionsAsked).isEqualTo(List.of(0, 1));
    }
}
